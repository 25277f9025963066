// The Kubernetes placement settings (podLabels, podAnnotations, nodeSelector, tolerations, zoneSpread,
// priorityClassName, imagePullSecrets): parsed from the program's config strings and from RedisStack's
// typed arguments alike, every bad value refused at once naming the key, the value and what is allowed,
// and each refused with a Docker runtime, which has no pods.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { RawSettings, parseSettings } from "../../components/settings/config";
import { readStackConfig } from "../../components/stack/programConfig";
import { checkStack, plainSecretsOf, rawStackOf } from "../../components/stack/validate";
import { settingProblems } from "../support/settingProblems";

const kubernetes = (raw: RawSettings) => parseSettings({ runtime: "kubernetes", ...raw });
const TOLERATION = { key: "dedicated", operator: "Equal", value: "redis", effect: "NoSchedule" };

describe("config: Kubernetes placement settings", () => {
    it("defaults to none of them: no extra metadata, node selection, tolerations, spread, priority or pull Secrets", () => {
        const s = kubernetes({});
        assert.deepEqual(
            [s.podLabels, s.podAnnotations, s.nodeSelector, s.tolerations, s.zoneSpread, s.priorityClassName, s.imagePullSecrets],
            [{}, {}, {}, [], "none", "", []],
        );
        // Pulumi.yaml's declared defaults, as the program receives them.
        const declared = kubernetes({
            podLabels: "{}",
            tolerations: "[]",
            imagePullSecrets: "[]",
            zoneSpread: "none",
            priorityClassName: "",
        });
        assert.deepEqual(declared, s);
    });

    it("parses each from the program's config strings (maps and lists as JSON)", () => {
        const s = kubernetes({
            podLabels: '{"team":"payments","example.com/tier":"cache"}',
            podAnnotations: '{"prometheus.io/scrape":true,"note":"any text: even spaces / slashes"}',
            nodeSelector: '{"redis-stack-e2e/placement":"yes","kubernetes.io/arch":"amd64"}',
            tolerations: JSON.stringify([
                TOLERATION,
                { operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
                { key: "gpu", operator: "Exists" },
            ]),
            zoneSpread: "required",
            priorityClassName: "redis-high",
            imagePullSecrets: '["registry-login","mirror.example.com","registry-login"]',
        });
        assert.deepEqual(s.podLabels, { team: "payments", "example.com/tier": "cache" });
        assert.deepEqual(s.podAnnotations, { "prometheus.io/scrape": "true", note: "any text: even spaces / slashes" });
        assert.deepEqual(s.nodeSelector, { "redis-stack-e2e/placement": "yes", "kubernetes.io/arch": "amd64" });
        assert.deepEqual(s.tolerations, [
            TOLERATION,
            { operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
            { key: "gpu", operator: "Exists" },
        ]);
        assert.equal(s.zoneSpread, "required");
        assert.equal(s.priorityClassName, "redis-high");
        assert.deepEqual(s.imagePullSecrets, ["registry-login", "mirror.example.com"], "each Secret once");
    });

    it("takes the same from RedisStack's typed arguments", () => {
        const args = {
            runtime: "kubernetes" as const,
            podLabels: { team: "payments" },
            nodeSelector: { disk: "ssd" },
            tolerations: [{ key: "dedicated", operator: "Exists" as const, effect: "NoSchedule" as const }],
            zoneSpread: "preferred" as const,
            imagePullSecrets: ["registry-login"],
        };
        const { settings } = checkStack("RedisStack cache", rawStackOf(args), plainSecretsOf(args));
        assert.deepEqual(
            [settings.podLabels, settings.nodeSelector, settings.tolerations, settings.zoneSpread, settings.imagePullSecrets],
            [
                { team: "payments" },
                { disk: "ssd" },
                [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }],
                "preferred",
                ["registry-login"],
            ],
        );
    });

    it("passes the program's config to RedisStack as typed arguments, maps as maps and lists as lists", () => {
        pulumi.runtime.setAllConfig(
            {
                "redis-stack:runtime": "kubernetes",
                "redis-stack:podAnnotations": '{"a":"1"}',
                "redis-stack:tolerations": JSON.stringify([TOLERATION]),
                "redis-stack:imagePullSecrets": '["registry-login"]',
                "redis-stack:priorityClassName": "redis-high",
            },
            [],
        );
        try {
            const { args } = readStackConfig("redis-stack");
            assert.deepEqual(
                [args.podAnnotations, args.tolerations, args.imagePullSecrets, args.priorityClassName],
                [{ a: "1" }, [TOLERATION], ["registry-login"], "redis-high"],
            );
        } finally {
            pulumi.runtime.setAllConfig({}, []);
        }
    });

    const rejected: Array<[string, RawSettings, RegExp]> = [
        [
            "podLabels not a map",
            { podLabels: '["team"]' },
            /^podLabels: got "\[\\"team\\"\]"; allowed: a map of text such as \{"team":"payments"\}$/,
        ],
        [
            "podLabels with the stack's shard label",
            { podLabels: '{"redis-stack/shard":"0"}' },
            /^podLabels\.redis-stack\/shard: got "0"; the stack sets the labels under redis-stack\/ itself; allowed: keys other than app\.kubernetes\.io\/name, app\.kubernetes\.io\/instance, app\.kubernetes\.io\/component or redis-stack\/\.\.\.$/,
        ],
        [
            "podLabels with the stack's instance label",
            { podLabels: '{"app.kubernetes.io/instance":"other"}' },
            /^podLabels\.app\.kubernetes\.io\/instance: got "other"; the stack sets this label itself and selects its pods by it; allowed: keys other than/,
        ],
        [
            "podLabels with the stack's component label",
            { podLabels: '{"app.kubernetes.io/component":"x"}' },
            /^podLabels\.app\.kubernetes\.io\/component: got "x"; the stack sets this label itself/,
        ],
        [
            "podLabels with a key Kubernetes refuses",
            { podLabels: '{"my team":"a"}' },
            /^podLabels\.my team: "my team" is not a valid key; allowed: a Kubernetes label key/,
        ],
        [
            "podLabels with a value Kubernetes refuses",
            { podLabels: '{"team":"pay ments"}' },
            /^podLabels\.team: got "pay ments"; allowed: a Kubernetes label value/,
        ],
        [
            "podLabels with a value of 64 characters",
            { podLabels: `{"team":"${"a".repeat(64)}"}` },
            /^podLabels\.team: got "a{64}"; allowed: a Kubernetes label value/,
        ],
        ["podLabels with a map as a value", { podLabels: '{"team":{"a":1}}' }, /^podLabels\.team: got \{"a":1\}; allowed: text$/],
        [
            "podAnnotations under redis-stack/ (the TLS digest's)",
            { podAnnotations: '{"redis-stack/tls-digest":"x"}' },
            /^podAnnotations\.redis-stack\/tls-digest: got "x"; the stack sets the annotations under redis-stack\/ itself/,
        ],
        ["podAnnotations with a bad key", { podAnnotations: '{"-x":"1"}' }, /^podAnnotations\.-x: "-x" is not a valid key/],
        [
            "nodeSelector with a bad value",
            { nodeSelector: '{"disk":"ssd!"}' },
            /^nodeSelector\.disk: got "ssd!"; allowed: a Kubernetes label value/,
        ],
        ["nodeSelector as text", { nodeSelector: "disk=ssd" }, /^nodeSelector: got "disk=ssd"; allowed: a map of text such as/],
        [
            "tolerations not a list",
            { tolerations: JSON.stringify(TOLERATION) },
            /^tolerations: got ".*"; allowed: a list of Kubernetes Tolerations such as \[\{"key":"dedicated"/,
        ],
        [
            "a toleration that is not an object",
            { tolerations: '["dedicated"]' },
            /^tolerations\[0\]: got "dedicated"; allowed: a Toleration such as \{"key":"dedicated"/,
        ],
        [
            "a toleration with an unknown field",
            { tolerations: '[{"key":"a","operator":"Exists","efect":"NoSchedule"}]' },
            /^tolerations\[0\]\.efect: got "NoSchedule"; allowed: the fields key, operator, value, effect, tolerationSeconds$/,
        ],
        [
            "a toleration's unknown operator",
            { tolerations: '[{"key":"a","operator":"Exist"}]' },
            /^tolerations\[0\]\.operator: got "Exist"; allowed: Equal or Exists$/,
        ],
        [
            "a toleration without a key, operator Equal",
            { tolerations: '[{"effect":"NoSchedule"}]' },
            /^tolerations\[0\]\.operator: got none \(Equal\) without a key; allowed: Exists/,
        ],
        [
            "a toleration with Exists and a value",
            { tolerations: '[{"key":"a","operator":"Exists","value":"b"}]' },
            /^tolerations\[0\]\.value: got "b" with operator Exists; allowed: no value/,
        ],
        [
            "a toleration's unknown effect",
            { tolerations: '[{"key":"a","operator":"Exists","effect":"NoScheduling"}]' },
            /^tolerations\[0\]\.effect: got "NoScheduling"; allowed: NoSchedule or PreferNoSchedule or NoExecute, or unset for every effect$/,
        ],
        [
            "tolerationSeconds without NoExecute",
            { tolerations: '[{"key":"a","operator":"Exists","effect":"NoSchedule","tolerationSeconds":5}]' },
            /^tolerations\[0\]\.tolerationSeconds: got 5 with effect "NoSchedule"; allowed: only with effect NoExecute$/,
        ],
        [
            "tolerationSeconds not a whole number",
            { tolerations: '[{"key":"a","operator":"Exists","effect":"NoExecute","tolerationSeconds":"5"}]' },
            /^tolerations\[0\]\.tolerationSeconds: got "5"; allowed: a whole number of seconds/,
        ],
        [
            "a toleration's key Kubernetes refuses",
            { tolerations: '[{"key":"a b","operator":"Exists"}]' },
            /^tolerations\[0\]\.key: got "a b"; allowed: a Kubernetes label key/,
        ],
        ["zoneSpread unknown", { zoneSpread: "zones" }, /^zoneSpread: got "zones"; allowed: none or preferred or required$/],
        [
            "priorityClassName not a name",
            { priorityClassName: "High Priority" },
            /^priorityClassName: got "High Priority"; allowed: a PriorityClass name such as redis-high/,
        ],
        [
            "imagePullSecrets as text",
            { imagePullSecrets: "registry-login" },
            /^imagePullSecrets: got "registry-login"; allowed: a list of Secret names such as \["registry-login"\]$/,
        ],
        [
            "imagePullSecrets with a bad name",
            { imagePullSecrets: '["ok","Not_OK"]' },
            /^imagePullSecrets\[1\]: got "Not_OK"; allowed: the name of a Secret in the stack's namespace/,
        ],
    ];
    for (const [what, raw, message] of rejected) {
        it(`rejects with runtime kubernetes: ${what}, naming the key, the value and what is allowed`, () => {
            const problems = settingProblems({ runtime: "kubernetes", ...raw });
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], message);
        });
    }

    it("lists every problem at once, across the settings and within one list", () => {
        const problems = settingProblems({
            runtime: "kubernetes",
            masters: "2",
            podLabels: '{"redis-stack/node":"x","app.kubernetes.io/name":"y"}',
            tolerations: '[{"operator":"Equal"},{"key":"a","operator":"Exists","value":"b"}]',
            zoneSpread: "always",
        });
        assert.deepEqual(
            problems.map((p) => p.split(":")[0]),
            [
                "masters",
                "podLabels.redis-stack/node",
                "podLabels.app.kubernetes.io/name",
                "tolerations[0].operator",
                "tolerations[1].value",
                "zoneSpread",
            ],
        );
    });

    it("refuses each with a Docker runtime, which has no pods; their unset values pass", () => {
        assert.deepEqual(
            settingProblems({
                runtime: "engine",
                podLabels: '{"team":"a"}',
                podAnnotations: '{"a":"b"}',
                nodeSelector: '{"disk":"ssd"}',
                tolerations: JSON.stringify([TOLERATION]),
                zoneSpread: "preferred",
                priorityClassName: "redis-high",
                imagePullSecrets: '["registry-login"]',
            }),
            [
                'podLabels: got "{\\"team\\":\\"a\\"}"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
                'podAnnotations: got "{\\"a\\":\\"b\\"}"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
                'nodeSelector: got "{\\"disk\\":\\"ssd\\"}"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
                `tolerations: got ${JSON.stringify(JSON.stringify([TOLERATION]))}; allowed: unset with runtime engine (a setting of runtime kubernetes)`,
                'zoneSpread: got "preferred"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
                'priorityClassName: got "redis-high"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
                'imagePullSecrets: got "[\\"registry-login\\"]"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
            ],
        );
        const unset = parseSettings({ runtime: "docker", podLabels: "{}", tolerations: "[]", imagePullSecrets: "[]", zoneSpread: "none" });
        assert.equal(unset.runtime, "docker");
    });
});
