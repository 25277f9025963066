// networkPolicy and allowFrom: parsed from the program's config strings and from RedisStack's typed arguments
// alike; every bad peer refused at once naming its index, the field and what is allowed; refused with the
// Docker runtimes, which have no NetworkPolicy.
import { strict as assert } from "assert";
import { RawSettings, parseSettings } from "../../components/settings/config";
import { NetworkPeer, isCidr } from "../../components/settings/allowFrom";
import { checkStack, plainSecretsOf, rawStackOf } from "../../components/stack/validate";
import { settingProblems } from "../support/settingProblems";

const kubernetes = (raw: RawSettings) => parseSettings({ runtime: "kubernetes", ...raw });
const PEERS: NetworkPeer[] = [
    { namespaceSelector: { team: "payments" }, podSelector: { "app.kubernetes.io/name": "api" } },
    { podSelector: {} },
    { cidr: "10.20.0.0/16" },
    { cidr: "fd00::/8" },
];

describe("config: networkPolicy and allowFrom", () => {
    it("defaults to a policy with no peers beyond the stack's namespace, as Pulumi.yaml declares", () => {
        const s = kubernetes({});
        assert.deepEqual([s.networkPolicy, s.allowFrom], [true, []]);
        assert.deepEqual(kubernetes({ networkPolicy: "true", allowFrom: "[]" }), s);
        assert.equal(kubernetes({ networkPolicy: "false" }).networkPolicy, false);
    });

    it("parses the peers from the program's config (JSON) and from RedisStack's typed arguments alike", () => {
        assert.deepEqual(kubernetes({ allowFrom: JSON.stringify(PEERS) }).allowFrom, PEERS);
        const args = { runtime: "kubernetes" as const, allowFrom: PEERS };
        assert.deepEqual(checkStack("RedisStack cache", rawStackOf(args), plainSecretsOf(args)).settings.allowFrom, PEERS);
    });

    const BAD: [string, unknown, string][] = [
        ["not a list", { cidr: "10.0.0.0/8" }, "allowFrom: got "],
        ["a peer that is not a map", ["10.0.0.0/8"], 'allowFrom[0]: got "10.0.0.0/8"; allowed: a peer such as'],
        ["an empty peer", [{}], "allowFrom[0]: got {}; allowed: namespaceSelector and/or podSelector, or cidr"],
        [
            "an unknown field",
            [{ ipBlock: "10.0.0.0/8" }],
            'allowFrom[0].ipBlock: got "10.0.0.0/8"; allowed: the fields namespaceSelector, podSelector, cidr',
        ],
        ["cidr with a selector", [{ cidr: "10.0.0.0/8", podSelector: {} }], "allowFrom[0]: got cidr with podSelector; allowed: cidr alone"],
        ["address bits after the prefix", [{ cidr: "10.1.2.3/8" }], 'allowFrom[0].cidr: got "10.1.2.3/8"; allowed: an IPv4 or IPv6 range'],
        ["no prefix", [{ cidr: "10.0.0.0" }], 'allowFrom[0].cidr: got "10.0.0.0"; allowed:'],
        ["a prefix too long", [{ cidr: "10.0.0.0/33" }], 'allowFrom[0].cidr: got "10.0.0.0/33"; allowed:'],
        ["a selector that is a list", [{ podSelector: ["app"] }], 'allowFrom[0].podSelector: got ["app"]; allowed: a map of labels'],
        [
            "a bad label key",
            [{ namespaceSelector: { "-team": "a" } }],
            'allowFrom[0].namespaceSelector.-team: "-team" is not a valid key; allowed: a Kubernetes label key',
        ],
        [
            "a bad label value",
            [{ podSelector: { app: "a b" } }],
            'allowFrom[0].podSelector.app: got "a b"; allowed: a Kubernetes label value',
        ],
        [
            "a label value that is a number",
            [{ podSelector: { app: 1 } }],
            "allowFrom[0].podSelector.app: got 1; allowed: a Kubernetes label value",
        ],
    ];
    for (const [what, value, expected] of BAD) {
        it(`rejects ${what}, naming the peer, the field and what is allowed`, () => {
            const problems = settingProblems({ runtime: "kubernetes", allowFrom: JSON.stringify(value) });
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.ok(problems[0].startsWith(expected), problems[0]);
        });
    }

    it("lists every problem at once, each peer by its index", () => {
        const problems = settingProblems({
            runtime: "kubernetes",
            allowFrom: JSON.stringify([{ cidr: "300.0.0.0/8" }, { podSelector: { app: "api" } }, { podSelector: { app: "a b" } }]),
            networkPolicy: "maybe",
        });
        assert.deepEqual(
            problems.map((p) => p.split(":")[0]),
            ["allowFrom[0].cidr", "allowFrom[2].podSelector.app", "networkPolicy"],
        );
    });

    it("refuses peers with networkPolicy false: nothing would limit who connects", () => {
        assert.deepEqual(
            settingProblems({ runtime: "kubernetes", networkPolicy: "false", allowFrom: JSON.stringify([{ cidr: "10.0.0.0/8" }]) }),
            [
                "allowFrom: got 1 peer(s) with networkPolicy false; allowed: unset, or networkPolicy true (without the stack's NetworkPolicy nothing limits who connects)",
            ],
        );
    });

    it("refuses both with a Docker runtime, which has no NetworkPolicy; their unset values pass", () => {
        assert.deepEqual(settingProblems({ runtime: "docker", networkPolicy: "false" }), [
            'networkPolicy: got "false"; allowed: unset with runtime docker (a setting of runtime kubernetes)',
        ]);
        assert.deepEqual(settingProblems({ runtime: "engine", allowFrom: '[{"cidr":"10.0.0.0/8"}]' }), [
            'allowFrom: got "[{\\"cidr\\":\\"10.0.0.0/8\\"}]"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
        ]);
        assert.equal(parseSettings({ runtime: "docker", networkPolicy: "true", allowFrom: "[]" }).runtime, "docker");
    });

    it("takes IPv4 ranges with no address bits after the prefix and IPv6 ranges", () => {
        for (const cidr of ["0.0.0.0/0", "10.0.0.0/8", "192.168.1.7/32", "172.16.0.0/12", "::/0", "fd00::/8"])
            assert.ok(isCidr(cidr), cidr);
        for (const cidr of ["10.0.0.1/8", "10.0.0.0/", "10.0.0.0/x", "10.0.0/8", "fd00::/129", "10.0.0.0/8/1", ""])
            assert.ok(!isCidr(cidr), cidr);
    });
});
