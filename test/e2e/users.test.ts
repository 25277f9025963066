// ACL users (`redis-stack:users`) through the real Pulumi engine and real nodes: every node enforces
// them (masters, replicas, the standalone node, a replica promoted by a failover, nodes added by a
// scale-out), adding, changing and removing one restarts nothing, Redis' refusal of a rule fails the
// up before anything changes (preview only reads: it shows the change), and no user password is ever in
// plaintext outside the outputs.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Dockerode from "dockerode";
import Redis, { Cluster } from "ioredis";
import { waitClusterOk } from "../support/clusterState";
import { readContainerFile } from "../support/containerFile";
import { engineSuiteStack } from "../support/engineStack";
import { docker, labelled } from "../support/dockerCli";
import { withRawClient } from "../support/rawClient";

const PASSWORD = `e2e-${Math.random().toString(36).slice(2)}-Users`;
const STANDALONE_PORT = 6597;
// What a cluster client needs besides its keys' commands: ioredis asks CLUSTER SLOTS and, for its ready check, CLUSTER INFO.
const APP_RULES = "~app:* +@read +@write +cluster|slots +cluster|info";

interface NodeOutput {
    name: string;
    role: string;
    hostAddress: string;
}

type Credentials = Record<string, { username: string; password: string }>;

/** Authenticates as `username` on 127.0.0.1:port and sends each command; each reply, or the error's message. */
function asUser(port: number, username: string, password: string, ...commands: string[][]): Promise<string[]> {
    return withRawClient({ host: "127.0.0.1", port }, async (client) => {
        const send = (command: string[]) =>
            client.call(command[0], ...command.slice(1)).then(
                (r) => String(r),
                (err: Error) => err.message,
            );
        const auth = await send(["AUTH", username, password]);
        if (auth !== "OK") return [auth];
        const replies: string[] = [];
        for (const command of commands) replies.push(await send(command));
        return replies;
    });
}

