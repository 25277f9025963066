// `redis-stack:defaultUser off` through the real Pulumi engine and real nodes: AUTH with the password alone
// is refused on every node while the configured user and the stack's own user (redis-stack) work; the
// stack's own user has exactly its least-privilege rules (no data, no FLUSHALL); a failover healed by `up`
// and a scale-out that migrates keys still work, which they could not as the (disabled) default user; and
// `defaultUser on` again is a plain up with no container restart.
import { strict as assert } from "assert";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Dockerode from "dockerode";
import Redis, { Cluster } from "ioredis";
import { PROJECT_USER, PROJECT_USER_RULES, passwordHash } from "../../components/settings/aclUsers";
import { waitClusterOk } from "../support/clusterState";
import { engineSuiteStack } from "../support/engineStack";
import { withRawClient } from "../support/rawClient";
import { readContainerFile } from "../support/containerFile";
import { docker, labelled } from "../support/dockerCli";

const PASSWORD = `e2e-${Math.random().toString(36).slice(2)}-DefaultOff`;
const BASE_PORT = 8700;
const STANDALONE_PORT = 6997;
const APP_RULES = "~app:* +@read +@write +ping +cluster|slots +cluster|info";
const KEYS = 300;

interface NodeOutput {
    name: string;
    role: string;
    hostAddress: string;
    replicaOf?: string;
    slots: string[];
}

/** Connects to 127.0.0.1:port, sends AUTH (`auth`: its arguments), then each command; each reply, or the error's message. */
function session(port: number, auth: string[], ...commands: string[][]): Promise<string[]> {
    return withRawClient({ host: "127.0.0.1", port }, async (client) => {
        const send = (command: string[]) =>
            client.call(command[0], ...command.slice(1)).then(
                (r) => (Array.isArray(r) ? r.map(String).join("\n") : String(r)),
                (err: Error) => err.message,
            );
        const replies = [await send(["AUTH", ...auth])];
        if (replies[0] !== "OK") return replies;
        for (const command of commands) replies.push(await send(command));
        return replies;
    });
}

