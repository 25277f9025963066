// ACL users (redis-stack:users) on the kubernetes runtime, on the local single-node Kubernetes: one
// stack through a sequence. A user limited to `~app:*` may write app:1 and is refused other:1 on every
// node, also after a master's pod is deleted (on the promoted replica and on the pod that comes back);
// adding a user restarts no pod; a removed user is refused everywhere; no user password in plaintext in
// the state, the pod specs or the auth Secret (which holds the hashes only).
import { strict as assert } from "assert";
import { createHash } from "crypto";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { Cluster } from "ioredis";
import { waitClusterOk } from "../support/clusterState";
import { ask, kubectl, poll } from "../support/kubernetes";
import { kubernetesSuiteStack } from "../support/kubernetesStack";
import { withRawClient } from "../support/rawClient";

const PASSWORD = `k8s-${Math.random().toString(36).slice(2)}-Secret`;
// CLUSTER SLOTS: what a cluster client (ioredis) asks for the slot map.
const APP = "~app:* +@read +@write +cluster|slots";
const WORKER = "~jobs:* +@read +@write";

type Credentials = Record<string, { username: string; password: string }>;

/** What one node answers a user: AUTH, then SET of the key ("OK", or the error: MOVED means allowed, at another node). */
function writeAs(address: string, user: string, password: string, key: string): Promise<string> {
    return withRawClient(address, async (c) => {
        await c.call("AUTH", user, password);
        return String(await c.call("SET", key, "v"));
    }).catch((err: Error) => err.message);
}

