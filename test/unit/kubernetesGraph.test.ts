// The resource graph `index.ts` declares with runtime kubernetes, under pulumi.runtime.setMocks (no
// cluster): which objects, the password only through a Secret file, one PodDisruptionBudget per shard,
// anti-affinity keyed on the shard, nodes announcing their Service's ClusterIP, the placement settings in every pod template.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import Module from "module";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { outputValue, plaintextStrings, secretValue, settledExports } from "../support/mockedSecrets";
import { holdsMockedNodeKey, mockedCa, mockedCertificateState, mockedNodeKey, subjectNameOf } from "../support/mockedCertificates";
import { signedBy } from "../../components/tls/validate";
import type { KubernetesPreflightArgs } from "../../components/runtime/kubernetes/preflight";

const PASSWORD = "unit-test-Secret-42";
/** What the mocked UserPassword provider "generates" for a user. */
const userPassword = (user: string) => `generated-${user}-Secret-Value`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const USERS = JSON.stringify({ app: "~app:* +@read +@write", worker: "~jobs:* +@list" });
/** The program refuses to run without a kubeconfig file; under mocks nothing reads it. */
const KUBECONFIG = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-unit-")), "kubeconfig");
fs.writeFileSync(KUBECONFIG, "apiVersion: v1\nkind: Config\n");

const fakeKey = (name: string) => `-----BEGIN PRIVATE KEY-----\nKEY-OF-${name}\n-----END PRIVATE KEY-----\n`;
const fakeCert = (name: string) => `-----BEGIN CERTIFICATE-----\nCERT-OF-${name}\n-----END CERTIFICATE-----\n`;

/** What the TlsCertificates provider issues, in shape (tls.test.ts issues real certificates), with a real CA: the program signs with it. */
async function issuedInShape(nodes: readonly { name: string }[]) {
    const ca = await mockedCa();
    return {
        caCert: ca.cert,
        caKey: ca.key,
        previousCaCert: "",
        nodeCerts: Object.fromEntries(nodes.map((n) => [n.name, fakeCert(n.name)])),
        nodeKeys: Object.fromEntries(nodes.map((n) => [n.name, fakeKey(n.name)])),
        clientCert: fakeCert("client"),
        clientKey: fakeKey("client"),
    };
}

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    state: Record<string, unknown>;
}

const PREFLIGHT_MODULE = require.resolve("../../components/runtime/kubernetes/preflight");
/** What the program asked the cluster preflight (the one part that needs a cluster; a stand-in answers "no problem"). */
const preflightCalls: KubernetesPreflightArgs[] = [];

/** Runs `run` with a stand-in for components/runtime/kubernetes/preflight in the module cache (index.ts requires it when it runs). */
async function withPreflightStandIn<T>(run: () => Promise<T>): Promise<T> {
    const saved = require.cache[PREFLIGHT_MODULE];
    const standIn = new Module(PREFLIGHT_MODULE);
    standIn.filename = PREFLIGHT_MODULE;
    standIn.loaded = true;
    standIn.exports = {
        kubernetesPreflightProblems: async (args: KubernetesPreflightArgs) => {
            preflightCalls.push(args);
            return [];
        },
    };
    require.cache[PREFLIGHT_MODULE] = standIn;
    try {
        return await run();
    } finally {
        if (saved) require.cache[PREFLIGHT_MODULE] = saved;
        else delete require.cache[PREFLIGHT_MODULE];
    }
}

/**
 * The address the mocked cluster's load balancer controller gives a LoadBalancer Service: an IP of its own per node
 * (node-i: 10.213.32.i, the standalone node 10.213.32.9), or a DNS name as AWS gives (`<service>.elb.example.com`).
 */
function loadBalancerIngress(service: string, hostnames: boolean): { ip: string } | { hostname: string } {
    if (hostnames) return { hostname: `${service}.elb.example.com` };
    const node = /^node-(\d+)-external$/.exec(service);
    return { ip: `10.213.32.${node ? node[1] : 9}` };
}

/**
 * Runs index.ts under mocks; each Service gets the next ClusterIP, as the API server would assign one, and a
 * LoadBalancer Service its address (loadBalancerIngress) in its status, as Pulumi's wait for it returns it.
 */
