// The resource graph `index.ts` declares, under pulumi.runtime.setMocks (no engine, no Docker).
import { strict as assert } from "assert";
import * as path from "path";
import { createHash } from "crypto";
import Module from "module";
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../../components/topology/topology";
import { isSecret, outputValue, plaintextStrings, secretValue, settledExports } from "../support/mockedSecrets";
import { PreflightError } from "../../components/runtime/preflight";

const PASSWORD = "unit-test-Secret-42";
/** What the mocked UserPassword provider "generates" for a user. */
const userPassword = (user: string) => `generated-${user}-Secret-Value`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const USERS = JSON.stringify({ app: "~app:* +@read +@write", worker: "~jobs:* +@list" });

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** One call of the host check (preflight) RedisStack makes before it registers anything. */
interface PreflightCall {
    stackPrefix: string;
    nodes: number;
}

interface DeclaredStack {
    /** Every resource registered, in order; filled in as the program runs. */
    readonly resources: Registered[];
    readonly preflightCalls: PreflightCall[];
    /** The program's exports, once every output has settled and every registration has reached the mocks. */
    readonly exports: Promise<Record<string, unknown>>;
}

/**
 * Waits until every registration sent so far has reached the mocks: disconnect() drains the SDK's RPC
 * queue, as at the end of a real program; under mocks it closes nothing a later program needs.
 */
const registrationsSettled = () => pulumi.runtime.disconnect();

const PREFLIGHT_MODULE = require.resolve("../../components/runtime/preflight");
/** The modules that take `preflightHost` from PREFLIGHT_MODULE when they load: loaded afresh with the stand-in. */
const PROGRAM_MODULES = [require.resolve("../../index"), require.resolve("../../components/stack/redisStack")];

/**
 * Loads index.ts as a fresh program with its host check (the one part that needs Docker) replaced by
 * `preflightHost`: RedisStack gets a stand-in for components/runtime/preflight from the module cache.
 */
function loadProgram(preflightHost: (topology: Topology, stackPrefix: string) => Promise<void>): () => Record<string, unknown> {
    const real = require(PREFLIGHT_MODULE) as Record<string, unknown>;
    const saved = require.cache[PREFLIGHT_MODULE];
    const standIn = new Module(PREFLIGHT_MODULE);
    standIn.filename = PREFLIGHT_MODULE;
    standIn.loaded = true;
    standIn.exports = { ...real, preflightHost };
    require.cache[PREFLIGHT_MODULE] = standIn;
    for (const module of PROGRAM_MODULES) delete require.cache[module];
    try {
        return require("../../index") as () => Record<string, unknown>;
    } finally {
        require.cache[PREFLIGHT_MODULE] = saved;
    }
}

/** Runs index.ts under mocks with the given stack config; `refusal`: the host check refuses with it. */
function startStack(config: Record<string, string>, secretKeys: string[], refusal?: string): DeclaredStack {
    const resources: Registered[] = [];
    const preflightCalls: PreflightCall[] = [];
    // Its body is synchronous (async only in its signature): the mocks are in place when it returns.
    void pulumi.runtime.setMocks(
        {
            newResource(args) {
                resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                const state: Record<string, unknown> = { ...args.inputs };
                if (args.type === "docker:index/container:Container" || args.type === "docker:index/network:Network")
                    state.name = args.inputs.name;
                // What the formation reports of the nodes (nothing: no node answers under mocks).
                if (args.type.endsWith(":ClusterFormation")) state.nodeStates = [];
                // What the StackOwner provider's check sets (a random id at the stack's first up).
                if (args.type.endsWith(":StackOwner")) state.ownerId = "unit-owner";
                if (args.type.endsWith(":UserPassword")) {
                    state.password = userPassword(String(args.inputs.user));
                    state.passwordHash = sha256(userPassword(String(args.inputs.user)));
                }
                return { id: `${args.name}-id`, state };
            },
            call: (args) => args.inputs,
        },
        "redis-stack",
        "unit",
        false,
        "organization",
    );
    pulumi.runtime.setAllConfig(config, secretKeys);
    const program = loadProgram(async (topology, stackPrefix) => {
        preflightCalls.push({ stackPrefix, nodes: topology.clusterNodes.length + 1 });
        if (refusal !== undefined) throw new PreflightError(refusal);
    });
    const exports = (async () => {
        try {
            return await settledExports(program());
        } finally {
            await registrationsSettled();
        }
    })();
    return { resources, preflightCalls, exports };
}