describe("kubernetes runtime: ACL users (local single-node Kubernetes)", function () {
    const suite = kubernetesSuiteStack("users", {
        "redis-stack:password": { value: PASSWORD, secret: true },
    });
    const { namespace, log } = suite;
    let stack: Stack;
    let outputs: OutputMap;
    /** The password of user app, removed in the sequence. */
    let removedApp = "";

    async function up(what: string): Promise<OutputMap> {
        const started = Date.now();
        const result = await stack.up({ onOutput: log });
        console.log(`      ${what} took ${Date.now() - started} ms`);
        assert.equal(result.summary.result, "succeeded");
        return result.outputs;
    }

    const addresses = () => [...(outputs.clusterSeeds.value as string[]), (outputs.standaloneUrl.value as string).replace("redis://", "")];
    const credentials = () => outputs.redisUsers.value as Credentials;
    /** Every pod's uid, container restarts and start time: unchanged means no pod was restarted. */
    const pods = () =>
        kubectl(
            "get",
            "pods",
            "-n",
            namespace,
            "-o",
            'jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}/{.status.containerStatuses[0].restartCount}/{.status.startTime}{"\\n"}{end}',
        );

    async function assertAppUserEverywhere(at: readonly string[]): Promise<void> {
        const app = credentials().app;
        for (const address of at) {
            assert.match(await writeAs(address, "app", app.password, "app:1"), /^(OK|MOVED )/, `${address}: app may write app:1`);
            assert.match(await writeAs(address, "app", app.password, "other:1"), /NOPERM/, `${address}: app is refused other:1`);
        }
    }

    before(async function () {
        stack = suite.stack;
        // A map: set by path (a JSON string would not be an object).
        await stack.setConfig("redis-stack:users.app", { value: APP }, true);
        outputs = await up("up from nothing with user app");
    });

    it("a ~app:* user writes app:1 and is refused other:1 on every node, the standalone node too", async () => {
        await assertAppUserEverywhere(addresses());
    });

    it("still holds after a master's pod is deleted: on the replica promoted in its place and on the pod that comes back", async () => {
        const seeds = outputs.clusterSeeds.value as string[];
        const master = seeds[0];
        const masterId = await ask(master, PASSWORD, "CLUSTER", "MYID");
        const view = (await ask(master, PASSWORD, "CLUSTER", "NODES")) ?? "";
        // The replica of node-0: its address (ip:port@bus) from the line that names node-0's id as its master.
        const replicaLine = view.split("\n").find((l) => l.split(" ")[3] === masterId)!;
        const replica = replicaLine.split(" ")[1].split("@")[0];
        const uidBefore = kubectl("get", "pod", "node-0-0", "-n", namespace, "-o", "jsonpath={.metadata.uid}");
        kubectl("delete", "pod", "node-0-0", "-n", namespace, "--wait=false");
        // The pod is back within a few seconds, before the cluster would fail it over: the failover is forced
        // at its replica, as the cluster makes it after cluster-node-timeout.
        await poll("node-0's replica takes over", 60000, async () => {
            if ((await ask(replica, PASSWORD, "ROLE"))?.startsWith("master")) return true;
            await ask(replica, PASSWORD, "CLUSTER", "FAILOVER", "FORCE");
            return undefined;
        });
        await poll("node-0 is back as a new pod with its node id", 120000, async () => {
            const uid = kubectl("get", "pod", "node-0-0", "-n", namespace, "-o", "jsonpath={.metadata.uid}");
            if (uid === uidBefore || uid === "") return undefined;
            return (await ask(master, PASSWORD, "CLUSTER", "MYID")) === masterId ? true : undefined;
        });
        await waitClusterOk(seeds, PASSWORD, 120000);
        assert.match((await ask(replica, PASSWORD, "ROLE")) ?? "", /^master/, `${replica} was promoted`);
        await assertAppUserEverywhere(seeds);
        // Through the cluster, at the promoted replica: app:1 lands in whichever shard owns it.
        const app = credentials().app;
        const cluster = new Cluster(
            seeds.map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            { redisOptions: { username: "app", password: app.password }, enableReadyCheck: false },
        );
        try {
            for (let i = 0; i < 20; i++) assert.equal(await cluster.set(`app:${i}`, "v"), "OK");
        } finally {
            cluster.disconnect();
        }
    });

    it("a bad rule is refused at up by a running node, naming the user, before the auth Secret or any pod changes (preview only reads: it shows the change)", async () => {
        const before = pods();
        const authFile = () =>
            Buffer.from(
                kubectl("get", "secret", "cluster-auth", "-n", namespace, "-o", "jsonpath={.data.auth\\.conf}"),
                "base64",
            ).toString();
        const authBefore = authFile();
        await stack.setConfig("redis-stack:users.app", { value: `${APP} +@no-such-category` }, true);
        try {
            await stack.preview({ onOutput: log });
            await assert.rejects(stack.up({ onOutput: log }), /app[\s\S]*no-such-category|no-such-category[\s\S]*app/);
        } finally {
            await stack.setConfig("redis-stack:users.app", { value: APP }, true);
        }
        assert.equal(pods(), before);
        assert.equal(authFile(), authBefore, "a pod that starts now still gets the users it had: the Secret never took the refused rule");
    });

    it("adding a user is a plain up that restarts no pod, and the user works on every node", async () => {
        const before = pods();
        await stack.setConfig("redis-stack:users.worker", { value: WORKER }, true);
        outputs = await up("up adding user worker");
        assert.equal(pods(), before, "same pods, same restarts, same start times");
        const worker = credentials().worker;
        for (const address of addresses()) {
            assert.match(
                await writeAs(address, "worker", worker.password, "jobs:1"),
                /^(OK|MOVED )/,
                `${address}: worker may write jobs:1`,
            );
            assert.match(await writeAs(address, "worker", worker.password, "app:1"), /NOPERM/, `${address}: worker is refused app:1`);
        }
        await assertAppUserEverywhere(addresses());
    });

    it("a removed user is refused on every node, with no pod restarted", async () => {
        const app = credentials().app;
        removedApp = app.password;
        const before = pods();
        await stack.removeConfig("redis-stack:users.app", true);
        outputs = await up("up removing user app");
        assert.equal(pods(), before);
        for (const address of addresses()) {
            assert.match(await writeAs(address, "app", app.password, "app:1"), /WRONGPASS/, `${address}: the removed user app is refused`);
        }
    });

    it("no user password in plaintext in the state, the pod specs, the CLI output or the auth Secret (hashes only)", async () => {
        const worker = credentials().worker.password;
        const state = suite.cliExport();
        assert.ok(!state.includes(worker), "state");
        assert.ok(!kubectl("get", "pods,statefulsets", "-n", namespace, "-o", "json").includes(worker), "pod specs");
        assert.ok(!suite.cliOutput.includes(worker), "CLI output");
        const auth = Buffer.from(
            kubectl("get", "secret", "cluster-auth", "-n", namespace, "-o", "jsonpath={.data.auth\\.conf}"),
            "base64",
        ).toString();
        assert.ok(!auth.includes(worker), "Secret");
        const hash = createHash("sha256").update(worker).digest("hex");
        assert.ok(auth.includes(`user worker reset on #${hash} ~jobs:* +@read +@write\n`), "the Secret carries the hash");
        assert.ok(!auth.includes("user app "), "the removed user is gone from the Secret");
    });

    it("a container that restarts in its pod (redis-server exits) comes back with the users as they are now: the added one, not the removed one", async () => {
        const restarts = () =>
            kubectl("get", "pod", "node-1-0", "-n", namespace, "-o", "jsonpath={.status.containerStatuses[0].restartCount}");
        // The kubelet brings the pod's Secret directory up to date (within its sync period): wait for that.
        // Shell builtins only (the image may have no grep): the names of the file's `user` lines, never its secrets.
        const listUsers =
            'while read -r word name rest; do [ "$word" = user ] && echo "user $name"; done < /etc/redis-stack-secret/auth.conf; true';
        const usersInPod = () => kubectl("exec", "node-1-0", "-n", namespace, "--", "sh", "-c", listUsers);
        const waited = Date.now();
        await poll("node-1's Secret file has the users as they are now", 150000, async () =>
            usersInPod() === "user redis-stack\nuser worker" ? true : undefined,
        );
        console.log(`      the Secret change reached the running pod's file in ${Date.now() - waited} ms (after the up)`);
        const before = restarts();
        // SIGTERM to redis-server (PID 1 in the container): it exits and the kubelet restarts the container.
        kubectl("exec", "node-1-0", "-n", namespace, "--", "sh", "-c", "kill 1");
        const seeds = outputs.clusterSeeds.value as string[];
        await poll("node-1's container restarted and answers", 120000, async () =>
            restarts() !== before && (await ask(seeds[1], PASSWORD, "PING")) === "PONG" ? true : undefined,
        );
        console.log(
            `      node-1 container after kill: ${kubectl("get", "pod", "node-1-0", "-n", namespace, "-o", "jsonpath={.status.containerStatuses[0].lastState}")}`,
        );
        // Writes need the cluster ok again (CLUSTERDOWN otherwise, after the ACL check has passed).
        await waitClusterOk(seeds, PASSWORD, 120000);
        const worker = credentials().worker;
        const added = await writeAs(seeds[1], "worker", worker.password, "jobs:1");
        assert.match(added, /^(OK|MOVED )/, `the user added while it ran: ${added}`);
        const removed = await writeAs(seeds[1], "app", removedApp, "app:1");
        assert.match(removed, /WRONGPASS/, `the user removed while it ran: ${removed}`);
    });
});
