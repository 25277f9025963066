import { strict as assert } from "assert";
import {
    CONFIG_KEYS,
    ConfigError,
    DEFAULTS,
    SETTING_KEYS,
    kubernetesNamespace,
    parseSettings,
    passwordProblems,
} from "../../components/settings/config";
import { announceAddress, networkAddress, subnetGateway } from "../../components/settings/networkAddresses";
import { closestKey, editDistance, unknownKeyProblems } from "../../components/settings/unknownKeys";
import { kubeconfigCandidates, kubeconfigProblem } from "../../components/runtime/kubernetes/kubeconfig";
import { parseQuantity } from "../../components/settings/kubernetesResources";
import { settingProblems } from "../support/settingProblems";

describe("config", () => {
    it("defaults reproduce the hand-run recipe: 3 masters, 1 replica each, ports 7000+, standalone 6379", () => {
        const s = parseSettings({});
        assert.deepEqual(s, DEFAULTS);
        assert.equal(s.masters, 3);
        assert.equal(s.replicasPerMaster, 1);
        assert.equal(s.basePort, 7000);
        assert.equal(s.busPortOffset, 10000);
        assert.equal(s.standalonePort, 6379);
        assert.equal(s.networkMode, "bridge");
        assert.equal(s.appendOnly, true);
        // The version the whole suite runs (its local build here).
        assert.equal(s.image, "redis:8.0.2");
    });

    it("parses every setting from strings", () => {
        const s = parseSettings({
            masters: "5",
            replicasPerMaster: "2",
            basePort: "8000",
            busPortOffset: "1000",
            standalonePort: "6380",
            image: "registry.local:5000/team/redis:7.2.4",
            networkMode: "host",
            subnet: "10.99.0.0/16",
            publishAddress: "0.0.0.0",
            appendOnly: "false",
            clusterNodeTimeoutMs: "15000",
            runtime: "engine",
            clusterCheck: "true",
            retainData: "true",
            tls: "true",
            tlsPlainPort: "true",
            redisConfig: '{"maxmemory": "256mb", "lazyfree-lazy-eviction": true, "hz": 20}',
            memoryLimit: "512m",
            cpuLimit: "1.5",
            serverCommand: "valkey-server",
            cliCommand: "/usr/local/bin/valkey-cli",
            metrics: "true",
            metricsPort: "9300",
            metricsImage: "registry.local:5000/team/redis-exporter:1",
            backupSchedule: "30 2 * * MON-FRI",
            backupRetention: "14",
            backupImage: "registry.local:5000/team/redis-stack-backup:1",
        });
        assert.deepEqual(s, {
            masters: 5,
            replicasPerMaster: 2,
            basePort: 8000,
            busPortOffset: 1000,
            standalonePort: 6380,
            image: "registry.local:5000/team/redis:7.2.4",
            networkMode: "host",
            subnet: "10.99.0.0/16",
            publishAddress: "0.0.0.0",
            appendOnly: false,
            clusterNodeTimeoutMs: 15000,
            runtime: "engine",
            clusterCheck: true,
            retainData: true,
            tls: true,
            tlsPlainPort: true,
            namespace: "",
            kubeconfig: "",
            storageClass: "",
            storageSize: "1Gi",
            antiAffinity: "preferred",
            access: "direct",
            resources: {},
            podLabels: {},
            podAnnotations: {},
            nodeSelector: {},
            tolerations: [],
            zoneSpread: "none",
            priorityClassName: "",
            imagePullSecrets: [],
            networkPolicy: true,
            allowFrom: [],
            externalAccess: "none",
            externalHost: "",
            loadBalancerSourceRanges: [],
            loadBalancerAnnotations: {},
            redisConfig: { hz: "20", "lazyfree-lazy-eviction": "yes", maxmemory: "256mb" },
            memoryLimit: "512m",
            cpuLimit: "1.5",
            serverCommand: "valkey-server",
            cliCommand: "/usr/local/bin/valkey-cli",
            metrics: true,
            metricsPort: 9300,
            metricsImage: "registry.local:5000/team/redis-exporter:1",
            metricsServiceMonitor: false,
            finalBackup: false,
            backupDir: "",
            restoreFrom: "",
            backupSchedule: "30 2 * * MON-FRI",
            backupRetention: 14,
            backupImage: "registry.local:5000/team/redis-stack-backup:1",
            backupStorageSize: "1Gi",
        });
    });

    it("parses the kubernetes runtime's settings", () => {
        const s = parseSettings({
            runtime: "kubernetes",
            namespace: "redis-prod",
            kubeconfig: "/home/me/.kube/staging",
            storageClass: "fast-ssd",
            storageSize: "20Gi",
            antiAffinity: "required",
            access: "portForward",
        });
        assert.deepEqual(
            [s.runtime, s.namespace, s.kubeconfig, s.storageClass, s.storageSize, s.antiAffinity, s.access],
            ["kubernetes", "redis-prod", "/home/me/.kube/staging", "fast-ssd", "20Gi", "required", "portForward"],
        );
        assert.equal(parseSettings({ runtime: "kubernetes" }).access, "direct");
    });

    it("accepts cliCommand with runtime kubernetes (the pod probes run it)", () => {
        assert.equal(parseSettings({ runtime: "kubernetes", cliCommand: "valkey-cli" }).cliCommand, "valkey-cli");
    });

    it("accepts tls and tlsPlainPort with runtime kubernetes (each node gets a certificate for its Service)", () => {
        const s = parseSettings({ runtime: "kubernetes", tls: "true", tlsPlainPort: "true" });
        assert.deepEqual([s.tls, s.tlsPlainPort], [true, true]);
    });

    it("accepts serverCommand with runtime kubernetes (the pods start it as the containers do)", () => {
        assert.equal(parseSettings({ runtime: "kubernetes", serverCommand: "valkey-server" }).serverCommand, "valkey-server");
    });

    it("derives a DNS-1123 namespace from the stack's name prefix when none is set", () => {
        assert.equal(kubernetesNamespace("redis-stack-dev"), "redis-stack-dev");
        assert.equal(kubernetesNamespace("Redis_Stack.My Stack"), "redis-stack-my-stack");
        assert.equal(kubernetesNamespace(`redis-stack-${"x".repeat(80)}`).length, 63);
        assert.equal(kubernetesNamespace("--"), "redis-stack");
    });

    const kubernetesRejected: Array<[string, Record<string, string>, RegExp]> = [
        ["namespace uppercase", { namespace: "Redis" }, /^namespace: got "Redis"; allowed: a DNS-1123 label/],
        ["namespace too long", { namespace: "n".repeat(64) }, /^namespace: got "n{64}"; allowed: a DNS-1123 label/],
        ["storageClass with spaces", { storageClass: "fast ssd" }, /^storageClass: got "fast ssd"; allowed: a StorageClass name/],
        ["storageSize without a number", { storageSize: "big" }, /^storageSize: got "big"; allowed: a Kubernetes quantity such as 1Gi/],
        ["storageSize zero", { storageSize: "0Gi" }, /^storageSize: got "0Gi"/],
        ["storageSize with a bad unit", { storageSize: "1GB" }, /^storageSize: got "1GB"/],
        ["antiAffinity unknown", { antiAffinity: "hard" }, /^antiAffinity: got "hard"; allowed: preferred or required$/],
        ["access unknown", { access: "tunnel" }, /^access: got "tunnel"; allowed: direct or portForward$/],
        ["networkMode host", { networkMode: "host" }, /^networkMode: got "host"; allowed: unset with runtime kubernetes/],
        ["a subnet", { subnet: "10.1.0.0/16" }, /^subnet: got "10.1.0.0\/16"; allowed: unset with runtime kubernetes/],
        ["a publishAddress", { publishAddress: "0.0.0.0" }, /^publishAddress: got "0.0.0.0"; allowed: unset with runtime kubernetes/],
        ["clusterCheck", { clusterCheck: "true" }, /^clusterCheck: got "true"; allowed: false or unset with runtime kubernetes/],
        [
            "resources not a map",
            { resources: '"256Mi"' },
            /^resources: got "\\"256Mi\\""; allowed: a map such as \{"requests":\{"cpu":"100m","memory":"128Mi"\},"limits":\{"memory":"256Mi"\}\}$/,
        ],
        [
            "a resources quantity that cannot be parsed",
            { resources: '{"limits":{"memory":"256MB"}}' },
            /^resources\.limits\.memory: got "256MB"; allowed: a Kubernetes memory quantity such as 128Mi, 1Gi or 500M$/,
        ],
        [
            "a CPU quantity that cannot be parsed",
            { resources: '{"requests":{"cpu":"half"}}' },
            /^resources\.requests\.cpu: got "half"; allowed: a Kubernetes CPU quantity such as 100m, 0\.5 or 2$/,
        ],
        [
            "a resource other than cpu and memory",
            { resources: '{"limits":{"nvidia.com/gpu":"1"}}' },
            /^resources\.limits\.nvidia\.com\/gpu: got "1"; allowed: cpu and memory$/,
        ],
        [
            "a kind other than requests and limits",
            { resources: '{"claims":[]}' },
            /^resources\.claims: got \[\]; allowed: requests and limits/,
        ],
        [
            "a memory limit below its request",
            { resources: '{"requests":{"memory":"256Mi"},"limits":{"memory":"128Mi"}}' },
            /^resources\.limits\.memory: got "128Mi", below resources\.requests\.memory "256Mi"; allowed: at least the request$/,
        ],
        [
            "a memory limit below what Redis needs",
            { resources: '{"limits":{"memory":"16Mi"}}' },
            /^resources\.limits\.memory: got "16Mi"; allowed: at least 32Mi, what a Redis node needs/,
        ],
        ["a CPU limit below 100m", { resources: '{"limits":{"cpu":"50m"}}' }, /^resources\.limits\.cpu: got "50m"; allowed: at least 100m/],
        [
            "memoryLimit together with resources.limits.memory",
            { memoryLimit: "512m", resources: '{"limits":{"memory":"256Mi"}}' },
            /^memoryLimit: got a value while resources\.limits\.memory is "256Mi"; allowed: one of them/,
        ],
    ];
    for (const [what, raw, message] of kubernetesRejected) {
        it(`rejects with runtime kubernetes: ${what}, naming the key, the value and what is allowed`, () => {
            const problems = settingProblems({ runtime: "kubernetes", ...raw });
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], message);
        });
    }

    it("takes resources on kubernetes, and memoryLimit/cpuLimit as its limits there", () => {
        const s = parseSettings({
            runtime: "kubernetes",
            resources: '{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"1Gi"}}',
            cpuLimit: "1.5",
            redisConfig: '{"maxmemory":"64mb"}',
        });
        assert.deepEqual(s.resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "1Gi", cpu: "1500m" } });
        assert.deepEqual(s.redisConfig, { maxmemory: "64mb" });
        assert.deepEqual(parseSettings({ runtime: "kubernetes", memoryLimit: "512m" }).resources, { limits: { memory: "512Mi" } });
        assert.deepEqual(parseSettings({ runtime: "kubernetes", resources: "{}" }).resources, {});
    });

    it("parses Kubernetes quantities as the API server reads them", () => {
        assert.equal(parseQuantity("128Mi"), 128 * 2 ** 20);
        assert.equal(parseQuantity("1G"), 1e9);
        assert.equal(parseQuantity("100m"), 0.1);
        assert.equal(parseQuantity("0.5"), 0.5);
        assert.equal(parseQuantity("1e9"), 1e9);
        assert.equal(parseQuantity(".5Gi"), 2 ** 29);
        for (const bad of ["", "256MB", "1 Gi", "-1", "0", "0Mi", "Mi", "1.5.2", "1e"]) assert.equal(parseQuantity(bad), undefined, bad);
    });

    it("refuses resources with a Docker runtime", () => {
        assert.deepEqual(settingProblems({ runtime: "engine", resources: '{"limits":{"memory":"256Mi"}}' }), [
            'resources: got "{\\"limits\\":{\\"memory\\":\\"256Mi\\"}}"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
        ]);
        assert.equal(parseSettings({ runtime: "engine", resources: "{}" }).runtime, "engine");
    });

    it("refuses the kubernetes settings with a Docker runtime, which would ignore them", () => {
        const problems = settingProblems({
            runtime: "engine",
            namespace: "redis-prod",
            storageSize: "5Gi",
            antiAffinity: "preferred",
            access: "portForward",
        });
        assert.deepEqual(problems, [
            'namespace: got "redis-prod"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
            'storageSize: got "5Gi"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
            'access: got "portForward"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
        ]);
    });

    const rejected: Array<[string, Record<string, string>, RegExp]> = [
        [
            "redisConfig: a setting the stack owns",
            { redisConfig: '{"port": 6380}' },
            /redisConfig\.port: got 6380; the stack owns this setting/,
        ],
        [
            "redisConfig: appendonly",
            { redisConfig: '{"appendonly": "no"}' },
            /redisConfig\.appendonly: got "no"; .*use redis-stack:appendOnly/,
        ],
        [
            "redisConfig: not a map",
            { redisConfig: '["maxmemory"]' },
            /redisConfig: got \["maxmemory"\]; allowed: a map of Redis setting -> value/,
        ],
        ["memoryLimit below the floor", { memoryLimit: "16m" }, /memoryLimit: got "16m" \(16777216 bytes\); allowed: at least 32m/],
        ["memoryLimit malformed", { memoryLimit: "lots" }, /memoryLimit: got "lots"; allowed: bytes or a number with a unit/],
        ["cpuLimit below the floor", { cpuLimit: "0.05" }, /cpuLimit: got "0.05"; allowed: a number of CPUs of at least 0.1/],
        [
            "serverCommand with shell characters",
            { serverCommand: "redis-server; rm" },
            /serverCommand: got "redis-server; rm"; allowed: a program name/,
        ],
        ["masters below 3", { masters: "2" }, /masters: got "2"; allowed: a whole number from 3 to 100/],
        ["masters not a number", { masters: "three" }, /masters: got "three"; allowed: a whole number from 3 to 100/],
        ["masters fractional", { masters: "3.5" }, /masters: got "3.5"/],
        ["replicasPerMaster negative", { replicasPerMaster: "-1" }, /replicasPerMaster: got "-1"; allowed: a whole number from 0 to 5/],
        ["basePort privileged", { basePort: "80" }, /basePort: got "80"; allowed: a whole number from 1024 to 65535/],
        ["busPortOffset zero", { busPortOffset: "0" }, /busPortOffset: got "0"/],
        ["busPortOffset overlapping client ports", { busPortOffset: "3" }, /busPortOffset: got 3; allowed: at least 6/],
        ["bus ports past 65535", { basePort: "60000" }, /last bus port .* is at most 65535/],
        [
            "standalonePort inside client ports",
            { standalonePort: "7003" },
            /standalonePort: got 7003; allowed: a port outside the cluster's client ports 7000-7005 and bus ports 17000-17005/,
        ],
        ["standalonePort inside bus ports", { standalonePort: "17001" }, /standalonePort: got 17001/],
        ["networkMode unknown", { networkMode: "overlay" }, /networkMode: got "overlay"; allowed: bridge or host/],
        ["runtime unknown", { runtime: "podman" }, /runtime: got "podman"; allowed: docker or engine or kubernetes/],
        ["clusterCheck not boolean", { clusterCheck: "on" }, /clusterCheck: got "on"; allowed: true or false/],
        ["appendOnly not boolean", { appendOnly: "yes" }, /appendOnly: got "yes"; allowed: true or false/],
        [
            "clusterNodeTimeoutMs too small",
            { clusterNodeTimeoutMs: "100" },
            /clusterNodeTimeoutMs: got "100"; allowed: a whole number from 500 to 600000/,
        ],
        ["image with spaces", { image: "redis 7" }, /image: got "redis 7"; allowed: a Docker image reference/],
        ["image uppercase", { image: "Redis:7" }, /image: got "Redis:7"/],
        ["subnet not CIDR", { subnet: "172.30.0.0" }, /subnet: got "172.30.0.0"; allowed: an IPv4 CIDR/],
        ["subnet prefix too long", { subnet: "172.30.0.0/30" }, /subnet: got "172.30.0.0\/30"/],
        ["subnet bad octet", { subnet: "300.1.0.0/24" }, /subnet: got "300.1.0.0\/24"/],
        [
            "subnet with host bits set",
            { subnet: "172.30.57.5/24" },
            /^subnet: got "172.30.57.5\/24"; allowed: a network address such as 172.30.57.0\/24$/,
        ],
        [
            "subnet with host bits set past the third octet",
            { subnet: "10.1.2.3/16" },
            /subnet: got "10.1.2.3\/16"; allowed: a network address such as 10.1.0.0\/16/,
        ],
        ["retainData not boolean", { retainData: "keep" }, /retainData: got "keep"; allowed: true or false/],
        ["publishAddress not IPv4", { publishAddress: "localhost" }, /publishAddress: got "localhost"; allowed: an IPv4 address/],
    ];
    for (const [what, raw, message] of rejected) {
        it(`rejects ${what}, naming the key, the value and what is allowed`, () => {
            const problems = settingProblems(raw);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], message);
        });
    }

    it("defaults to the engine runtime, which rolls replacements one node at a time", () => {
        assert.equal(parseSettings({}).runtime, "engine");
        assert.equal(parseSettings({}).clusterCheck, false);
    });

    it("turns the cluster check off by default with the engine runtime, which downloads no plugin", () => {
        assert.equal(parseSettings({ runtime: "engine" }).clusterCheck, false);
        assert.equal(parseSettings({ runtime: "docker" }).clusterCheck, true);
    });

    it("reports every problem at once, in one error whose message lists them", () => {
        try {
            parseSettings({ masters: "1", networkMode: "x", runtime: "y" });
            assert.fail("expected a ConfigError");
        } catch (err) {
            assert.ok(err instanceof ConfigError);
            assert.equal(err.problems.length, 3);
            assert.match(err.message, /^invalid redis-stack configuration:\n {2}- masters/);
        }
    });

    it("validates a password without ever repeating it", () => {
        assert.deepEqual(passwordProblems(undefined), []);
        assert.deepEqual(passwordProblems(""), []);
        assert.deepEqual(passwordProblems("longenough-1"), []);
        for (const bad of ["short", "has space in it", 'quote"inside1']) {
            const problems = passwordProblems(bad);
            assert.equal(problems.length, 1, bad);
            assert.match(problems[0], /^password: /);
            assert.ok(!problems[0].includes(bad), "the message must not contain the password");
        }
    });

    it("derives the gateway and the announced address", () => {
        assert.equal(subnetGateway("172.30.57.0/24"), "172.30.57.1");
        assert.equal(subnetGateway("10.99.3.7/16"), "10.99.0.1");
        assert.equal(announceAddress(parseSettings({})), "172.30.57.1");
        assert.equal(announceAddress(parseSettings({ publishAddress: "0.0.0.0" })), "172.30.57.1");
        assert.equal(announceAddress(parseSettings({ publishAddress: "192.0.2.10" })), "192.0.2.10");
        assert.equal(announceAddress(parseSettings({ networkMode: "host" })), "127.0.0.1");
    });

    it("keeps data volumes on destroy only when asked (retainData defaults to false)", () => {
        assert.equal(parseSettings({}).retainData, false);
        assert.equal(parseSettings({ retainData: "true" }).retainData, true);
    });

    it("clears host bits to give a subnet's network address", () => {
        assert.equal(networkAddress("172.30.57.5/24"), "172.30.57.0/24");
        assert.equal(networkAddress("10.1.2.3/16"), "10.1.0.0/16");
        assert.equal(networkAddress("172.30.57.0/24"), "172.30.57.0/24");
        assert.equal(networkAddress("192.168.7.77/28"), "192.168.7.64/28");
    });

    describe("unknown keys", () => {
        it("knows exactly the settings, the password, the supplied TLS certificates the users and defaultUser, in one list", () => {
            assert.deepEqual([...SETTING_KEYS].sort(), Object.keys(DEFAULTS).sort());
            const supplied = ["tlsCaCert", "tlsCert", "tlsKey", "tlsClientCert", "tlsClientKey", "tlsCaKey"];
            assert.deepEqual(
                [...CONFIG_KEYS].sort(),
                [
                    ...Object.keys(DEFAULTS),
                    "password",
                    ...supplied,
                    "users",
                    "defaultUser",
                    "namePrefix",
                    "allowDataReplacement",
                    "ownerId",
                ].sort(),
            );
            assert.deepEqual(unknownKeyProblems(CONFIG_KEYS), []);
        });

        it("refuses a typo, naming the key and the closest known key", () => {
            assert.deepEqual(unknownKeyProblems(["mastrs"]), ["`mastrs`: unknown setting; did you mean `masters`?"]);
            assert.deepEqual(unknownKeyProblems(["replicaspermaster"]), [
                "`replicaspermaster`: unknown setting; did you mean `replicasPerMaster`?",
            ]);
            assert.deepEqual(unknownKeyProblems(["standalonPort"]), ["`standalonPort`: unknown setting; did you mean `standalonePort`?"]);
            assert.deepEqual(unknownKeyProblems(["pasword"]), ["`pasword`: unknown setting; did you mean `password`?"]);
        });

        it("lists the known settings when nothing is close", () => {
            const [problem] = unknownKeyProblems(["sentinel"]);
            assert.equal(problem, `\`sentinel\`: unknown setting; known settings: ${CONFIG_KEYS.join(", ")}`);
            assert.match(
                problem,
                /masters, replicasPerMaster, .*retainData, tls, tlsPlainPort, .*antiAffinity, access, resources, podLabels, .*imagePullSecrets, networkPolicy, allowFrom, externalAccess, externalHost, loadBalancerSourceRanges, loadBalancerAnnotations, redisConfig, .*cliCommand, metrics, metricsPort, metricsImage, metricsServiceMonitor, finalBackup, backupDir, restoreFrom, backupSchedule, backupRetention, backupImage, backupStorageSize, password, tlsCaCert, .*tlsClientKey, tlsCaKey, users, defaultUser, namePrefix, allowDataReplacement, ownerId$/,
            );
        });

        it("reports every unknown key, leaving known ones alone", () => {
            const problems = unknownKeyProblems(["masters", "mastrs", "sentinel", "image"]);
            assert.equal(problems.length, 2);
            assert.match(problems[0], /^`mastrs`/);
            assert.match(problems[1], /^`sentinel`/);
        });

        it("measures edit distance with transpositions, ignoring case", () => {
            assert.equal(editDistance("mastrs", "masters"), 1);
            assert.equal(editDistance("amsters", "masters"), 1);
            assert.equal(editDistance("Masters", "masters"), 0);
            assert.equal(editDistance("", "abc"), 3);
            assert.equal(editDistance("kitten", "sitting"), 3);
        });

        it("suggests only a key within a third of its letters (at least 2 edits)", () => {
            assert.equal(closestKey("imag"), "image");
            assert.equal(closestKey("runtim"), "runtime");
            assert.equal(closestKey("port"), undefined);
            assert.equal(closestKey("sentinel"), undefined);
            assert.equal(closestKey("clusterNodeTimeout"), "clusterNodeTimeoutMs");
        });
    });
});

describe("kubeconfig for the kubernetes runtime", () => {
    const none = () => false;
    it("names the setting's file when redis-stack:kubeconfig is set and missing", () => {
        assert.equal(
            kubeconfigProblem("/nope/kubeconfig", "/env/config", "/home/me", none),
            "no kubeconfig for runtime kubernetes; nothing was created or changed. Tried /nope/kubeconfig (from redis-stack:kubeconfig). Set redis-stack:kubeconfig to a kubeconfig file, or KUBECONFIG.",
        );
    });
    it("names every KUBECONFIG file, else ~/.kube/config, when none exists", () => {
        assert.match(kubeconfigProblem("", "/a:/b", "/home/me", none)!, /Tried \/a, \/b \(from KUBECONFIG\)/);
        assert.match(kubeconfigProblem("", undefined, "/home/me", none)!, /Tried \/home\/me\/.kube\/config \(from the default location\)/);
    });
    it("accepts any one existing file", () => {
        assert.equal(
            kubeconfigProblem("", "/a:/b", "/home/me", (f) => f === "/b"),
            undefined,
        );
        assert.deepEqual(kubeconfigCandidates("/set", "/a", "/h"), { files: ["/set"], source: "redis-stack:kubeconfig" });
    });
});