describe("end to end: defaultUser off (the stack uses its own least-privilege user)", function () {
    const suite = engineSuiteStack("e2edefuser", {
        "redis-stack:basePort": { value: String(BASE_PORT) },
        "redis-stack:standalonePort": { value: String(STANDALONE_PORT) },
        "redis-stack:subnet": { value: "172.30.151.0/24" },
        "redis-stack:clusterNodeTimeoutMs": { value: "2000" },
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:defaultUser": { value: "off" },
    });
    const { label } = suite;
    const dockerode = new Dockerode();
    let stack: Stack;
    let outputs: OutputMap;

    const nodes = () => outputs.clusterNodes.value as NodeOutput[];
    const portOf = (n: NodeOutput) => Number(n.hostAddress.split(":")[1]);
    const ports = () => [...nodes().map(portOf), STANDALONE_PORT];
    const seeds = () => outputs.clusterSeeds.value as string[];
    const app = () => (outputs.redisUsers.value as Record<string, { username: string; password: string }>).app.password;
    const up = async (what: string) => {
        const started = Date.now();
        const result = await stack.up({ onOutput: (line) => process.env.E2E_VERBOSE && process.stdout.write(line) });
        console.log(`      ${what}: up took ${Date.now() - started} ms`);
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    };
    const starts = async () =>
        Object.fromEntries(
            await Promise.all(
                labelled("ps", label).map(async (name) => {
                    const info = await dockerode.getContainer(name).inspect();
                    return [name, `${info.Id} ${info.State.StartedAt}`];
                }),
            ),
        );
    const appCluster = () =>
        new Cluster(
            seeds().map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            {
                redisOptions: { username: "app", password: app(), enableReadyCheck: false },
                clusterRetryStrategy: (times) => (times > 10 ? null : 100),
            },
        );
    const waitOk = () => waitClusterOk(seeds(), PASSWORD, 30000, PROJECT_USER);

    /** On every node: the password alone (default user) is refused, app and the stack's own user log in. */
    async function defaultRefusedEverywhere(): Promise<void> {
        for (const port of ports()) {
            const [asDefault] = await session(port, [PASSWORD], ["PING"]);
            assert.match(asDefault, /^WRONGPASS/, `port ${port}: AUTH <password> as the default user`);
            const [explicitDefault] = await session(port, ["default", PASSWORD], ["PING"]);
            assert.match(explicitDefault, /^WRONGPASS/, `port ${port}: AUTH default <password>`);
            assert.deepEqual(await session(port, ["app", app()], ["PING"]), ["OK", "PONG"], `port ${port}: app`);
            assert.deepEqual(await session(port, [PROJECT_USER, PASSWORD], ["PING"]), ["OK", "PONG"], `port ${port}: ${PROJECT_USER}`);
        }
    }

    /** Every key written before is still there, read as app through the cluster. */
    async function allKeysThere(): Promise<void> {
        const cluster = appCluster();
        try {
            for (let i = 0; i < KEYS; i++) assert.equal(await cluster.get(`app:${i}`), `v${i}`, `app:${i}`);
        } finally {
            cluster.disconnect();
        }
    }

    before(async function () {
        stack = suite.stack;
        await stack.setConfig("redis-stack:users.app", { value: APP_RULES }, true);
        await up("up from nothing with defaultUser off");
        const cluster = appCluster();
        try {
            for (let i = 0; i < KEYS; i++) await cluster.set(`app:${i}`, `v${i}`);
        } finally {
            cluster.disconnect();
        }
    });

    it("refuses AUTH as the default user on every node (masters, replicas, standalone); the configured user and the stack's own user log in", async () => {
        assert.equal(ports().length, 7);
        await defaultRefusedEverywhere();
    });

    it("every node's health check passes as the stack's own user (docker healthy: CLUSTER INFO / PING needed AUTH)", async () => {
        const deadline = Date.now() + 60000;
        for (;;) {
            const states = await Promise.all(
                labelled("ps", label).map(async (name) => (await dockerode.getContainer(name).inspect()).State.Health?.Status),
            );
            assert.equal(states.length, 7);
            if (states.every((s) => s === "healthy")) break;
            assert.ok(!states.includes("unhealthy"), `a node is unhealthy: ${states.join(", ")}`);
            assert.ok(Date.now() < deadline, `not all healthy within 60 s: ${states.join(", ")}`);
            await new Promise((r) => setTimeout(r, 500));
        }
    });

    it("the stack's own user has exactly its least-privilege rules: refused data commands, FLUSHALL, KEYS, pub/sub and ACL reads; CLUSTER allowed", async () => {
        for (const port of ports()) {
            const [auth, set, get, flushall, keys, publish, aclList, clusterInfo] = await session(
                port,
                [PROJECT_USER, PASSWORD],
                ["SET", "app:x", "1"],
                ["GET", "app:0"],
                ["FLUSHALL"],
                ["KEYS", "*"],
                ["PUBLISH", "c", "m"],
                ["ACL", "LIST"],
                ["CLUSTER", "INFO"],
            );
            assert.equal(auth, "OK");
            for (const [what, reply] of Object.entries({ set, get, flushall, keys, publish, aclList })) {
                assert.match(reply, /^NOPERM/, `port ${port}: ${PROJECT_USER} ${what}`);
            }
            assert.match(
                clusterInfo,
                port === STANDALONE_PORT ? /cluster support disabled/ : /cluster_state:ok/,
                `port ${port}: CLUSTER INFO`,
            );
        }
        // The nodes' files hold the user with exactly these rules and only its password's hash.
        for (const name of labelled("ps", label)) {
            const file = await readContainerFile(dockerode, name, "/etc/redis-stack-auth.conf");
            assert.ok(
                file.split("\n").includes(`user ${PROJECT_USER} reset on #${passwordHash(PASSWORD)} ${PROJECT_USER_RULES.join(" ")}`),
                `${name}'s auth file`,
            );
            assert.match(file, /^user default reset on #[0-9a-f]{64} off ~\* &\* \+@all$/m, `${name}: the default user off`);
        }
    });

    it("a failover is healed by up (formation as the stack's own user), and the promoted replica refuses the default user too", async () => {
        const probe = new Redis({
            host: "127.0.0.1",
            port: BASE_PORT,
            username: PROJECT_USER,
            password: PASSWORD,
            enableReadyCheck: false,
        });
        const slot = Number(await probe.call("CLUSTER", "KEYSLOT", "app:1"));
        probe.disconnect();
        const owner = nodes().find((n) =>
            n.slots.some((r) => {
                const [start, end] = r.split("-").map(Number);
                return slot >= start && slot <= (end ?? start);
            }),
        );
        assert.ok(owner, "a master owns app:1's slot");
        const replica = nodes().find((n) => n.replicaOf === owner.name)!;
        docker("stop", "-t", "1", owner.name);
        const deadline = Date.now() + 60000;
        for (;;) {
            const [, role] = await session(portOf(replica), [PROJECT_USER, PASSWORD], ["INFO", "replication"]).catch(() => ["", "down"]);
            if (/role:master/.test(role ?? "")) break;
            assert.ok(Date.now() < deadline, `${replica.name} was not promoted`);
            await new Promise((r) => setTimeout(r, 50));
        }
        await up("healing after the failover");
        await waitOk();
        const healed = nodes().find((n) => n.name === owner.name)!;
        assert.equal(healed.role, "replica", "the old master is back, as a replica");
        // It replicates as the stack's own user (masteruser): its link to the master is up.
        const [, replication] = await session(portOf(healed), [PROJECT_USER, PASSWORD], ["INFO", "replication"]);
        assert.match(replication, /master_link_status:up/);
        await defaultRefusedEverywhere();
        await allKeysThere();
    });

    it("a scale-out to 4 masters migrates the keys (MIGRATE as the stack's own user) and the new nodes refuse the default user", async () => {
        const before = new Set(nodes().map((n) => n.name));
        await stack.setConfig("redis-stack:masters", { value: "4" });
        await up("scale-out to 4 masters");
        assert.equal(nodes().length, 8);
        await waitOk();
        const newMaster = nodes().find((n) => !before.has(n.name) && n.role === "master");
        assert.ok(newMaster, "a new node is a master");
        assert.ok(newMaster.slots.length > 0, "the new master got slots");
        const [, count] = await session(portOf(newMaster), [PROJECT_USER, PASSWORD], ["INFO", "keyspace"]);
        assert.match(count, /db0:keys=[1-9]/, "keys were migrated to the new master");
        await defaultRefusedEverywhere();
        await allKeysThere();
    });

    it("defaultUser on again is a plain up with no restart (same container start time): AUTH <password> works everywhere, the stack's user unchanged", async () => {
        const before = await starts();
        await stack.setConfig("redis-stack:defaultUser", { value: "on" });
        await up("defaultUser back on");
        assert.deepEqual(await starts(), before, "no container was recreated or restarted");
        for (const port of ports()) {
            const [auth, ping, rules] = await session(port, [PASSWORD], ["PING"], ["ACL", "LIST"]);
            assert.equal(auth, "OK", `port ${port}: AUTH <password>`);
            assert.equal(ping, "PONG");
            // The live rules, as Redis prints them (7.0 lists commands in its own order, and adds the sanitize-payload flag):
            // the user as the stack defines it, nothing more.
            const line = rules.split("\n").find((l) => l.startsWith(`user ${PROJECT_USER} `)) ?? "";
            const tokens = line.split(" ").slice(2);
            assert.deepEqual(
                tokens.filter((t) => !t.startsWith("+")),
                ["on", "sanitize-payload", `#${passwordHash(PASSWORD)}`, "~*", "resetchannels", "-@all"],
                `port ${port}: ${line}`,
            );
            assert.deepEqual(tokens.filter((t) => t.startsWith("+")).sort(), PROJECT_USER_RULES.slice(3).sort(), `port ${port}`);
        }
    });
});