async function declareStack(
    config: Record<string, string>,
    secretKeys: string[],
): Promise<{ resources: Registered[]; preflightCalls: PreflightCall[]; exports: Record<string, unknown> }> {
    const stack = startStack(config, secretKeys);
    return { resources: stack.resources, preflightCalls: stack.preflightCalls, exports: await stack.exports };
}

describe("resource graph (setMocks)", function () {
    // The first load compiles index.ts and the Pulumi SDKs.
    this.timeout(30000);

    describe("docker runtime with a password", () => {
        let resources: Registered[];
        let preflightCalls: PreflightCall[];
        let exports: Record<string, unknown>;
        before(async () => {
            ({ resources, preflightCalls, exports } = await declareStack(
                { "redis-stack:password": PASSWORD, "redis-stack:runtime": "docker" },
                ["redis-stack:password"],
            ));
        });

        it("checks the Docker host once, for this stack's 7 nodes", () => {
            assert.deepEqual(preflightCalls, [{ stackPrefix: "redis-stack-unit", nodes: 7 }]);
            assert.ok(resources.length > 0);
        });

        it("registers nothing, not even the component, when the Docker host check refuses; the program fails with the refusal", async () => {
            const stack = startStack({ "redis-stack:password": PASSWORD }, ["redis-stack:password"], "host port 127.0.0.1:7000 is taken");
            await assert.rejects(stack.exports, /host port 127\.0\.0\.1:7000 is taken/);
            assert.equal(stack.preflightCalls.length, 1);
            assert.deepEqual(stack.resources, []);
        });

        const containers = () => resources.filter((r) => r.type === "docker:index/container:Container");

        it("declares 7 containers, 6 of them cluster-enabled", () => {
            assert.equal(containers().length, 7);
            const clusterEnabled = containers().filter((c) => JSON.stringify(c.inputs.command).includes("--cluster-enabled"));
            assert.equal(clusterEnabled.length, 6);
        });

        it("declares a named volume per node mounted at /data, and one network", () => {
            const volumes = resources.filter((r) => r.type === "docker:index/volume:Volume");
            assert.equal(volumes.length, 7);
            assert.equal(new Set(volumes.map((v) => v.inputs.name)).size, 7);
            for (const c of containers()) {
                const mounts = c.inputs.mounts as Array<{ target: string; type: string }>;
                assert.deepEqual(
                    mounts.map((m) => [m.type, m.target]),
                    [["volume", "/data"]],
                );
            }
            assert.equal(resources.filter((r) => r.type === "docker:index/network:Network").length, 1);
        });

        it("runs every container as uid 999 with every capability dropped and no new privileges, its files uploaded 0400 as 999's", () => {
            for (const c of containers()) {
                assert.equal(c.inputs.user, "999:999", c.name);
                assert.deepEqual(c.inputs.capabilities, { drops: ["ALL"] }, c.name);
                assert.deepEqual(c.inputs.securityOpts, ["no-new-privileges"], c.name);
                const uploads = (secretValue(c.inputs.uploads) ?? c.inputs.uploads) as {
                    file: string;
                    owner: string;
                    group: string;
                    permissions: string;
                }[];
                assert.deepEqual(
                    uploads.map((u) => [u.file, u.owner, u.group, u.permissions]),
                    [
                        ["/etc/redis-stack-auth.conf", "999", "999", "0400"],
                        ["/etc/redis-stack-settings.conf", "999", "999", "0400"],
                    ],
                    c.name,
                );
            }
        });

        it("hands every node's volume to that user first: one DataOwner per node, naming its container, volume and the stack's labels", () => {
            const owners = resources.filter((r) => r.type.endsWith(":DataOwner"));
            assert.equal(owners.length, 7);
            const volumes = new Set(resources.filter((r) => r.type === "docker:index/volume:Volume").map((v) => v.inputs.name));
            for (const owner of owners) {
                assert.ok(volumes.has(owner.inputs.volume), `${owner.name}: ${String(owner.inputs.volume)}`);
                assert.ok(
                    containers().some((c) => c.inputs.name === owner.inputs.node),
                    owner.name,
                );
                assert.equal((owner.inputs.labels as Record<string, string>)["redis-stack.owner"], "unit-owner");
                assert.equal((owner.inputs.labels as Record<string, string>)["redis-stack.stack"], "redis-stack-unit");
            }
        });

        it("labels every container, volume and the network with the stack's owner id, held by one StackOwner that names them all", () => {
            const owners = resources.filter((r) => r.type.endsWith(":StackOwner"));
            assert.equal(owners.length, 1);
            assert.equal(owners[0].inputs.stackLabel, "redis-stack-unit");
            assert.equal((owners[0].inputs.objects as unknown[]).length, 7 + 7 + 1);
            // @pulumi/docker's resources cannot check their objects against the state: the stack reads whether it ran
            // before (its own last outputs; none under mocks), and a stack that never ran takes no earlier release's object.
            const [previous] = resources.filter((r) => r.type === "pulumi:pulumi:StackReference");
            assert.equal(previous.inputs.name, "organization/redis-stack/unit");
            assert.equal(owners[0].inputs.deployedBefore, false);
            const docker = resources.filter((r) => /^docker:index\/(container|volume|network):/.test(r.type));
            assert.equal(docker.length, 15);
            for (const r of docker)
                assert.ok(
                    (r.inputs.labels as { label: string; value: string }[]).some(
                        (l) => l.label === "redis-stack.owner" && l.value === "unit-owner",
                    ),
                    r.name,
                );
        });

        it("wraps components as redis-stack:index types with a formation resource and a cluster check", () => {
            const types = resources.map((r) => r.type);
            assert.ok(types.includes("redis-stack:index:RedisCluster"));
            assert.ok(types.includes("redis-stack:index:RedisStandalone"));
            assert.ok(types.includes("redis-stack:index:ClusterCheck"));
            assert.equal(types.filter((t) => t.endsWith("ClusterFormation")).length, 1);
            assert.equal(types.filter((t) => t === "command:local:Command").length, 1);
            // Docker runtimes place nodes by nothing: the formation keeps live pairs (fewest slot moves).
            assert.equal(resources.find((r) => r.type.endsWith("ClusterFormation"))!.inputs.pinShards, undefined);
        });

        it("gives the formation the declared values of the settings it overrides: the nodes' own node timeout, replica migration on", () => {
            const formation = resources.find((r) => r.type.endsWith("ClusterFormation"))!;
            const command = containers()
                .map((c) => c.inputs.command as string[])
                .find((c) => c.includes("--cluster-node-timeout"))!;
            const timeout = command[command.indexOf("--cluster-node-timeout") + 1];
            assert.equal(timeout, "5000");
            assert.deepEqual(formation.inputs.declaredSettings, {
                "cluster-node-timeout": timeout,
                "cluster-allow-replica-migration": "yes",
            });
        });

        it("never passes the password in plaintext in any resource input", () => {
            const leaks = resources.filter((r) => plaintextStrings(r.inputs).some((s) => s.includes(PASSWORD)));
            assert.deepEqual(
                leaks.map((r) => `${r.type} ${r.name}`),
                [],
            );
            // ...while it really reaches the containers, as a secret file, never on their command line.
            assert.ok(containers().every((c) => JSON.stringify(c.inputs.uploads).includes(`requirepass ${PASSWORD}`)));
            assert.ok(containers().every((c) => !JSON.stringify(c.inputs.command).includes(PASSWORD)));
            assert.ok(containers().every((c) => (c.inputs.command as string[])[1] === "/etc/redis-stack-auth.conf"));
        });

        it("exports seeds, nodes, natMap, standalone URL and the password as a secret", async () => {
            assert.deepEqual(await outputValue(exports.clusterSeeds as pulumi.Output<string[]>), [
                "172.30.57.1:7000",
                "172.30.57.1:7001",
                "172.30.57.1:7002",
                "172.30.57.1:7003",
                "172.30.57.1:7004",
                "172.30.57.1:7005",
            ]);
            assert.deepEqual(await outputValue(exports.loopbackSeeds as pulumi.Output<string[]>), [
                "127.0.0.1:7000",
                "127.0.0.1:7001",
                "127.0.0.1:7002",
                "127.0.0.1:7003",
                "127.0.0.1:7004",
                "127.0.0.1:7005",
            ]);
            assert.equal(await outputValue(exports.standaloneUrl as pulumi.Output<string>), "redis://172.30.57.1:6379");
            assert.equal(await outputValue(exports.standaloneLoopbackUrl as pulumi.Output<string>), "redis://127.0.0.1:6379");
            const nat = await outputValue(exports.natMap as pulumi.Output<Record<string, unknown>>);
            assert.deepEqual(nat["172.30.57.1:7000"], { host: "127.0.0.1", port: 7000 });
            assert.equal(await pulumi.isSecret(exports.redisPassword as pulumi.Output<string>), true);
        });
    });

    describe("docker runtime with Redis settings, limits and health checks", () => {
        let resources: Registered[];
        before(async () => {
            ({ resources } = await declareStack(
                {
                    "redis-stack:password": PASSWORD,
                    "redis-stack:runtime": "docker",
                    "redis-stack:redisConfig": JSON.stringify({ maxmemory: "256mb", "notify-keyspace-events": "Ex" }),
                    "redis-stack:memoryLimit": "512m",
                    "redis-stack:cpuLimit": "1.5",
                    "redis-stack:cliCommand": "valkey-cli",
                },
                ["redis-stack:password"],
            ));
        });
        const containers = () => resources.filter((r) => r.type === "docker:index/container:Container");

        it("uploads the settings file next to the auth file, which includes it, and keeps the command as it was", () => {
            assert.equal(containers().length, 7);
            for (const c of containers()) {
                // An input holding a secret reaches the mocks wrapped as one.
                const raw = c.inputs.uploads as
                    Array<{ file: string; content: unknown }> | { value: Array<{ file: string; content: unknown }> };
                const uploads = Array.isArray(raw) ? raw : raw.value;
                const settings = uploads.find((u) => u.file === "/etc/redis-stack-settings.conf");
                assert.equal(settings?.content, 'maxmemory "256mb"\nnotify-keyspace-events "Ex"\n', c.name);
                assert.ok(JSON.stringify(uploads).includes("include /etc/redis-stack-settings.conf"), c.name);
                assert.deepEqual((c.inputs.command as string[]).slice(0, 2), ["redis-server", "/etc/redis-stack-auth.conf"]);
                assert.ok(!JSON.stringify(c.inputs.command).includes("maxmemory"), c.name);
            }
        });

        it("limits memory (MiB, no swap on top) and CPUs on every container", () => {
            for (const c of containers()) {
                assert.equal(c.inputs.memory, 512, c.name);
                assert.equal(c.inputs.memorySwap, 512, c.name);
                assert.equal(c.inputs.cpus, "1.5", c.name);
            }
        });

        it("gives every container a health check: cluster_state:ok for cluster nodes, PING for the standalone node, no password in it", () => {
            for (const c of containers()) {
                const check = c.inputs.healthcheck as { tests: string[]; interval: string; timeout: string; retries: number };
                assert.equal(check.tests[0], "CMD-SHELL", c.name);
                const clusterNode = JSON.stringify(c.inputs.command).includes("--cluster-enabled");
                assert.ok(check.tests[1].includes(clusterNode ? "cluster info" : " ping"), c.name);
                assert.ok(check.tests[1].includes("valkey-cli --user redis-stack -h 127.0.0.1 -p "), c.name);
                assert.ok(!JSON.stringify(check).includes(PASSWORD), c.name);
                assert.deepEqual([check.interval, check.timeout, check.retries], ["5000ms", "3000ms", 3]);
            }
        });
    });

    describe("engine runtime without a password", () => {
        let resources: Registered[];
        before(async () => {
            ({ resources } = await declareStack({ "redis-stack:runtime": "engine", "redis-stack:masters": "4" }, []));
        });

        it("runs no command (the engine runtime needs no plugin download)", () => {
            assert.equal(resources.filter((r) => r.type === "command:local:Command").length, 0);
        });

        it("declares 9 engine containers and volumes and one engine network", () => {
            const count = (suffix: string) => resources.filter((r) => r.type.endsWith(suffix)).length;
            assert.equal(count("EngineContainer"), 9);
            assert.equal(count("EngineVolume"), 9);
            assert.equal(count("EngineNetwork"), 1);
            assert.equal(resources.filter((r) => r.type.startsWith("docker:")).length, 0);
        });

        it("gives every engine container, volume and the network the stack's owner id, from its StackOwner", () => {
            const engine = resources.filter((r) => /:Engine(Container|Volume|Network)$/.test(r.type));
            assert.equal(engine.length, 19);
            for (const r of engine) assert.deepEqual(r.inputs.owner, { stackLabel: "redis-stack-unit", ownerId: "unit-owner" }, r.name);
            // Its resources check their own objects against the state: no reference to the stack's last run.
            assert.equal(resources.filter((r) => r.type === "pulumi:pulumi:StackReference").length, 0);
            assert.equal(resources.find((r) => r.type.endsWith(":StackOwner"))!.inputs.deployedBefore, undefined);
        });
    });

    describe("engine runtime with a password", () => {
        let resources: Registered[];
        before(async () => {
            ({ resources } = await declareStack({ "redis-stack:runtime": "engine", "redis-stack:password": PASSWORD }, [
                "redis-stack:password",
            ]));
        });
        const containers = () => resources.filter((r) => r.type.endsWith("EngineContainer"));

        it("has every node load the auth config file, and passes the password only as a secret property", () => {
            assert.equal(containers().length, 7);
            for (const c of containers()) {
                const body = c.inputs.body as { Cmd: string[] };
                assert.deepEqual(body.Cmd.slice(0, 2), ["redis-server", "/etc/redis-stack-auth.conf"], c.name);
            }
            const leaks = resources.filter((r) => plaintextStrings(r.inputs).some((s) => s.includes(PASSWORD)));
            assert.deepEqual(
                leaks.map((r) => `${r.type} ${r.name}`),
                [],
            );
            assert.ok(
                containers().every((c) => JSON.stringify(c.inputs.password).includes(PASSWORD)),
                "the provider gets the password",
            );
        });

        it("passes the Redis settings and the limits as properties of their own, outside the create body", async () => {
            const stack = await declareStack(
                {
                    "redis-stack:runtime": "engine",
                    "redis-stack:redisConfig": JSON.stringify({ maxmemory: "64mb" }),
                    "redis-stack:memoryLimit": "1g",
                    "redis-stack:cpuLimit": "2",
                },
                [],
            );
            const engineContainers = stack.resources.filter((r) => r.type.endsWith("EngineContainer"));
            assert.equal(engineContainers.length, 7);
            for (const c of engineContainers) {
                assert.deepEqual(c.inputs.redisConfig, { maxmemory: "64mb" });
                assert.deepEqual(c.inputs.limits, { memoryBytes: 2 ** 30, nanoCpus: 2e9 });
                const body = c.inputs.body as { HostConfig: Record<string, unknown>; Healthcheck: { Test: string[] } };
                assert.equal(body.HostConfig.Memory, undefined);
                assert.equal(body.Healthcheck.Test[0], "CMD-SHELL");
            }
        });

        it("gives every cluster node what a rolling replacement needs (its address and one host rule, the same for all), and the standalone node its own lifecycle", () => {
            const cluster = containers().filter((c) => c.name.startsWith("redis-stack-cluster-node-"));
            assert.equal(cluster.length, 6);
            for (const c of cluster) {
                assert.deepEqual(c.inputs.lifecycle, {
                    module: "redis-stack/components/redis/clusterNodeLifecycle",
                    options: { announceHost: "172.30.57.1", reachableHost: "127.0.0.1" },
                });
                assert.equal((c.inputs.endpoint as { host: string }).host, "127.0.0.1");
            }
            assert.deepEqual(containers().find((c) => c.name === "redis-stack-standalone-node")?.inputs.lifecycle, {
                module: "redis-stack/components/redis/standaloneNodeLifecycle",
                options: {},
            });
        });
    });

    describe("docker runtime with ACL users", () => {
        let resources: Registered[];
        let exports: Record<string, unknown>;
        before(async () => {
            ({ resources, exports } = await declareStack(
                { "redis-stack:password": PASSWORD, "redis-stack:runtime": "docker", "redis-stack:users": USERS },
                ["redis-stack:password"],
            ));
        });
        const containers = () => resources.filter((r) => r.type === "docker:index/container:Container");

        it("declares one generated password per user, under a RedisUsers component", () => {
            assert.ok(resources.some((r) => r.type === "redis-stack:index:RedisUsers" && r.name === "redis-stack-users"));
            const passwords = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:UserPassword");
            assert.deepEqual(
                passwords.map((r) => [r.name, r.inputs.user]),
                [
                    ["redis-stack-users-app-password", "app"],
                    ["redis-stack-users-worker-password", "worker"],
                ],
            );
        });

        it("uploads the users into every container's auth config file as a secret, with their passwords' hashes only", () => {
            assert.equal(containers().length, 7);
            for (const c of containers()) {
                // The secret file content makes the whole uploads input secret.
                const uploads = secretValue(c.inputs.uploads) as { file: string; content: unknown }[] | undefined;
                assert.ok(uploads, `${c.name}: uploads is not a secret`);
                const [upload] = uploads;
                assert.equal(upload.file, "/etc/redis-stack-auth.conf");
                const content = String(upload.content);
                assert.ok(content.startsWith(`include /etc/redis-stack-settings.conf\nrequirepass ${PASSWORD}\n`), c.name);
                assert.ok(content.includes(`user app reset on #${sha256(userPassword("app"))} ~app:* +@read +@write\n`), c.name);
                assert.ok(content.includes(`user worker reset on #${sha256(userPassword("worker"))} ~jobs:* +@list\n`), c.name);
                assert.ok(!content.includes(userPassword("app")) && !content.includes(userPassword("worker")), c.name);
            }
        });

        it("never passes a user password or hash in plaintext in any resource input", () => {
            const secrets = ["app", "worker"].flatMap((u) => [userPassword(u), sha256(userPassword(u))]);
            const leaks = resources.filter((r) => plaintextStrings(r.inputs).some((s) => secrets.some((secret) => s.includes(secret))));
            assert.deepEqual(
                leaks.map((r) => `${r.type} ${r.name}`),
                [],
            );
        });

        it("exports each user's username and password as one secret output", async () => {
            const output = exports.redisUsers as pulumi.Output<Record<string, { username: string; password: string }>>;
            assert.equal(await pulumi.isSecret(output), true);
            assert.deepEqual(await outputValue(output), {
                app: { username: "app", password: userPassword("app") },
                worker: { username: "worker", password: userPassword("worker") },
            });
        });
    });

    describe("engine runtime with ACL users", () => {
        let resources: Registered[];
        before(async () => {
            ({ resources } = await declareStack({ "redis-stack:runtime": "engine", "redis-stack:users": USERS }, []));
        });

        it("gives every node the users' rules in plain (for the preview check) and their hashes as a secret", () => {
            const containers = resources.filter((r) => r.type.endsWith("EngineContainer"));
            assert.equal(containers.length, 7);
            for (const c of containers) {
                assert.deepEqual(c.inputs.users, [
                    { name: "app", rules: ["~app:*", "+@read", "+@write"] },
                    { name: "worker", rules: ["~jobs:*", "+@list"] },
                ]);
                assert.deepEqual(secretValue(c.inputs.userPasswordHashes), {
                    app: sha256(userPassword("app")),
                    worker: sha256(userPassword("worker")),
                });
            }
        });

        it("declares nothing for users when there are none", async () => {
            const { resources: plain, exports } = await declareStack({ "redis-stack:runtime": "engine" }, []);
            assert.equal(plain.filter((r) => /RedisUsers|UserPassword/.test(r.type)).length, 0);
            assert.equal(exports.redisUsers, undefined);
        });
    });

    describe("metrics on the Docker runtimes", () => {
        const METRICS = { "redis-stack:metrics": "true", "redis-stack:metricsImage": "registry.local/redis-exporter:1" };
        const metricsPassword = userPassword("redis-stack-metrics");

        it("engine runtime: an EngineSidecar per node after its container, its password file a secret, the stack's owner id; metricsTargets", async () => {
            const { resources, exports } = await declareStack({ ...METRICS, "redis-stack:password": PASSWORD }, ["redis-stack:password"]);
            const sidecars = resources.filter((r) => r.type.endsWith(":EngineSidecar"));
            assert.equal(sidecars.length, 7);
            for (const sidecar of sidecars) {
                assert.deepEqual(sidecar.inputs.owner, { stackLabel: "redis-stack-unit", ownerId: "unit-owner" });
                const body = sidecar.inputs.body as { name: string; Image: string; Cmd: string[]; User: string };
                assert.match(body.name, /^redis-stack-unit-(node-\d|standalone)-metrics$/);
                assert.equal(body.Image, "registry.local/redis-exporter:1");
                assert.equal(body.User, "999:999");
                assert.ok(!JSON.stringify(body).includes(metricsPassword));
                const files = secretValue(sidecar.inputs.files) as { path: string; content: string }[];
                assert.ok(files, "the files are a secret");
                assert.equal(files[0].path, "/etc/redis-stack-metrics/passwords.json");
                assert.ok(files[0].content.includes(metricsPassword));
            }
            const leaks = resources.filter((r) => plaintextStrings(r.inputs).some((text) => text.includes(metricsPassword)));
            assert.deepEqual(
                leaks.map((r) => r.name),
                [],
            );
            assert.deepEqual(await outputValue(exports.metricsTargets as pulumi.Output<string[]>), [
                ...[0, 1, 2, 3, 4, 5].map((i) => `172.30.57.1:${9122 + i}`),
                "172.30.57.1:9121",
            ]);
            assert.equal(exports.redisUsers, undefined);
        });

        it("docker runtime: a container per node beside it, as the node's user with no capability, its password file uploaded 0400 as a secret", async () => {
            const { resources } = await declareStack({ ...METRICS, "redis-stack:runtime": "docker" }, []);
            const exporters = resources.filter(
                (r) => r.type === "docker:index/container:Container" && String(r.inputs.name).endsWith("-metrics"),
            );
            assert.equal(exporters.length, 7);
            for (const exporter of exporters) {
                const inputs = exporter.inputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
                assert.equal(inputs.user, "999:999");
                assert.deepEqual(inputs.capabilities, { drops: ["ALL"] });
                assert.deepEqual(inputs.securityOpts, ["no-new-privileges"]);
                assert.ok((inputs.command as string[]).includes("-redis.user=redis-stack-metrics"));
                const uploads = (secretValue(inputs.uploads) ?? inputs.uploads) as {
                    file: string;
                    content: unknown;
                    permissions: string;
                }[];
                assert.equal(uploads[0].file, "/etc/redis-stack-metrics/passwords.json");
                assert.equal(uploads[0].permissions, "0400");
                assert.ok(isSecret(inputs.uploads), "the uploads are a secret");
                assert.ok(String(uploads[0].content).includes(metricsPassword));
                assert.ok(
                    (inputs.labels as { label: string; value: string }[]).some(
                        (l) => l.label === "redis-stack.kind" && l.value === "metrics-exporter",
                    ),
                );
            }
            const leaks = resources.filter((r) => plaintextStrings(r.inputs).some((text) => text.includes(metricsPassword)));
            assert.deepEqual(
                leaks.map((r) => r.name),
                [],
            );
        });
    });

    describe("scheduled backups (engine runtime)", () => {
        const SCHEDULED = {
            "redis-stack:backupSchedule": "0 3 * * *",
            "redis-stack:backupRetention": "3",
            "redis-stack:backupImage": "registry.local/redis-stack-backup:1",
        };
        const backupPassword = userPassword("redis-stack-backup");

        it("declares no runner without backupSchedule", async () => {
            const { resources, exports } = await declareStack({}, []);
            assert.equal(resources.filter((r) => r.type.endsWith(":EngineSidecar")).length, 0);
            assert.equal(exports.backupLocation, undefined);
        });

        it("declares one runner after the nodes: as who runs Pulumi, the scheduled directory mounted, its job (the nodes beside it, its own user's password) a secret", async () => {
            const { resources, exports } = await declareStack({ ...SCHEDULED, "redis-stack:password": PASSWORD }, ["redis-stack:password"]);
            const [runner, ...others] = resources.filter((r) => r.type.endsWith(":EngineSidecar"));
            assert.equal(others.length, 0);
            assert.deepEqual(runner.inputs.owner, { stackLabel: "redis-stack-unit", ownerId: "unit-owner" });
            const dir = path.resolve(".redis-stack/backups/redis-stack-unit/scheduled");
            assert.deepEqual(runner.inputs.hostDirs, [dir]);
            const body = runner.inputs.body as {
                name: string;
                Image: string;
                Cmd: string[];
                User: string;
                HostConfig: { Mounts: unknown[]; CapDrop: string[] };
            };
            assert.deepEqual(
                [body.name, body.Image, body.Cmd, body.User],
                [
                    "redis-stack-unit-backup",
                    "registry.local/redis-stack-backup:1",
                    ["schedule"],
                    `${process.getuid!()}:${process.getgid!()}`,
                ],
            );
            assert.deepEqual(body.HostConfig.Mounts, [{ Type: "bind", Source: dir, Target: "/backups" }]);
            assert.deepEqual(body.HostConfig.CapDrop, ["ALL"]);
            const [file] = secretValue(runner.inputs.files) as { path: string; content: string }[];
            assert.equal(file.path, "/etc/redis-stack-backup/job.json");
            const job = JSON.parse(file.content) as {
                schedule: string;
                retention: number;
                target: { stack: string; username: string; password: string; clusterNodes: object[]; standalone: object };
            };
            assert.deepEqual([job.schedule, job.retention, job.target.stack], ["0 3 * * *", 3, "redis-stack-unit"]);
            assert.deepEqual([job.target.username, job.target.password], ["redis-stack-backup", backupPassword]);
            assert.deepEqual(job.target.clusterNodes[0], {
                name: "redis-stack-unit-node-0",
                announced: "172.30.57.1:7000",
                host: "redis-stack-unit-node-0",
                port: 7000,
            });
            assert.deepEqual(job.target.standalone, {
                name: "redis-stack-unit-standalone",
                announced: "172.30.57.1:6379",
                host: "redis-stack-unit-standalone",
                port: 6379,
            });
            const leaks = resources.filter((r) => plaintextStrings(r.inputs).some((text) => text.includes(backupPassword)));
            assert.deepEqual(
                leaks.map((r) => r.name),
                [],
            );
            assert.equal(await outputValue(exports.backupLocation as pulumi.Output<string>), dir);
            // The runner's user is one of the stack's, never among its outputs.
            const users = resources.find((r) => r.type.endsWith(":RedisUsers") || r.name.endsWith("-users"));
            assert.ok(users, "an ACL user set is declared");
            assert.equal(exports.redisUsers, undefined);
        });

        it("refuses backupSchedule on the docker runtime, naming the runtimes that have a runner", async () => {
            const stack = startStack({ ...SCHEDULED, "redis-stack:runtime": "docker" }, []);
            await assert.rejects(
                stack.exports,
                /backupSchedule: got "0 3 \* \* \*" with runtime docker; allowed: unset, or runtime engine or kubernetes/,
            );
        });
    });

    describe("finalBackup", () => {
        it("declares one FinalBackup per stack after its nodes, off by default, its target (nodes, password) a secret", async () => {
            const off = (await declareStack({ "redis-stack:password": PASSWORD }, ["redis-stack:password"])).resources;
            const [backup, ...others] = off.filter((r) => r.type.endsWith(":FinalBackup"));
            assert.equal(others.length, 0);
            assert.equal(backup.inputs.enabled, false);
            assert.equal(backup.inputs.dir, path.resolve(".redis-stack/backups/redis-stack-unit"));
            const target = secretValue(backup.inputs.target) as { clusterNodes: { name: string }[]; password: string };
            assert.ok(target, "the target is a secret");
            assert.equal(target.password, PASSWORD);
            assert.deepEqual(
                target.clusterNodes.map((n) => n.name),
                [0, 1, 2, 3, 4, 5].map((i) => `redis-stack-unit-node-${i}`),
            );
            const on = (await declareStack({ "redis-stack:finalBackup": "true", "redis-stack:backupDir": "/srv/b" }, [])).resources;
            const enabled = on.find((r) => r.type.endsWith(":FinalBackup"))!;
            assert.deepEqual([enabled.inputs.enabled, enabled.inputs.dir], [true, "/srv/b"]);
        });

        it("declares a Restore only with restoreFrom, after the nodes, at the directory's absolute path, its target a secret", async () => {
            const none = (await declareStack({}, [])).resources;
            assert.equal(none.filter((r) => r.type.endsWith(":Restore")).length, 0);
            const seeded = (await declareStack({ "redis-stack:restoreFrom": "backups/b1" }, [])).resources;
            const [restore, ...others] = seeded.filter((r) => r.type.endsWith(":Restore"));
            assert.equal(others.length, 0);
            assert.equal(restore.inputs.dir, path.resolve("backups/b1"));
            assert.ok(secretValue(restore.inputs.target), "the target is a secret");
        });
    });

    describe("invalid config", () => {
        it("refuses rules that set a password and a conflicting default user before any resource is declared, never echoing the password", async () => {
            const stack = startStack({ "redis-stack:users": JSON.stringify({ app: "~app:* >hunter2pw", default: "-@all" }) }, []);
            await assert.rejects(stack.exports, (err: Error) => {
                assert.match(err.message, /users\.app: got "~app:\* >\*\*\*": `>\*\*\*` sets or clears a password/);
                assert.match(err.message, /users\.default: got "-@all": `-@all` would change the default user/);
                assert.ok(!err.message.includes("hunter2pw"));
                return true;
            });
            await registrationsSettled();
            assert.deepEqual(stack.resources, []);
        });

        it("fails before any resource is declared (or the Docker host checked), naming the key, the value and what is allowed", async () => {
            const stack = startStack({ "redis-stack:masters": "2", "redis-stack:networkMode": "mesh" }, []);
            await assert.rejects(
                stack.exports,
                /masters: got "2"; allowed: a whole number from 3 to 100[\s\S]*networkMode: got "mesh"; allowed: bridge or host/,
            );
            await registrationsSettled();
            assert.deepEqual(stack.resources, []);
            assert.deepEqual(stack.preflightCalls, []);
        });

        it("rejects a weak password without repeating it, before any resource is declared", async () => {
            const stack = startStack({ "redis-stack:password": "pw 1" }, ["redis-stack:password"]);
            await assert.rejects(stack.exports, (err: Error) => {
                assert.match(err.message, /password: got a value of 4 characters; allowed: 8 to 512 characters/);
                assert.ok(!err.message.includes("pw 1"));
                return true;
            });
            await registrationsSettled();
            assert.deepEqual(stack.resources, []);
        });
    });
});