async function declareStack(
    config: Record<string, string>,
    { loadBalancerHostnames = false } = {},
): Promise<{ resources: Registered[]; exports: Record<string, unknown> }> {
    const resources: Registered[] = [];
    let nextIp = 10;
    void pulumi.runtime.setMocks(
        {
            async newResource(args) {
                const state: Record<string, unknown> = { ...args.inputs };
                const metadata = (args.inputs.metadata ?? {}) as Record<string, unknown>;
                if (args.type === "kubernetes:core/v1:Service") {
                    state.spec = { ...(args.inputs.spec as object), clusterIP: `10.213.128.${nextIp++}` };
                    if ((args.inputs.spec as { type?: string }).type === "LoadBalancer")
                        state.status = { loadBalancer: { ingress: [loadBalancerIngress(String(metadata.name), loadBalancerHostnames)] } };
                }
                // What the formation reports of the nodes (nothing: no node answers under mocks).
                if (args.type.endsWith(":ClusterFormation")) state.nodeStates = [];
                if (args.type.endsWith(":UserPassword")) {
                    state.password = userPassword(String(args.inputs.user));
                    state.passwordHash = sha256(userPassword(String(args.inputs.user)));
                }
                if (args.type.endsWith(":TlsCertificates"))
                    Object.assign(state, await issuedInShape(args.inputs.nodes as { name: string }[]));
                Object.assign(state, await mockedCertificateState(args.type, args.inputs));
                if (args.type.startsWith("kubernetes:")) state.metadata = { ...metadata, uid: `${args.name}-uid`, generation: 1 };
                resources.push({ type: args.type, name: args.name, inputs: args.inputs, state });
                return { id: `${args.name}-id`, state };
            },
            call: (args) => args.inputs,
        },
        "redis-stack",
        "unit",
        false,
        "organization",
    );
    pulumi.runtime.setAllConfig(
        { "redis-stack:runtime": "kubernetes", "redis-stack:password": PASSWORD, "redis-stack:kubeconfig": KUBECONFIG, ...config },
        ["redis-stack:password"],
    );
    delete require.cache[require.resolve("../../index")];
    const program = require("../../index") as () => Record<string, unknown>;
    // The stand-in stays until every registration settled: RedisStack asks the cluster before it registers.
    const exports = await withPreflightStandIn(async () => {
        const declared = await settledExports(program());
        // Drains the SDK's queue of registrations, as at the end of a real program.
        await pulumi.runtime.disconnect();
        return declared;
    });
    return { resources, exports };
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("resource graph, kubernetes runtime (setMocks)", function () {
    this.timeout(30000);
    let resources: Registered[];
    let exports: Record<string, unknown>;
    before(async () => {
        ({ resources, exports } = await declareStack({}));
    });
    // The kubeconfig's temporary directory goes with the suite (each run left one in /tmp).
    after(() => fs.rmSync(path.dirname(KUBECONFIG), { recursive: true, force: true }));

    const ofType = (type: string) => resources.filter((r) => r.type === `kubernetes:${type}`);
    const statefulSets = () => ofType("apps/v1:StatefulSet");
    const clusterSets = () => statefulSets().filter((s) => (s.inputs.metadata as Obj).name !== "standalone");
    const podSpec = (set: Registered) => (set.inputs.spec as Obj).template.spec as Obj;
    const serviceIp = (name: string) =>
        (ofType("core/v1:Service").find((s) => (s.inputs.metadata as Obj).name === name)!.state.spec as Obj).clusterIP;

    it("declares one namespace, a provider, and per node a StatefulSet of one pod, a Service and a data claim", () => {
        assert.equal(resources.filter((r) => r.type === "pulumi:providers:kubernetes").length, 1);
        assert.deepEqual(
            ofType("core/v1:Namespace").map((n) => (n.inputs.metadata as Obj).name),
            ["redis-stack-unit"],
        );
        assert.equal(statefulSets().length, 7);
        assert.ok(statefulSets().every((s) => (s.inputs.spec as Obj).replicas === 1));
        assert.deepEqual(
            ofType("core/v1:Service")
                .map((s) => (s.inputs.metadata as Obj).name)
                .sort(),
            ["node-0", "node-1", "node-2", "node-3", "node-4", "node-5", "standalone"],
        );
        assert.equal(ofType("core/v1:PersistentVolumeClaim").length, 7);
        for (const set of statefulSets()) {
            const name = (set.inputs.metadata as Obj).name as string;
            assert.equal((set.inputs.metadata as Obj).namespace, "redis-stack-unit");
            assert.deepEqual(podSpec(set).volumes[0], { name: "data", persistentVolumeClaim: { claimName: `${name}-data` } });
        }
    });

    it("has every node announce its own Service's ClusterIP with its client and bus ports", () => {
        for (const set of clusterSets()) {
            const name = (set.inputs.metadata as Obj).name as string;
            const command = podSpec(set).containers[0].args as string[];
            const index = Number(name.slice("node-".length));
            const flag = (f: string) => command[command.indexOf(f) + 1];
            assert.equal(flag("--cluster-announce-ip"), serviceIp(name));
            assert.equal(flag("--cluster-announce-port"), String(7000 + index));
            assert.equal(flag("--cluster-announce-bus-port"), String(17000 + index));
        }
    });

    it("forms the cluster at the Services' ClusterIPs", () => {
        const formation = resources.find((r) => r.name === "redis-stack-cluster-formation")!;
        const nodes = formation.inputs.nodes as Obj[];
        assert.deepEqual(
            nodes.map((n) => [n.host, n.port, n.announceHost, n.announcePort]),
            [0, 1, 2, 3, 4, 5].map((i) => [serviceIp(`node-${i}`), 7000 + i, serviceIp(`node-${i}`), 7000 + i]),
        );
    });

    it("never puts the password in plaintext in any input; pods read it from the Secret as a file", () => {
        const leaks = resources.filter((r) => plaintextStrings(r.inputs).some((s) => s.includes(PASSWORD)));
        assert.deepEqual(
            leaks.map((r) => `${r.type} ${r.name}`),
            [],
        );
        const secrets = ofType("core/v1:Secret");
        assert.deepEqual(secrets.map((s) => (s.inputs.metadata as Obj).name).sort(), ["cluster-auth", "standalone-auth"]);
        for (const secret of secrets) {
            // The SDK may mark the whole map secret, since one of its values is.
            const data = secret.inputs.stringData as Obj;
            const entries = (secretValue(data) ?? data) as Obj;
            assert.deepEqual(Object.keys(entries).sort(), ["auth.conf"]);
        }
        for (const set of statefulSets()) {
            const spec = podSpec(set);
            const container = spec.containers[0] as Obj;
            assert.equal(container.env, undefined, "no environment variables");
            assert.equal(container.command, undefined, "the image's entrypoint runs");
            assert.equal(container.args[1], "/etc/redis-stack-secret/auth.conf");
            // The whole Secret and the settings ConfigMap as directories (no subPath): the kubelet keeps them
            // up to date, so a container restarted in its pod starts with the users, password and settings as they are now.
            assert.deepEqual(
                (container.volumeMounts as Obj[]).filter((m) => m.name === "auth" || m.name === "settings"),
                [
                    { name: "auth", mountPath: "/etc/redis-stack-secret", readOnly: true },
                    { name: "settings", mountPath: "/etc/redis-stack-settings", readOnly: true },
                ],
            );
            const authVolume = (spec.volumes as Obj[]).find((v) => v.name === "auth")!;
            const expected = (set.inputs.metadata as Obj).name === "standalone" ? "standalone-auth" : "cluster-auth";
            assert.equal(authVolume.secret.secretName, expected);
            const settingsVolume = (spec.volumes as Obj[]).find((v) => v.name === "settings")!;
            assert.equal(settingsVolume.configMap.name, expected.replace("-auth", "-settings"));
        }
    });

    it("keeps the passed-through settings in a ConfigMap per component, outside the pod template", async () => {
        const { resources: declared } = await declareStack({ "redis-stack:redisConfig": '{"maxmemory":"64mb","databases":"32"}' });
        const maps = declared.filter((r) => r.type === "kubernetes:core/v1:ConfigMap");
        assert.deepEqual(
            maps.map((m) => [(m.inputs.metadata as Obj).name, (m.inputs.data as Obj)["settings.conf"]]),
            [
                ["cluster-settings", 'databases "32"\nmaxmemory "64mb"\n'],
                ["standalone-settings", 'databases "32"\nmaxmemory "64mb"\n'],
            ],
        );
        // Same pod templates as without settings: a change that CONFIG SET takes restarts nothing.
        const templates = (rs: Registered[]) =>
            rs.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet").map((r) => JSON.stringify((r.inputs.spec as Obj).template));
        assert.deepEqual(templates(declared), templates(resources));
        const pods = declared.filter((r) => r.type.endsWith("NodePod"));
        assert.ok(pods.every((p) => (p.inputs.redisConfig as Obj).maxmemory === "64mb"));
    });

    it("declares a NodePod per node that replaces its pod (StatefulSets update OnDelete), with the node's lifecycle and its template's digest", () => {
        assert.ok(statefulSets().every((s) => (s.inputs.spec as Obj).updateStrategy.type === "OnDelete"));
        const pods = resources.filter((r) => r.type.endsWith("NodePod"));
        assert.deepEqual(pods.map((p) => p.inputs.statefulSet).sort(), [
            "node-0",
            "node-1",
            "node-2",
            "node-3",
            "node-4",
            "node-5",
            "standalone",
        ]);
        for (const pod of pods) {
            assert.equal(pod.inputs.namespace, "redis-stack-unit");
            assert.match(String(pod.inputs.template), /^[0-9a-f]{16}$/);
            // The pod template names the digest, so the provider knows which template a running pod came from.
            const set = statefulSets().find((s) => (s.inputs.metadata as Obj).name === pod.inputs.statefulSet)!;
            assert.equal((set.inputs.spec as Obj).template.metadata.annotations["redis-stack/template"], pod.inputs.template);
            // The shard label is kept on the running pod itself (a scale step re-points replicas without replacing them).
            assert.deepEqual(
                pod.inputs.inPlaceLabels,
                pod.inputs.statefulSet === "standalone"
                    ? {}
                    : { "redis-stack/shard": (set.inputs.spec as Obj).template.metadata.labels["redis-stack/shard"] },
            );
            assert.equal((pod.inputs.endpoint as Obj).host, serviceIp(String(pod.inputs.statefulSet)));
            const module = (pod.inputs.lifecycle as Obj).module as string;
            assert.equal(
                module,
                pod.inputs.statefulSet === "standalone"
                    ? "redis-stack/components/redis/standaloneNodeLifecycle"
                    : "redis-stack/components/redis/clusterNodeLifecycle",
            );
        }
        // The formation waits for the nodes' pods: its container ids are the pods' uids.
        const formation = resources.find((r) => r.name === "redis-stack-cluster-formation")!;
        assert.equal((formation.inputs.containerIds as unknown[]).length, 6);
    });

    it("gives the cluster nodes' lifecycle no host rule (Services are reached where they announce), as existing stacks record it", () => {
        const clusterPods = resources.filter((r) => r.type.endsWith("NodePod") && r.inputs.statefulSet !== "standalone");
        assert.equal(clusterPods.length, 6);
        for (const pod of clusterPods)
            assert.deepEqual((pod.inputs.lifecycle as Obj).options, { announceHost: "", reachableHost: "127.0.0.1" });
    });

    it("has each replica announce its Service's ClusterIP to its master too (INFO replication matches CLUSTER NODES)", () => {
        for (const set of clusterSets()) {
            const command = podSpec(set).containers[0].args as string[];
            assert.equal(command[command.indexOf("--replica-announce-ip") + 1], serviceIp((set.inputs.metadata as Obj).name as string));
        }
    });

    it("gives every node's container the declared resources; none when unset", async () => {
        assert.ok(statefulSets().every((s) => podSpec(s).containers[0].resources === undefined));
        const { resources: declared } = await declareStack({
            "redis-stack:resources": '{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"256Mi"}}',
            "redis-stack:cpuLimit": "1",
        });
        const sets = declared.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");
        assert.equal(sets.length, 7);
        for (const set of sets) {
            assert.deepEqual(((set.inputs.spec as Obj).template.spec as Obj).containers[0].resources, {
                requests: { cpu: "100m", memory: "128Mi" },
                limits: { memory: "256Mi", cpu: "1000m" },
            });
        }
    });

    it("mounts each node's TLS Secret, optional, with TLS off too: a node turning TLS on finds its files there without a restart", () => {
        for (const set of statefulSets()) {
            const object = (set.inputs.metadata as Obj).name as string;
            const pod = podSpec(set);
            assert.deepEqual(pod.volumes.find((v: Obj) => v.name === "tls").secret, {
                secretName: `${object}-tls`,
                defaultMode: 0o400,
                optional: true,
            });
            assert.ok((pod.containers[0] as Obj).volumeMounts.some((m: Obj) => m.name === "tls" && m.mountPath === "/etc/redis-stack-tls"));
            assert.equal(
                (set.inputs.spec as Obj).template.metadata.annotations["redis-stack/tls-digest"],
                undefined,
                "no TLS digest without TLS",
            );
        }
        assert.equal(
            ofType("core/v1:Secret").filter((r) => String((r.inputs.metadata as Obj).name).endsWith("-tls")).length,
            0,
            "no TLS Secret",
        );
    });

    it("declares one PodDisruptionBudget per shard allowing one member down", () => {
        const budgets = ofType("policy/v1:PodDisruptionBudget");
        assert.deepEqual(
            budgets.map((b) => [
                (b.inputs.metadata as Obj).name,
                (b.inputs.spec as Obj).maxUnavailable,
                (b.inputs.spec as Obj).selector.matchLabels["redis-stack/shard"],
            ]),
            [
                ["cluster-shard-0", 1, "0"],
                ["cluster-shard-1", 1, "1"],
                ["cluster-shard-2", 1, "2"],
            ],
        );
    });

    it("keeps a shard's members apart by soft pod anti-affinity on the shard label (none for the standalone node)", () => {
        for (const set of clusterSets()) {
            const labels = (set.inputs.spec as Obj).template.metadata.labels as Obj;
            const terms = podSpec(set).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution as Obj[];
            assert.equal(terms.length, 1);
            assert.equal(terms[0].podAffinityTerm.topologyKey, "kubernetes.io/hostname");
            assert.equal(terms[0].podAffinityTerm.labelSelector.matchLabels["redis-stack/shard"], labels["redis-stack/shard"]);
            assert.equal(podSpec(set).affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, undefined);
        }
        const standalone = statefulSets().find((s) => (s.inputs.metadata as Obj).name === "standalone")!;
        assert.equal(podSpec(standalone).affinity, undefined);
        // node-3 is the replica of node-0: same shard.
        const shardOf = (name: string) =>
            ((clusterSets().find((s) => (s.inputs.metadata as Obj).name === name)!.inputs.spec as Obj).template.metadata.labels as Obj)[
                "redis-stack/shard"
            ];
        assert.equal(shardOf("node-3"), shardOf("node-0"));
    });

    it("runs redis-server as uid 999 with no capability, no privilege escalation, a read-only root and the default seccomp filter; Secrets 0400 to its group", () => {
        assert.equal(statefulSets().length, 7);
        for (const set of statefulSets()) {
            const pod = podSpec(set);
            assert.deepEqual(pod.securityContext, {
                runAsUser: 999,
                runAsGroup: 999,
                fsGroup: 999,
                fsGroupChangePolicy: "OnRootMismatch",
                seccompProfile: { type: "RuntimeDefault" },
            });
            assert.deepEqual((pod.containers[0] as Obj).securityContext, {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
            });
            for (const volume of ["auth", "settings", "tls"]) {
                const source = pod.volumes.find((v: Obj) => v.name === volume) as Obj;
                assert.equal((source.secret ?? source.configMap).defaultMode, 0o400, volume);
            }
        }
    });

    it("hands each claim to uid 999 first: an init container of the node's image, root with CHOWN and DAC_READ_SEARCH alone, mounting only the data", () => {
        for (const set of statefulSets()) {
            const pod = podSpec(set);
            assert.equal(pod.initContainers.length, 1);
            const owner = pod.initContainers[0] as Obj;
            assert.equal(owner.image, (pod.containers[0] as Obj).image);
            assert.deepEqual(owner.command, ["chown", "-R", "999:999", "/data"]);
            assert.deepEqual(owner.securityContext, {
                runAsUser: 0,
                runAsGroup: 0,
                runAsNonRoot: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"], add: ["CHOWN", "DAC_READ_SEARCH"] },
            });
            assert.deepEqual(owner.volumeMounts, [{ name: "data", mountPath: "/data" }]);
        }
    });

    it("runs the local image without pulling it when present, with probes that PING through cliCommand and the Secret's auth file over the pod's own socket", () => {
        for (const set of statefulSets()) {
            const pod = podSpec(set);
            const container = pod.containers[0] as Obj;
            assert.ok(typeof container.image === "string" && container.image !== "", "an image is set");
            assert.equal(container.imagePullPolicy, "IfNotPresent");
            for (const probe of [container.readinessProbe, container.livenessProbe]) {
                const [shell, flag, script] = probe.exec.command as string[];
                assert.deepEqual([shell, flag], ["sh", "-c"]);
                assert.match(
                    script,
                    /^while read -r k v; .* < \/etc\/redis-stack-secret\/\S+; case "\$\(redis-cli --user redis-stack -s \/run\/redis-stack\/redis\.sock ping 2>&1\)" in PONG\|/,
                );
                assert.ok(!script.includes(PASSWORD), "no password in the probe");
            }
            // The socket: the server's own (mode 700), in an in-memory directory of the pod.
            const args = container.args as string[];
            assert.deepEqual(args.slice(-4), ["--unixsocket", "/run/redis-stack/redis.sock", "--unixsocketperm", "700"]);
            assert.deepEqual(
                (container.volumeMounts as Obj[]).find((m) => m.mountPath === "/run/redis-stack"),
                { name: "probe-socket", mountPath: "/run/redis-stack" },
            );
            assert.deepEqual(
                (pod.volumes as Obj[]).find((v) => v.name === "probe-socket"),
                {
                    name: "probe-socket",
                    emptyDir: { medium: "Memory", sizeLimit: "1Mi" },
                },
            );
        }
    });

    it("exports ClusterIP seeds, the standalone URL, the namespace and the Service names", async () => {
        assert.deepEqual(
            await outputValue(exports.clusterSeeds as pulumi.Output<string[]>),
            [0, 1, 2, 3, 4, 5].map((i) => `${serviceIp(`node-${i}`)}:${7000 + i}`),
        );
        assert.deepEqual(await outputValue(exports.natMap as pulumi.Output<object>), {});
        assert.equal(await outputValue(exports.standaloneUrl as pulumi.Output<string>), `redis://${serviceIp("standalone")}:6379`);
        assert.equal(await outputValue(exports.namespace as pulumi.Output<string>), "redis-stack-unit");
        assert.deepEqual(await outputValue(exports.clusterServices as pulumi.Output<string[]>), [
            "node-0",
            "node-1",
            "node-2",
            "node-3",
            "node-4",
            "node-5",
        ]);
        assert.equal(await outputValue(exports.standaloneService as pulumi.Output<string>), "standalone");
        assert.equal(
            await outputValue(exports.standalonePortForward as pulumi.Output<string>),
            "kubectl -n redis-stack-unit port-forward service/standalone 6379:6379",
        );
        const forwards = await outputValue(exports.clusterPortForward as pulumi.Output<string[]>);
        assert.equal(forwards[0], "kubectl -n redis-stack-unit port-forward service/node-0 7000:7000");
        assert.equal(forwards.length, 6);
    });

    it("asks the cluster preflight first, and marks the namespace as this stack's; a password resource per node for changes in place", () => {
        // Every program run of this file (one per describe) asked it once, with the stack's namespace and prefix.
        assert.ok(preflightCalls.length > 0);
        for (const call of preflightCalls) assert.deepEqual([call.namespace, call.stackPrefix], ["redis-stack-unit", "redis-stack-unit"]);
        const [namespace] = ofType("core/v1:Namespace");
        assert.deepEqual((namespace.inputs.metadata as Obj).annotations, { "redis-stack/stack": "redis-stack-unit" });
        const passwords = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:KubernetesNodePassword");
        assert.equal(passwords.length, 7);
    });

    it("has the formation keep every node in its planned shard, which its pod's shard label, budget and anti-affinity key on", () => {
        const formation = resources.find((r) => r.type.endsWith("ClusterFormation"));
        assert.equal(formation?.inputs.pinShards, true);
    });

    it("refuses to run without a kubeconfig, naming the file it tried, before any resource is declared", async () => {
        const missing = path.join(path.dirname(KUBECONFIG), "missing");
        const registered: string[] = [];
        void pulumi.runtime.setMocks(
            {
                newResource(args) {
                    registered.push(args.name);
                    return { id: args.name, state: args.inputs };
                },
                call: (args) => args.inputs,
            },
            "redis-stack",
            "unit",
            false,
            "organization",
        );
        pulumi.runtime.setAllConfig({ "redis-stack:runtime": "kubernetes", "redis-stack:kubeconfig": missing }, []);
        delete require.cache[require.resolve("../../index")];
        const program = require("../../index") as () => Record<string, unknown>;
        await assert.rejects(settledExports(program()), (err: Error) =>
            err.message.includes(`Tried ${missing} (from redis-stack:kubeconfig)`),
        );
        await pulumi.runtime.disconnect();
        assert.deepEqual(registered, []);
    });

    it("starts the serverCommand set (valkey-server) in every pod, with the auth file first, and probes with the cliCommand set", async () => {
        const { resources: valkey } = await declareStack({
            "redis-stack:serverCommand": "valkey-server",
            "redis-stack:cliCommand": "valkey-cli",
        });
        const sets = valkey.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");
        assert.equal(sets.length, 7);
        for (const set of sets) {
            const container = ((set.inputs.spec as Obj).template.spec as Obj).containers[0] as Obj;
            assert.deepEqual((container.args as string[]).slice(0, 2), ["valkey-server", "/etc/redis-stack-secret/auth.conf"]);
            for (const probe of [container.readinessProbe, container.livenessProbe]) {
                assert.match(probe.exec.command[2] as string, /\$\(valkey-cli --user redis-stack -s \S+ ping 2>&1\)/);
            }
        }
    });

    it("makes the anti-affinity required with antiAffinity required, in the namespace set", async () => {
        const { resources: required } = await declareStack({
            "redis-stack:antiAffinity": "required",
            "redis-stack:namespace": "redis-team",
        });
        const sets = required.filter(
            (r) => r.type === "kubernetes:apps/v1:StatefulSet" && (r.inputs.metadata as Obj).name !== "standalone",
        );
        assert.equal(sets.length, 6);
        for (const set of sets) {
            assert.equal((set.inputs.metadata as Obj).namespace, "redis-team");
            const anti = ((set.inputs.spec as Obj).template.spec as Obj).affinity.podAntiAffinity as Obj;
            assert.equal(anti.requiredDuringSchedulingIgnoredDuringExecution.length, 1);
            assert.equal(anti.preferredDuringSchedulingIgnoredDuringExecution, undefined);
        }
    });
    describe("with placement settings", () => {
        const PLACEMENT = {
            "redis-stack:podLabels": '{"team":"payments","example.com/tier":"cache"}',
            "redis-stack:podAnnotations": '{"prometheus.io/scrape":"true"}',
            "redis-stack:nodeSelector": '{"redis-stack-e2e/placement":"yes"}',
            "redis-stack:tolerations": '[{"key":"redis-stack-e2e/placement","operator":"Equal","value":"yes","effect":"NoSchedule"}]',
            "redis-stack:zoneSpread": "preferred",
            "redis-stack:priorityClassName": "redis-high",
            "redis-stack:imagePullSecrets": '["registry-login"]',
        };
        let placed: Registered[];
        /** What this stack asked the cluster preflight. */
        let asked: KubernetesPreflightArgs[];
        before(async () => {
            const earlier = preflightCalls.length;
            ({ resources: placed } = await declareStack(PLACEMENT));
            asked = preflightCalls.slice(earlier);
        });
        const setsOf = (list: Registered[]) => list.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");
        const nameOf = (r: Registered) => (r.inputs.metadata as Obj).name as string;
        const templateOf = (set: Registered) => (set.inputs.spec as Obj).template as Obj;
        const podOf = (list: Registered[], name: string) => list.find((r) => r.type.endsWith(":NodePod") && r.inputs.statefulSet === name)!;

        it("gives every node's pod the nodeSelector, tolerations, priorityClassName and imagePullSecrets", () => {
            assert.equal(setsOf(placed).length, 7);
            for (const set of setsOf(placed)) {
                const spec = templateOf(set).spec as Obj;
                assert.deepEqual(spec.nodeSelector, { "redis-stack-e2e/placement": "yes" }, nameOf(set));
                assert.deepEqual(spec.tolerations, [
                    { key: "redis-stack-e2e/placement", operator: "Equal", value: "yes", effect: "NoSchedule" },
                ]);
                assert.equal(spec.priorityClassName, "redis-high");
                assert.deepEqual(spec.imagePullSecrets, [{ name: "registry-login" }]);
            }
        });

        it("adds the extra labels and annotations to the pod template, the stack's own labels and the StatefulSet's selector unchanged", () => {
            const before = new Map(statefulSets().map((set) => [nameOf(set), set]));
            for (const set of setsOf(placed)) {
                const metadata = templateOf(set).metadata as Obj;
                const own = templateOf(before.get(nameOf(set))!).metadata.labels as Obj;
                assert.deepEqual(metadata.labels, { team: "payments", "example.com/tier": "cache", ...own }, nameOf(set));
                assert.equal(metadata.annotations["prometheus.io/scrape"], "true");
                assert.deepEqual((set.inputs.spec as Obj).selector, (before.get(nameOf(set))!.inputs.spec as Obj).selector);
                // The StatefulSet's and the claim's own labels stay the stack's: only the pods carry the extra ones.
                assert.equal((set.inputs.metadata as Obj).labels.team, undefined);
            }
            assert.ok(
                placed
                    .filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim")
                    .every((c) => (c.inputs.metadata as Obj).labels.team === undefined),
            );
        });

        it("spreads each shard's members across zones on the shard label (ScheduleAnyway with preferred); none for the standalone node", () => {
            for (const set of setsOf(placed)) {
                const spec = templateOf(set).spec as Obj;
                if (nameOf(set) === "standalone") {
                    assert.equal(spec.topologySpreadConstraints, undefined);
                    continue;
                }
                const labels = templateOf(set).metadata.labels as Obj;
                assert.deepEqual(spec.topologySpreadConstraints, [
                    {
                        maxSkew: 1,
                        topologyKey: "topology.kubernetes.io/zone",
                        whenUnsatisfiable: "ScheduleAnyway",
                        labelSelector: {
                            matchLabels: {
                                "app.kubernetes.io/name": "redis-stack",
                                "app.kubernetes.io/instance": "redis-stack-unit",
                                "redis-stack/shard": labels["redis-stack/shard"],
                            },
                        },
                    },
                ]);
                // The anti-affinity between a shard's members stays as it was.
                assert.ok(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution);
            }
        });

        it("makes the zone spread DoNotSchedule with zoneSpread required", async () => {
            const { resources: required } = await declareStack({ "redis-stack:zoneSpread": "required" });
            const node0 = setsOf(required).find((s) => nameOf(s) === "node-0")!;
            assert.equal((templateOf(node0).spec as Obj).topologySpreadConstraints[0].whenUnsatisfiable, "DoNotSchedule");
        });

        it("leaves the pod template as it was when none is set (an upgraded stack replaces no pod for them)", () => {
            for (const set of statefulSets()) {
                const spec = templateOf(set).spec as Obj;
                for (const key of ["nodeSelector", "tolerations", "topologySpreadConstraints", "priorityClassName", "imagePullSecrets"])
                    assert.equal(spec[key], undefined, `${nameOf(set)}: ${key}`);
                assert.deepEqual(Object.keys(templateOf(set).metadata.annotations as Obj), ["redis-stack/template"]);
            }
        });

        it("gives every NodePod a new template digest, so a change replaces the pods one at a time; the data claims stay as they were", () => {
            for (const set of statefulSets()) {
                const name = nameOf(set);
                assert.notEqual(podOf(placed, name).inputs.template, podOf(resources, name).inputs.template, name);
            }
            const claims = (list: Registered[]) =>
                JSON.stringify(list.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim").map((c) => [c.name, c.inputs]));
            assert.equal(claims(placed), claims(resources));
        });

        it("changes the digest for each setting alone", async () => {
            const base = podOf(resources, "node-0").inputs.template;
            for (const [key, value] of Object.entries(PLACEMENT)) {
                const { resources: one } = await declareStack({ [key]: value });
                assert.notEqual(podOf(one, "node-0").inputs.template, base, key);
            }
        });

        it("asks the cluster preflight about the PriorityClass", () => {
            assert.ok(asked.length > 0);
            assert.ok(asked.every((call) => call.priorityClassName === "redis-high"));
        });
    });

    describe("NetworkPolicy", () => {
        const policies = (list: Registered[]) => list.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const STACK = { "app.kubernetes.io/name": "redis-stack", "app.kubernetes.io/instance": "redis-stack-unit" };
        const podPortNames = () => new Set(statefulSets().flatMap((s) => (podSpec(s).containers[0].ports as Obj[]).map((p) => p.name)));

        it("declares one by default for every pod of the stack: the bus ports from the stack's pods only, the client ports from its namespace", () => {
            const [policy, ...others] = policies(resources);
            assert.equal(others.length, 0);
            assert.equal((policy.inputs.metadata as Obj).namespace, "redis-stack-unit");
            const spec = policy.inputs.spec as Obj;
            assert.deepEqual(spec.podSelector, { matchLabels: STACK });
            assert.deepEqual(spec.policyTypes, ["Ingress"]);
            const [bus, client, ...more] = spec.ingress as Obj[];
            assert.equal(more.length, 0);
            assert.deepEqual(bus, { from: [{ podSelector: { matchLabels: STACK } }], ports: [{ protocol: "TCP", port: "bus" }] });
            assert.deepEqual(client.from, [{ podSelector: {} }]);
            assert.deepEqual(
                client.ports.map((p: Obj) => p.port),
                ["client", "plain"],
            );
            // The names it opens are the containers' own: every node's client and bus port is covered.
            assert.deepEqual([...podPortNames()].sort(), ["bus", "client"]);
            assert.ok(
                statefulSets().every((s) =>
                    Object.entries(STACK).every(([k, v]) => (s.inputs.spec as Obj).template.metadata.labels[k] === v),
                ),
            );
        });

        it("admits the allowFrom peers to the client ports only, as NetworkPolicy peers", async () => {
            const { resources: allowed } = await declareStack({
                "redis-stack:allowFrom": JSON.stringify([
                    { namespaceSelector: { team: "payments" }, podSelector: { app: "api" } },
                    { namespaceSelector: {} },
                    { cidr: "10.20.0.0/16" },
                ]),
            });
            const [bus, client] = (policies(allowed)[0].inputs.spec as Obj).ingress as Obj[];
            assert.deepEqual(bus.from, [{ podSelector: { matchLabels: STACK } }]);
            assert.deepEqual(client.from, [
                { podSelector: {} },
                { namespaceSelector: { matchLabels: { team: "payments" } }, podSelector: { matchLabels: { app: "api" } } },
                { namespaceSelector: { matchLabels: {} } },
                { ipBlock: { cidr: "10.20.0.0/16" } },
            ]);
        });

        it("declares none with networkPolicy false, and leaves the pod templates as they were either way", async () => {
            const { resources: open } = await declareStack({ "redis-stack:networkPolicy": "false" });
            assert.equal(policies(open).length, 0);
            const templates = (list: Registered[]) =>
                JSON.stringify(list.filter((r) => r.type.endsWith(":NodePod")).map((p) => [p.name, p.inputs.template]));
            assert.equal(templates(open), templates(resources));
        });
    });

    describe("externalAccess nodePort", () => {
        let external: Registered[];
        let externalExports: Record<string, unknown>;
        before(async () => {
            ({ resources: external, exports: externalExports } = await declareStack({
                "redis-stack:externalAccess": "nodePort",
                "redis-stack:externalHost": "10.213.0.1",
            }));
        });
        const services = (list: Registered[]) => list.filter((r) => r.type === "kubernetes:core/v1:Service");
        const sets = () => external.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");

        it("gives every node a NodePort Service at its client port (31000 + i, the standalone node 31379), selecting its pod", () => {
            const nodePorts = services(external).filter((r) => (r.inputs.spec as Obj).type === "NodePort");
            assert.deepEqual(
                nodePorts
                    .map((r) => [
                        (r.inputs.metadata as Obj).name,
                        (r.inputs.spec as Obj).ports.map((p: Obj) => [p.port, p.targetPort, p.nodePort]),
                    ])
                    .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
                [
                    ...[0, 1, 2, 3, 4, 5].map((i) => [`node-${i}-external`, [[31000 + i, 31000 + i, 31000 + i]]]),
                    ["standalone-external", [[31379, 31379, 31379]]],
                ],
            );
            for (const service of nodePorts) {
                const node = String((service.inputs.metadata as Obj).name).replace(/-external$/, "");
                assert.equal((service.inputs.spec as Obj).selector["redis-stack/node"], node);
            }
            assert.equal(services(resources).filter((r) => (r.inputs.spec as Obj).type === "NodePort").length, 0, "none without it");
        });

        it("has the cluster nodes announce the external host for clients (hostname endpoints), the ClusterIP for the bus", () => {
            for (const set of sets()) {
                const args = ((set.inputs.spec as Obj).template.spec as Obj).containers[0].args as string[];
                const named = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
                if ((set.inputs.metadata as Obj).name === "standalone") {
                    assert.equal(named("--cluster-announce-hostname"), undefined);
                    continue;
                }
                assert.equal(named("--cluster-announce-hostname"), "10.213.0.1");
                assert.equal(named("--cluster-preferred-endpoint-type"), "hostname");
                assert.match(named("--cluster-announce-ip")!, /^10\.213\.128\.\d+$/);
            }
        });

        it("opens the client port, and only it, to every source in the NetworkPolicy", () => {
            const policy = external.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")!;
            const [bus, , open, ...more] = (policy.inputs.spec as Obj).ingress as Obj[];
            assert.equal(more.length, 0);
            assert.equal(bus.ports[0].port, "bus");
            assert.deepEqual(open, { ports: [{ protocol: "TCP", port: "client" }] });
        });

        it("exports the external seeds and the standalone node's external URL", async () => {
            assert.deepEqual(
                await outputValue(externalExports.clusterExternalSeeds as pulumi.Output<string[]>),
                [0, 1, 2, 3, 4, 5].map((i) => `10.213.0.1:${31000 + i}`),
            );
            assert.equal(await outputValue(externalExports.standaloneExternalUrl as pulumi.Output<string>), "redis://10.213.0.1:31379");
            assert.equal(exports.clusterExternalSeeds, undefined, "none without it");
        });

        it("names the external host in every node's certificate with TLS", async () => {
            const { resources: tls } = await declareStack({
                "redis-stack:externalAccess": "nodePort",
                "redis-stack:externalHost": "redis.example.com",
                "redis-stack:tls": "true",
            });
            const certificates = tls.filter((r) => r.type.endsWith(":NodeCertificate"));
            assert.equal(certificates.length, 7);
            for (const cert of certificates) assert.ok((cert.inputs.subject as Obj).dnsNames.includes("redis.example.com"), cert.name);
        });
    });

    describe("scheduled backups", () => {
        let scheduled: Registered[];
        let scheduledExports: Record<string, unknown>;
        before(async () => {
            ({ resources: scheduled, exports: scheduledExports } = await declareStack({
                "redis-stack:backupSchedule": "@daily",
                "redis-stack:backupRetention": "5",
                "redis-stack:backupImage": "registry.local/redis-stack-backup:1",
                "redis-stack:backupStorageSize": "5Gi",
                "redis-stack:nodeSelector": JSON.stringify({ pool: "redis" }),
            }));
        });
        const one = (type: string) => {
            const [found, ...others] = scheduled.filter(
                (r) => r.type === type && (r.inputs.metadata as Obj)?.labels?.["app.kubernetes.io/component"] === "backup",
            );
            assert.equal(others.length, 0, type);
            return found;
        };

        it("declares none without backupSchedule", () => {
            assert.equal(resources.filter((r) => r.type === "kubernetes:batch/v1:CronJob").length, 0);
            assert.equal(exports.backupLocation, undefined);
        });

        it("declares a CronJob in UTC, one job at a time, whose pod runs the runner once as the nodes' user, locked down as they are, onto its claim", () => {
            const cronJob = one("kubernetes:batch/v1:CronJob");
            const spec = cronJob.inputs.spec as Obj;
            assert.deepEqual([spec.schedule, spec.timeZone, spec.concurrencyPolicy], ["@daily", "Etc/UTC", "Forbid"]);
            const pod = spec.jobTemplate.spec.template.spec as Obj;
            assert.equal(pod.restartPolicy, "Never");
            assert.equal(pod.automountServiceAccountToken, false);
            assert.deepEqual(pod.securityContext.runAsUser, 999);
            assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" });
            assert.deepEqual(pod.nodeSelector, { pool: "redis" });
            const [runner] = pod.containers as Obj[];
            assert.deepEqual([runner.image, runner.args], ["registry.local/redis-stack-backup:1", ["once"]]);
            assert.deepEqual(runner.securityContext, {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
            });
            assert.deepEqual(runner.volumeMounts, [
                { name: "backups", mountPath: "/backups" },
                { name: "job", mountPath: "/etc/redis-stack-backup", readOnly: true },
            ]);
            // The claim is handed to that user by the nodes' image first.
            const [owner] = pod.initContainers as Obj[];
            assert.deepEqual(owner.command, ["chown", "-R", "999:999", "/data"]);
            assert.deepEqual(owner.volumeMounts, [{ name: "backups", mountPath: "/data" }]);
            assert.deepEqual(pod.volumes, [
                { name: "backups", persistentVolumeClaim: { claimName: "backups" } },
                { name: "job", secret: { secretName: "backup-job", defaultMode: 0o400 } },
            ]);
            const claim = one("kubernetes:core/v1:PersistentVolumeClaim");
            assert.deepEqual((claim.inputs.spec as Obj).resources, { requests: { storage: "5Gi" } });
        });

        it("hands the runner its job in a Secret: the nodes at their ClusterIPs, its own user's password, retention", async () => {
            const secret = one("kubernetes:core/v1:Secret");
            const text = (secretValue(secret.inputs.stringData) as Obj | undefined)?.["job.json"] as string;
            assert.ok(text, "the job file is a secret");
            const job = JSON.parse(text) as Obj;
            assert.equal(job.retention, 5);
            assert.equal(job.target.username, "redis-stack-backup");
            assert.equal(job.target.password, userPassword("redis-stack-backup"));
            assert.match(job.target.clusterNodes[0].host, /^10\.213\.128\.\d+$/);
            assert.equal(job.target.clusterNodes[0].announced, `${job.target.clusterNodes[0].host}:7000`);
            assert.equal(job.target.standalone.name, "redis-stack-unit-standalone");
            assert.equal(
                await outputValue(scheduledExports.backupLocation as pulumi.Output<string>),
                "persistentvolumeclaim/backups in namespace redis-stack-unit",
            );
        });
    });

    describe("externalAccess loadBalancer", () => {
        let balanced: Registered[];
        let balancedExports: Record<string, unknown>;
        before(async () => {
            ({ resources: balanced, exports: balancedExports } = await declareStack({
                "redis-stack:externalAccess": "loadBalancer",
                "redis-stack:loadBalancerSourceRanges": '["203.0.113.0/24"]',
                "redis-stack:loadBalancerAnnotations": '{"service.beta.kubernetes.io/aws-load-balancer-internal":"true"}',
            }));
        });
        const external = () =>
            balanced.filter((r) => r.type === "kubernetes:core/v1:Service" && /-external$/.test((r.inputs.metadata as Obj).name));
        const args = (set: Registered) => (((set.inputs.spec as Obj).template.spec as Obj).containers[0].args as string[]) ?? [];
        const named = (list: string[], flag: string) => (list.includes(flag) ? list[list.indexOf(flag) + 1] : undefined);

        it("gives every node a LoadBalancer Service at its client port (7000 + i, the standalone node 6379; no NodePort chosen), selecting its pod, with the source ranges and annotations", () => {
            assert.deepEqual(
                external()
                    .map((r) => [(r.inputs.metadata as Obj).name, (r.inputs.spec as Obj).type, (r.inputs.spec as Obj).ports])
                    .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
                [
                    ...[0, 1, 2, 3, 4, 5].map((i) => [
                        `node-${i}-external`,
                        "LoadBalancer",
                        [{ name: "client", port: 7000 + i, targetPort: 7000 + i, protocol: "TCP" }],
                    ]),
                    ["standalone-external", "LoadBalancer", [{ name: "client", port: 6379, targetPort: 6379, protocol: "TCP" }]],
                ],
            );
            for (const service of external()) {
                const metadata = service.inputs.metadata as Obj;
                assert.equal((service.inputs.spec as Obj).selector["redis-stack/node"], metadata.name.replace(/-external$/, ""));
                assert.deepEqual((service.inputs.spec as Obj).loadBalancerSourceRanges, ["203.0.113.0/24"]);
                // Pulumi waits for its address (no skipAwait): the node announces it.
                assert.deepEqual(metadata.annotations, { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" });
            }
        });

        it("has every cluster node announce its own load balancer's address to clients (hostname endpoints), the ClusterIP for the bus", () => {
            const sets = balanced.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");
            assert.equal(sets.length, 7);
            for (const set of sets) {
                const name = (set.inputs.metadata as Obj).name as string;
                if (name === "standalone") {
                    assert.equal(named(args(set), "--cluster-announce-hostname"), undefined);
                    continue;
                }
                assert.equal(named(args(set), "--cluster-announce-hostname"), `10.213.32.${name.slice("node-".length)}`);
                assert.equal(named(args(set), "--cluster-preferred-endpoint-type"), "hostname");
                assert.match(named(args(set), "--cluster-announce-ip")!, /^10\.213\.128\.\d+$/);
            }
        });

        it("opens the client port, and only it, to every source in the NetworkPolicy", () => {
            const policy = balanced.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")!;
            const [, , open, ...more] = (policy.inputs.spec as Obj).ingress as Obj[];
            assert.equal(more.length, 0);
            assert.deepEqual(open, { ports: [{ protocol: "TCP", port: "client" }] });
        });

        it("exports each node's load balancer address at its client port as the external seeds, and the standalone node's", async () => {
            assert.deepEqual(
                await outputValue(balancedExports.clusterExternalSeeds as pulumi.Output<string[]>),
                [0, 1, 2, 3, 4, 5].map((i) => `10.213.32.${i}:${7000 + i}`),
            );
            assert.equal(await outputValue(balancedExports.standaloneExternalUrl as pulumi.Output<string>), "redis://10.213.32.9:6379");
        });

        it("with load balancers that have DNS names (as AWS gives): announces and exports those, and names them in every node's certificate with TLS", async () => {
            const { resources: withNames, exports: namedExports } = await declareStack(
                { "redis-stack:externalAccess": "loadBalancer", "redis-stack:tls": "true" },
                { loadBalancerHostnames: true },
            );
            const node2 = withNames.find(
                (r) => r.type === "kubernetes:apps/v1:StatefulSet" && (r.inputs.metadata as Obj).name === "node-2",
            )!;
            assert.equal(named(args(node2), "--cluster-announce-hostname"), "node-2-external.elb.example.com");
            assert.deepEqual((await outputValue(namedExports.clusterExternalSeeds as pulumi.Output<string[]>)).slice(0, 2), [
                "node-0-external.elb.example.com:7000",
                "node-1-external.elb.example.com:7001",
            ]);
            assert.equal(
                await outputValue(namedExports.standaloneExternalUrl as pulumi.Output<string>),
                "rediss://standalone-external.elb.example.com:6379",
            );
            const certificates = withNames.filter((r) => r.type.endsWith(":NodeCertificate"));
            assert.equal(certificates.length, 7);
            for (const cert of certificates) {
                const subject = cert.inputs.subject as Obj;
                const node = String(subject.name).replace(/^.*-(node-\d+|standalone)$/, "$1");
                assert.ok(subject.dnsNames.includes(`${node}-external.elb.example.com`), `${cert.name}: ${subject.dnsNames}`);
            }
        });

        it("names each node's own load balancer IP in its certificate with TLS", async () => {
            const { resources: tls } = await declareStack({ "redis-stack:externalAccess": "loadBalancer", "redis-stack:tls": "true" });
            const certificates = tls.filter((r) => r.type.endsWith(":NodeCertificate"));
            assert.equal(certificates.length, 7);
            for (const cert of certificates) {
                const subject = cert.inputs.subject as Obj;
                const node = /-node-(\d+)$/.exec(String(subject.name));
                assert.ok(subject.ips.includes(`10.213.32.${node ? node[1] : 9}`), `${cert.name}: ${subject.ips}`);
            }
        });
    });

    describe("metrics", () => {
        let withMetrics: Registered[];
        let metricsExports: Record<string, unknown>;
        before(async () => {
            ({ resources: withMetrics, exports: metricsExports } = await declareStack({
                "redis-stack:metrics": "true",
                "redis-stack:metricsImage": "registry.local/redis-exporter:1",
            }));
        });
        const sets = () => withMetrics.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");
        const sidecarOf = (set: Registered) => (podSpec(set).containers as Obj[]).find((c) => c.name === "metrics");

        it("gives every node's pod an exporter sidecar on the pod's socket as redis-stack-metrics, its port at 9121 (standalone) and 9122 + i", () => {
            assert.equal(sets().length, 7);
            for (const set of sets()) {
                const name = (set.inputs.metadata as Obj).name as string;
                const port = name === "standalone" ? 9121 : 9122 + Number(name.replace("node-", ""));
                const sidecar = sidecarOf(set)!;
                assert.equal(sidecar.image, "registry.local/redis-exporter:1");
                assert.deepEqual(sidecar.args, [
                    "-redis.addr=unix:///run/redis-stack/redis.sock",
                    "-redis.user=redis-stack-metrics",
                    "-redis.password-file=/etc/redis-stack-metrics/passwords.json",
                    `-web.listen-address=:${port}`,
                    "-config-command=-",
                    "-redis-only-metrics",
                ]);
                assert.deepEqual(sidecar.ports, [{ name: "metrics", containerPort: port, protocol: "TCP" }]);
                assert.deepEqual(sidecar.securityContext, {
                    runAsNonRoot: true,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                });
                assert.equal(sidecar.env, undefined);
                const annotations = (set.inputs.spec as Obj).template.metadata.annotations as Obj;
                assert.deepEqual(
                    [annotations["prometheus.io/scrape"], annotations["prometheus.io/port"], annotations["prometheus.io/path"]],
                    ["true", String(port), "/metrics"],
                );
                const volumes = podSpec(set).volumes as Obj[];
                const component = name === "standalone" ? "standalone" : "cluster";
                assert.deepEqual(
                    volumes.find((v) => v.name === "metrics"),
                    { name: "metrics", secret: { secretName: `${component}-metrics`, defaultMode: 0o400 } },
                );
                const service = withMetrics.find(
                    (r) => r.type === "kubernetes:core/v1:Service" && (r.inputs.metadata as Obj).name === name,
                )!;
                assert.ok(((service.inputs.spec as Obj).ports as Obj[]).some((p) => p.name === "metrics" && p.port === port));
            }
            assert.ok(
                statefulSets().every((set) => sidecarOf(set) === undefined),
                "none without metrics",
            );
        });

        const secretFile = (name: string, key: string) => {
            const secret = withMetrics.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs.metadata as Obj).name === name)!;
            const raw = secret.inputs.stringData as Obj;
            const data = (secretValue(raw) ?? raw) as Obj;
            return {
                secret: secretValue(data[key]) !== undefined || secretValue(raw) !== undefined,
                text: String(secretValue(data[key]) ?? data[key]),
            };
        };

        it("keeps the exporter's password in each component's Secret only, keyed by the socket address, as a secret", () => {
            for (const name of ["cluster-metrics", "standalone-metrics"]) {
                const file = secretFile(name, "passwords.json");
                assert.ok(file.secret, `${name}: the password file is a secret`);
                assert.deepEqual(JSON.parse(file.text), {
                    "unix://redis-stack-metrics@/run/redis-stack/redis.sock": userPassword("redis-stack-metrics"),
                });
            }
            const plain = plaintextStrings(withMetrics.map((r) => r.inputs));
            assert.ok(!plain.some((text) => text.includes(userPassword("redis-stack-metrics"))), "the password in plaintext in an input");
        });

        it("gives the exporter's user to every node's auth Secret and keeps it out of the redisUsers output", () => {
            for (const name of ["cluster-auth", "standalone-auth"]) {
                const auth = secretFile(name, "auth.conf").text;
                assert.ok(
                    auth.includes(
                        `\nuser redis-stack-metrics reset on #${sha256(userPassword("redis-stack-metrics"))} resetkeys resetchannels -@all +client|setname +ping +info `,
                    ),
                    `${name}: ${auth}`,
                );
            }
            assert.equal(metricsExports.redisUsers, undefined);
        });

        it("exports metricsTargets: each node's Service in the namespace at its metrics port, the standalone node last", async () => {
            assert.deepEqual(await outputValue(metricsExports.metricsTargets as pulumi.Output<string[]>), [
                ...[0, 1, 2, 3, 4, 5].map((i) => `node-${i}.redis-stack-unit.svc:${9122 + i}`),
                "standalone.redis-stack-unit.svc:9121",
            ]);
        });

        it("declares a ServiceMonitor only with metricsServiceMonitor: the stack's Services at their metrics port, in its namespace", async () => {
            const monitors = (list: Registered[]) => list.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
            assert.equal(monitors(withMetrics).length, 0);
            const { resources: monitored } = await declareStack({
                "redis-stack:metrics": "true",
                "redis-stack:metricsServiceMonitor": "true",
            });
            const [monitor, ...others] = monitors(monitored);
            assert.equal(others.length, 0);
            assert.equal((monitor.inputs.metadata as Obj).namespace, "redis-stack-unit");
            assert.deepEqual(monitor.inputs.spec, {
                selector: { matchLabels: { "app.kubernetes.io/name": "redis-stack", "app.kubernetes.io/instance": "redis-stack-unit" } },
                namespaceSelector: { matchNames: ["redis-stack-unit"] },
                endpoints: [{ port: "metrics", path: "/metrics" }],
            });
            // Every node's Service carries those labels and the port.
            for (const service of monitored.filter((r) => r.type === "kubernetes:core/v1:Service")) {
                assert.equal((service.inputs.metadata as Obj).labels["app.kubernetes.io/instance"], "redis-stack-unit");
                assert.ok(((service.inputs.spec as Obj).ports as Obj[]).some((p) => p.name === "metrics"));
            }
            // The preflight was asked about the resource.
            assert.equal(preflightCalls.at(-1)?.metricsServiceMonitor, true);
        });

        it("opens the metrics port where the client ports are open, in the NetworkPolicy", () => {
            const policy = withMetrics.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")!;
            const [bus, client] = (policy.inputs.spec as Obj).ingress as Obj[];
            assert.deepEqual(
                client.ports.map((p: Obj) => p.port),
                ["client", "plain", "metrics"],
            );
            assert.deepEqual(
                bus.ports.map((p: Obj) => p.port),
                ["bus"],
            );
        });
    });

    describe("with ACL users", () => {
        let withUsers: Registered[];
        before(async () => {
            ({ resources: withUsers } = await declareStack({ "redis-stack:users": USERS }));
        });
        const secretData = (name: string) => {
            const secret = withUsers.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs.metadata as Obj).name === name)!;
            const data = secret.inputs.stringData as Obj;
            return (secretValue(data) ?? data) as Obj;
        };

        it("puts the users into each component's auth Secret with their passwords' hashes only, as a secret", () => {
            for (const name of ["cluster-auth", "standalone-auth"]) {
                const auth = secretValue(secretData(name)["auth.conf"]) ?? secretData(name)["auth.conf"];
                assert.equal(typeof auth, "string");
                const content = String(auth);
                // The settings file the auth file includes, where the pod has it (redis-server refuses to start without it).
                assert.ok(
                    content.startsWith("include /etc/redis-stack-settings/settings.conf\nrequirepass "),
                    `${name}: ${content.slice(0, 60)}`,
                );
                assert.ok(content.includes(`requirepass ${PASSWORD}\n`), name);
                assert.ok(content.includes(`user app reset on #${sha256(userPassword("app"))} ~app:* +@read +@write\n`), name);
                assert.ok(content.includes(`user worker reset on #${sha256(userPassword("worker"))} ~jobs:* +@list\n`), name);
                assert.ok(!content.includes(userPassword("app")) && !content.includes(userPassword("worker")), name);
            }
        });

        it("keeps the pod template free of users: the same Secret name and no user setting, so a change of users restarts no pod", () => {
            const template = (set: Registered) => JSON.stringify((set.inputs.spec as Obj).template);
            const byName = (list: Registered[]) =>
                Object.fromEntries(
                    list
                        .filter((r) => r.type === "kubernetes:apps/v1:StatefulSet")
                        .map((r) => [(r.inputs.metadata as Obj).name, template(r)]),
                );
            assert.deepEqual(byName(withUsers), byName(resources));
        });

        it("updates a changed Secret in place (enableSecretMutable): a replacement would replace every StatefulSet mounting it", () => {
            const provider = withUsers.find((r) => r.type === "pulumi:providers:kubernetes")!;
            assert.ok([true, "true"].includes(provider.inputs.enableSecretMutable as boolean | string));
        });

        it("declares per node a KubernetesNodeUsers at its Service with the rules in plain and the hashes as a secret", () => {
            const nodeUsers = withUsers.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:KubernetesNodeUsers");
            assert.equal(nodeUsers.length, 7);
            for (const r of nodeUsers) {
                assert.deepEqual(r.inputs.users, [
                    { name: "app", rules: ["~app:*", "+@read", "+@write"] },
                    { name: "worker", rules: ["~jobs:*", "+@list"] },
                ]);
                assert.deepEqual(secretValue(r.inputs.userPasswordHashes), {
                    app: sha256(userPassword("app")),
                    worker: sha256(userPassword("worker")),
                });
                const node = r.inputs.node as Obj;
                const service = r.name === "redis-stack-standalone-node-users" ? "standalone" : `node-${r.name.split("-")[4]}`;
                assert.deepEqual([node.host, node.port > 0], [serviceIp(service), true]);
                assert.ok(String((r.inputs.lifecycle as Obj).module).startsWith("redis-stack/components/redis/"));
            }
        });

        it("declares per component a KubernetesUserRules at its first node's Service, with the rules and no password hashes", () => {
            const rules = withUsers.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:KubernetesUserRules");
            assert.deepEqual(rules.map((r) => r.name).sort(), ["redis-stack-cluster-user-rules", "redis-stack-standalone-user-rules"]);
            for (const r of rules) {
                assert.deepEqual(
                    (r.inputs.users as Obj[]).map((u) => u.name),
                    ["app", "worker"],
                );
                assert.equal(r.inputs.userPasswordHashes, undefined);
                const node = r.inputs.node as Obj;
                assert.equal(node.host, serviceIp(r.name.includes("standalone") ? "standalone" : "node-0"));
            }
        });

        it("never passes a user password or hash in plaintext in any resource input", () => {
            const secrets = ["app", "worker"].flatMap((u) => [userPassword(u), sha256(userPassword(u))]);
            const leaks = withUsers.filter((r) => plaintextStrings(r.inputs).some((s) => secrets.some((secret) => s.includes(secret))));
            assert.deepEqual(
                leaks.map((r) => `${r.type} ${r.name}`),
                [],
            );
        });
    });

    describe("with TLS", () => {
        let withTls: Registered[];
        let tlsExports: Record<string, unknown>;
        before(async () => {
            ({ resources: withTls, exports: tlsExports } = await declareStack({ "redis-stack:tls": "true" }));
        });
        const tlsOfType = (type: string) => withTls.filter((r) => r.type === type);
        const tlsServiceIp = (name: string) =>
            (tlsOfType("kubernetes:core/v1:Service").find((s) => (s.inputs.metadata as Obj).name === name)!.state.spec as Obj).clusterIP;
        const serviceOf = (nodeName: string) => (nodeName.endsWith("-standalone") ? "standalone" : `node-${nodeName.split("-").pop()}`);

        it("issues one CA (no node certificates of its own) and per node a certificate naming its Service's ClusterIP, DNS names and loopback", async () => {
            const [stackCerts] = tlsOfType("pulumi-nodejs:dynamic/redis-stack:TlsCertificates");
            assert.deepEqual(stackCerts.inputs.nodes, []);
            const nodeCerts = tlsOfType("pulumi-nodejs:dynamic/redis-stack:NodeCertificate");
            assert.equal(nodeCerts.length, 7);
            for (const r of nodeCerts) {
                const subject = r.inputs.subject as Obj;
                const service = serviceOf(subject.name);
                assert.deepEqual(subject.ips, [tlsServiceIp(service), "127.0.0.1"]);
                assert.deepEqual(subject.dnsNames, [
                    service,
                    `${service}.redis-stack-unit`,
                    `${service}.redis-stack-unit.svc`,
                    `${service}.redis-stack-unit.svc.cluster.local`,
                    "localhost",
                ]);
                assert.ok(!("ca" in r.inputs), "no CA, no CA key: the program signs");
            }
            const ca = await mockedCa();
            for (const r of tlsOfType("pulumi-nodejs:dynamic/redis-stack:ServedCertificate")) {
                assert.ok(signedBy(String(r.inputs.candidate), ca.cert), `${r.name}: signed by the stack's CA in the program`);
                assert.equal(r.inputs.caCert, ca.cert);
            }
        });

        it("puts each node's own CA, certificate and key in a Secret of its own, mounted where the command and probes read them", async () => {
            const secrets = tlsOfType("kubernetes:core/v1:Secret").filter((r) => String((r.inputs.metadata as Obj).name).endsWith("-tls"));
            assert.equal(secrets.length, 7);
            for (const set of tlsOfType("kubernetes:apps/v1:StatefulSet")) {
                const object = (set.inputs.metadata as Obj).name as string;
                const secret = secrets.find((r) => (r.inputs.metadata as Obj).name === `${object}-tls`)!;
                const files = secretValue(secret.inputs.stringData) as Obj;
                const nodeName = subjectNameOf(String(files["node.crt"]));
                assert.equal(serviceOf(nodeName), object, `${object} gets its own certificate`);
                assert.deepEqual(Object.keys(files).sort(), ["ca.crt", "node.crt", "node.key"]);
                assert.equal(files["ca.crt"], (await mockedCa()).cert);
                assert.equal(files["node.key"], mockedNodeKey(nodeName));
                assert.ok(signedBy(String(files["node.crt"]), (await mockedCa()).cert));
                const pod = (set.inputs.spec as Obj).template.spec as Obj;
                const container = pod.containers[0] as Obj;
                assert.deepEqual(
                    container.volumeMounts.find((m: Obj) => m.name === "tls"),
                    { name: "tls", mountPath: "/etc/redis-stack-tls", readOnly: true },
                );
                assert.equal(pod.volumes.find((v: Obj) => v.name === "tls").secret.secretName, `${object}-tls`);
                const args = container.args as string[];
                const value = (flag: string) => args[args.indexOf(flag) + 1];
                assert.equal(value("--port"), "0", "no plain-text port");
                assert.equal(value("--tls-cert-file"), "/etc/redis-stack-tls/node.crt");
                if (object !== "standalone") {
                    assert.equal(value("--tls-cluster"), "yes");
                    assert.equal(value("--cluster-announce-tls-port"), value("--tls-port"));
                    assert.ok(!args.includes("--cluster-announce-port"), "no plain port announced");
                }
                // The probes use the pod's socket: no TLS to speak there, and none to change when it is switched.
                for (const probe of [container.readinessProbe, container.livenessProbe])
                    assert.ok(!(probe.exec.command[2] as string).includes("--tls"), "the probe speaks plain text on the pod's socket");
                assert.match((set.inputs.spec as Obj).template.metadata.annotations["redis-stack/tls-digest"], /^[0-9a-f]{16}$/);
            }
        });

        it("never passes a private key in plaintext in any resource input (the pod template carries only a digest)", () => {
            const leaks = withTls.filter((r) => plaintextStrings(r.inputs).some((s) => s.includes("KEY-OF-") || holdsMockedNodeKey(s)));
            assert.deepEqual(
                leaks.map((r) => `${r.type} ${r.name}`),
                [],
            );
        });

        it("gives the NodePod and NodePassword resources the node's own files and the formation the client's, as secrets", () => {
            for (const type of ["NodePod", "KubernetesNodePassword"]) {
                const list = tlsOfType(`pulumi-nodejs:dynamic/redis-stack:${type}`);
                assert.equal(list.length, 7, type);
                for (const r of list) assert.ok(holdsMockedNodeKey(String((secretValue(r.inputs.tls) as Obj).key)), `${type} ${r.name}`);
            }
            const [formation] = withTls.filter((r) => r.type.endsWith("ClusterFormation"));
            assert.equal((secretValue(formation.inputs.tls) as Obj).key, fakeKey("client"));
        });

        it("exports TLS seeds and rediss:// URLs at the Services' ClusterIPs", async () => {
            assert.deepEqual(
                await outputValue(tlsExports.clusterTlsSeeds as pulumi.Output<string[]>),
                [0, 1, 2, 3, 4, 5].map((i) => `${tlsServiceIp(`node-${i}`)}:${7000 + i}`),
            );
            assert.equal(
                await outputValue(tlsExports.standaloneTlsUrl as pulumi.Output<string>),
                `rediss://${tlsServiceIp("standalone")}:6379`,
            );
            assert.equal(
                await outputValue(tlsExports.standaloneUrl as pulumi.Output<string>),
                `rediss://${tlsServiceIp("standalone")}:6379`,
            );
        });

        it("with tlsPlainPort: the plain port on the Service and the container, announced for plain clients", async () => {
            const { resources: plain } = await declareStack({ "redis-stack:tls": "true", "redis-stack:tlsPlainPort": "true" });
            const set = plain.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && (r.inputs.metadata as Obj).name === "node-1")!;
            const container = ((set.inputs.spec as Obj).template.spec as Obj).containers[0] as Obj;
            const args = container.args as string[];
            assert.equal(args[args.indexOf("--cluster-announce-port") + 1], "27001");
            assert.equal(args[args.indexOf("--cluster-announce-tls-port") + 1], "7001");
            assert.deepEqual(
                container.ports.map((p: Obj) => [p.name, p.containerPort]),
                [
                    ["client", 7001],
                    ["bus", 17001],
                    ["plain", 27001],
                ],
            );
            const service = plain.find((r) => r.type === "kubernetes:core/v1:Service" && (r.inputs.metadata as Obj).name === "node-1")!;
            assert.deepEqual(
                ((service.inputs.spec as Obj).ports as Obj[]).map((p) => p.port),
                [7001, 17001, 27001],
            );
        });
    });
});