describe("end to end: ACL users on every node", function () {
    const suite = engineSuiteStack("e2eusers", {
        "redis-stack:basePort": { value: "7270" },
        "redis-stack:standalonePort": { value: String(STANDALONE_PORT) },
        "redis-stack:subnet": { value: "172.30.127.0/24" },
        "redis-stack:clusterNodeTimeoutMs": { value: "2000" },
        "redis-stack:password": { value: PASSWORD, secret: true },
    });
    const { label, log } = suite;
    const dockerode = new Dockerode();
    let stack: Stack;
    let outputs: OutputMap;
    // Every user password this suite ever saw, checked against state, inspect, logs and CLI output at the end.
    const seenPasswords = new Set<string>();

    const nodes = () => outputs.clusterNodes.value as NodeOutput[];
    const ports = () => [...nodes().map((n) => Number(n.hostAddress.split(":")[1])), STANDALONE_PORT];
    const seeds = () => outputs.clusterSeeds.value as string[];
    const credentials = () => {
        const users = outputs.redisUsers.value as Credentials;
        for (const u of Object.values(users)) seenPasswords.add(u.password);
        return users;
    };
    const up = async (what: string) => {
        const started = Date.now();
        const result = await stack.up({ onOutput: log });
        console.log(`      ${what}: up took ${Date.now() - started} ms`);
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
        return result;
    };
    /** Container name -> id and start time: the same after an up means nothing restarted. */
    const starts = async () =>
        Object.fromEntries(
            await Promise.all(
                labelled("ps", label).map(async (name) => {
                    const info = await dockerode.getContainer(name).inspect();
                    return [name, `${info.Id} ${info.State.StartedAt}`];
                }),
            ),
        );

    /** On every node: the user logs in, is refused writing `refused`, and writing `allowed` is not refused by the ACL (OK, or MOVED on a node that does not own its slot). */
    async function enforcedEverywhere(user: string, allowed: string, refused: string): Promise<void> {
        const { password } = credentials()[user];
        for (const port of ports()) {
            const [refusedReply, allowedReply] = await asUser(port, user, password, ["SET", refused, "x"], ["SET", allowed, "x"]);
            assert.match(refusedReply, /^NOPERM/, `port ${port}: ${user} writing ${refused}`);
            assert.match(allowedReply, /^(OK|MOVED )/, `port ${port}: ${user} writing ${allowed}`);
        }
        const cluster = new Cluster(
            seeds().map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            // Fail fast instead of retrying for ever if the user cannot discover the cluster.
            {
                redisOptions: { username: user, password, enableReadyCheck: false },
                clusterRetryStrategy: (times) => (times > 10 ? null : 100),
            },
        );
        try {
            assert.equal(await cluster.set(allowed, "through the cluster"), "OK");
            assert.equal(await cluster.get(allowed), "through the cluster");
            await assert.rejects(cluster.set(refused, "x"), /NOPERM/);
        } finally {
            cluster.disconnect();
        }
    }

    before(async function () {
        stack = suite.stack;
        await stack.setConfig("redis-stack:users.app", { value: APP_RULES }, true);
        await up("up from nothing with one user");
    });

    it("exports each user's generated password as a secret; a user limited to ~app:* writes app:1 and is refused other:1 on every node (masters, replicas, standalone)", async () => {
        assert.equal(outputs.redisUsers.secret, true);
        assert.deepEqual(Object.keys(credentials()), ["app"]);
        assert.equal(credentials().app.username, "app");
        assert.ok(credentials().app.password.length >= 40, "a long generated password");
        assert.equal(ports().length, 7);
        await enforcedEverywhere("app", "app:1", "other:1");
    });

    it("adding a user and changing another's rules is a plain up: no container restarts (same id and start time), the app password stays, every node has the new rules", async () => {
        const before = await starts();
        const appPassword = credentials().app.password;
        await stack.setConfig("redis-stack:users.app", { value: `${APP_RULES} ~shared:*` }, true);
        await stack.setConfig("redis-stack:users.reporter", { value: "~app:* +@read +cluster|slots" }, true);
        await up("adding a user and changing another's rules");
        assert.deepEqual(await starts(), before, "no container was recreated or restarted");
        assert.equal(credentials().app.password, appPassword, "a user's password is stable across ups");
        await enforcedEverywhere("app", "shared:1", "other:1");
        const reporter = credentials().reporter.password;
        for (const port of ports()) {
            const [get, set] = await asUser(port, "reporter", reporter, ["GET", "app:1"], ["SET", "app:1", "y"]);
            assert.doesNotMatch(get, /NOPERM/, `port ${port}: reporter reading app:1`);
            assert.match(set, /^NOPERM/, `port ${port}: reporter writing app:1`);
        }
    });

    it("after a failover the promoted replica enforces the same users, and the project's up brings the old master back", async () => {
        const app = credentials().app.password;
        // The master serving app:1's slot, stopped: its replica takes over.
        const probe = new Redis({ host: "127.0.0.1", port: 7270, password: PASSWORD });
        const slot = Number(await probe.call("CLUSTER", "KEYSLOT", "app:1"));
        probe.disconnect();
        const owner = (outputs.clusterNodes.value as (NodeOutput & { slots: string[]; replicaOf?: string })[]).find((n) =>
            n.slots.some((r) => {
                const [start, end] = r.split("-").map(Number);
                return slot >= start && slot <= (end ?? start);
            }),
        );
        assert.ok(owner, "a master owns app:1's slot");
        const replica = (outputs.clusterNodes.value as (NodeOutput & { replicaOf?: string })[]).find((n) => n.replicaOf === owner.name)!;
        const replicaPort = Number(replica.hostAddress.split(":")[1]);
        docker("stop", "-t", "1", owner.name);
        const deadline = Date.now() + 60000;
        for (;;) {
            const [role] = await asUser(replicaPort, "default", PASSWORD, ["ROLE"]).catch(() => ["down"]);
            if (role.startsWith("master")) break;
            assert.ok(Date.now() < deadline, `${replica.name} was not promoted`);
            await new Promise((r) => setTimeout(r, 50));
        }
        const [write, refused] = await asUser(replicaPort, "app", app, ["SET", "app:1", "after failover"], ["SET", "other:1", "x"]);
        assert.equal(write, "OK", `${replica.name}, promoted, takes app's write of app:1`);
        assert.match(refused, /^NOPERM/);
        await up("healing after the failover");
        await waitClusterOk(seeds(), PASSWORD, 30000);
        await enforcedEverywhere("app", "app:1", "other:1");
    });

    it("a scale-out to 4 masters: the new nodes enforce the users too", async () => {
        await stack.setConfig("redis-stack:masters", { value: "4" });
        await up("scale-out to 4 masters");
        assert.equal(nodes().length, 8);
        await waitClusterOk(seeds(), PASSWORD, 30000);
        await enforcedEverywhere("app", "app:2", "other:2");
    });

    it("rules Redis refuses fail the up before any node changes, naming the user, the node and Redis' reason; preview only shows the change", async () => {
        const before = await starts();
        await stack.setConfig("redis-stack:users.broken", { value: "~app:* +@nosuchcategory" }, true);
        try {
            // Preview never writes to a node, and only a write (a throwaway user) has Redis judge a rule.
            const preview = await stack.preview({ onOutput: log });
            assert.ok((preview.changeSummary.update ?? 0) > 0, JSON.stringify(preview.changeSummary));
            await assert.rejects(stack.up({ onOutput: log }), (err: Error) => {
                assert.match(
                    err.message,
                    /redis-stack:users\.broken: got "~app:\* \+@nosuchcategory"; Redis on node redis-stack-\S+ at 127\.0\.0\.1:\d+ refused it: ERR Error in ACL SETUSER modifier '\+@nosuchcategory': Unknown command or category name in ACL/,
                );
                return true;
            });
        } finally {
            await stack.removeConfig("redis-stack:users.broken", true);
        }
        assert.deepEqual(await starts(), before, "no container changed");
        for (const port of ports()) {
            const users = await asUser(port, "default", PASSWORD, ["ACL", "USERS"]);
            assert.equal(users[0], "app,default,redis-stack,reporter", `port ${port}: no user added, no probe left behind`);
        }
        // Refused without asking Redis: a rule that sets a password (never echoed) and a conflicting default user.
        await stack.setConfig("redis-stack:users.leaky", { value: "~x:* >hunter2-secret" }, true);
        await stack.setConfig("redis-stack:users.default", { value: "-@all" }, true);
        try {
            await assert.rejects(stack.preview({ onOutput: log }), (err: Error) => {
                assert.match(err.message, /users\.leaky: got "~x:\* >\*\*\*": `>\*\*\*` sets or clears a password/);
                assert.match(err.message, /users\.default: got "-@all": `-@all` would change the default user/);
                assert.ok(!err.message.includes("hunter2"), "the password in the rule is not echoed");
                return true;
            });
        } finally {
            await stack.removeConfig("redis-stack:users.leaky", true);
            await stack.removeConfig("redis-stack:users.default", true);
        }
    });

    it("removing a user is a plain up with no restart; it is refused everywhere, a restarted node too, and the others keep working", async () => {
        const before = await starts();
        const reporter = credentials().reporter.password;
        await stack.removeConfig("redis-stack:users.reporter", true);
        await up("removing a user");
        assert.deepEqual(await starts(), before, "no container was recreated or restarted");
        assert.deepEqual(Object.keys(credentials()), ["app"]);
        const restarted = nodes().find((n) => n.role === "replica")!;
        docker("restart", "-t", "1", restarted.name);
        await waitClusterOk(seeds(), PASSWORD, 30000);
        for (const port of ports()) {
            const [auth] = await asUser(port, "reporter", reporter, ["PING"]);
            assert.match(auth, /^WRONGPASS/, `port ${port}: the removed user`);
        }
        await enforcedEverywhere("app", "app:3", "other:3");
    });

    it("no user password in plaintext: not in the state, docker inspect, the nodes' files (hashes only), command lines, logs or CLI output", async () => {
        const passwords = [...seenPasswords];
        assert.ok(passwords.length >= 2);
        const state = suite.cliExport();
        const processes = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
        for (const name of labelled("ps", label)) {
            const inspect = docker("inspect", name);
            const logs = execFileSync("docker", ["logs", name], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
            const file = await readContainerFile(dockerode, name, "/etc/redis-stack-auth.conf");
            assert.match(
                file,
                /^user app reset on #[0-9a-f]{64} ~app:\* \+@read \+@write \+cluster\|slots \+cluster\|info ~shared:\*$/m,
                `${name}'s auth file`,
            );
            for (const password of passwords) {
                assert.ok(!inspect.includes(password), `${name}: docker inspect shows a user password`);
                assert.ok(!logs.includes(password), `${name}: its log shows a user password`);
                assert.ok(!file.includes(password), `${name}: its auth file holds a user password`);
            }
        }
        for (const password of passwords) {
            assert.ok(!state.includes(password), "the state holds a user password in plaintext");
            assert.ok(!processes.includes(password), "a command line shows a user password");
            assert.ok(!suite.cliOutput.includes(password), "the CLI output shows a user password");
        }
    });
});
