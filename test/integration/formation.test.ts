// The formation step against real redis-server containers on a real Docker engine.
import { strict as assert } from "assert";
import Redis, { Cluster } from "ioredis";
import { formCluster, FormationSpec } from "../../components/redis/form";
import { parseClusterNodes, parseInfo } from "../../components/redis/clusterView";
import { natMap } from "../../components/runtime/dockerPlacement";
import { Fixture, placedFormationNodes } from "../support/fixture";

// The hand-run recipe's keys and the slots `redis-cli -c` redirects them to.
const RECIPE_KEYS: ReadonlyArray<[string, string, number]> = [
    ["foo", "bar", 12182],
    ["hello", "world", 866],
    ["weather", "nice", 8949],
];

function specOf(fixture: Fixture, overrides: Partial<FormationSpec> = {}): FormationSpec {
    return {
        nodes: placedFormationNodes(fixture.topology),
        slotPlan: fixture.topology.slotPlan,
        password: fixture.password,
        connectTimeoutMs: 20000,
        ...overrides,
    };
}

async function clusterInfo(host: string, port: number, password?: string): Promise<Record<string, string>> {
    const client = new Redis({ host, port, password, lazyConnect: true });
    await client.connect();
    try {
        return parseInfo(String(await client.call("CLUSTER", "INFO")));
    } finally {
        client.disconnect();
    }
}

/** Every node's view of membership, roles, slots and the current epoch: any write would change it. */
async function clusterSnapshot(fixture: Fixture): Promise<Array<{ view: string[]; epoch: string }>> {
    return Promise.all(
        fixture.topology.clusterNodes.map(async (n) => {
            const c = new Redis(n.hostAddress.port, n.hostAddress.host);
            try {
                const view = parseClusterNodes(String(await c.call("CLUSTER", "NODES")));
                const epoch = parseInfo(String(await c.call("CLUSTER", "INFO"))).cluster_current_epoch;
                return {
                    view: view
                        .map((v) => `${v.id} ${v.flags.filter((f) => f !== "myself").join(",")} ${v.masterId ?? "-"} ${v.slots.length}`)
                        .sort(),
                    epoch,
                };
            } finally {
                c.disconnect();
            }
        }),
    );
}

describe("formation on fresh nodes (real containers)", function () {
    const fixture = new Fixture("rs-it-form", { basePort: "7100", standalonePort: "6479", subnet: "172.30.101.0/24" });
    let firstRun: Awaited<ReturnType<typeof formCluster>>;

    before(async function () {
        await fixture.destroy();
        await fixture.start();
        firstRun = await formCluster(specOf(fixture));
        console.log(`      formation on ${fixture.topology.clusterNodes.length} fresh nodes took ${firstRun.elapsedMs} ms`);
    });
    after(() => fixture.destroy());

    it("reports a change and 3 masters with one replica each", () => {
        assert.equal(firstRun.changed, true);
        const masters = firstRun.nodes.filter((n) => n.role === "master");
        const replicas = firstRun.nodes.filter((n) => n.role === "replica");
        assert.equal(masters.length, 3);
        assert.equal(replicas.length, 3);
        assert.deepEqual(
            masters.map((m) => m.slots),
            [["0-5460"], ["5461-10922"], ["10923-16383"]],
        );
        for (const master of masters) {
            assert.equal(replicas.filter((r) => r.replicaOf === master.name).length, 1, `one replica follows ${master.name}`);
        }
    });

    it("every node reports cluster_state:ok with 16384 slots and 6 known nodes", async () => {
        for (const node of fixture.topology.clusterNodes) {
            const info = await clusterInfo(node.hostAddress.host, node.hostAddress.port);
            assert.equal(info.cluster_state, "ok", node.name);
            assert.equal(info.cluster_slots_assigned, "16384", node.name);
            assert.equal(info.cluster_slots_ok, "16384", node.name);
            assert.equal(info.cluster_known_nodes, "6", node.name);
            assert.equal(info.cluster_size, "3", node.name);
        }
    });

    it("leaves every node's cluster-node-timeout at its configured value", async () => {
        for (const node of fixture.topology.clusterNodes) {
            const client = new Redis(node.hostAddress.port, node.hostAddress.host);
            const reply = (await client.call("CONFIG", "GET", "cluster-node-timeout")) as string[];
            client.disconnect();
            assert.equal(reply[1], String(fixture.settings.clusterNodeTimeoutMs), node.name);
        }
    });

    it("every replica's link to its master is up", async () => {
        for (const node of fixture.topology.clusterNodes.filter((n) => n.role === "replica")) {
            const client = new Redis(node.hostAddress.port, node.hostAddress.host);
            const replication = parseInfo(await client.info("replication"));
            client.disconnect();
            assert.equal(replication.role, "slave", node.name);
            assert.equal(replication.master_link_status, "up", node.name);
        }
    });

    it("an ioredis Cluster client on the host writes and reads the recipe's keys in their slots", async () => {
        const seeds = fixture.topology.clusterNodes.map((n) => n.hostAddress);
        const cluster = new Cluster(seeds, { natMap: natMap(fixture.topology.clusterNodes) });
        try {
            for (const [key, value, slot] of RECIPE_KEYS) {
                assert.equal(Number(await cluster.call("CLUSTER", "KEYSLOT", key)), slot);
                assert.equal(await cluster.set(key, value), "OK");
                assert.equal(await cluster.get(key), value);
            }
        } finally {
            cluster.disconnect();
        }
    });

    it("redis-cli -c inside a container on the stack's network follows redirects to the announced addresses", async () => {
        const node0 = fixture.topology.clusterNodes[0];
        for (const [key, value, slot] of RECIPE_KEYS) {
            const out = await fixture.redisCli(node0, [
                "-c",
                "-h",
                node0.announceHost,
                "-p",
                String(node0.clientPort),
                "set",
                key,
                `${value}-cli`,
            ]);
            assert.match(out, /OK/);
            const read = await fixture.redisCli(node0, ["-c", "-h", node0.announceHost, "-p", String(node0.clientPort), "get", key]);
            assert.equal(read.trim(), `${value}-cli`);
            const keyslot = await fixture.redisCli(node0, ["-p", String(node0.clientPort), "cluster", "keyslot", key]);
            assert.equal(Number(keyslot.trim()), slot);
        }
        const check = await fixture.redisCli(node0, ["--cluster", "check", `${node0.announceHost}:${node0.clientPort}`]);
        assert.match(check, /\[OK\] All 16384 slots covered/);
    });

    it("running it again on the formed cluster changes nothing", async () => {
        const before = await clusterSnapshot(fixture);
        const again = await formCluster(specOf(fixture));
        assert.equal(again.changed, false);
        assert.deepEqual(
            again.nodes.map((n) => [n.name, n.id, n.role]),
            firstRun.nodes.map((n) => [n.name, n.id, n.role]),
        );
        const after = await clusterSnapshot(fixture);
        assert.deepEqual(after, before);
    });

    it("a node that does not answer gives an error naming it within the bound", async () => {
        const nodes = placedFormationNodes(fixture.topology);
        const ghost = { ...nodes[5], name: "ghost-node", port: 7199 };
        const started = Date.now();
        await assert.rejects(
            formCluster({ ...specOf(fixture), nodes: [...nodes.slice(0, 5), ghost], connectTimeoutMs: 1500 }),
            (err: Error) => {
                assert.match(err.message, /node ghost-node at 127\.0\.0\.1:7199 did not answer within 2 s/);
                return true;
            },
        );
        assert.ok(Date.now() - started < 10000, "gave up in bounded time");
    });
});

describe("formation with a password (real containers)", function () {
    const password = "s3cret-Pa55word-for-tests";
    const fixture = new Fixture("rs-it-auth", { basePort: "7200", standalonePort: "6579", subnet: "172.30.102.0/24" }, password);

    before(async function () {
        await fixture.destroy();
        await fixture.start();
    });
    after(() => fixture.destroy());

    it("a wrong password gives an error saying so, without the password in it", async () => {
        const wrong = "definitely-not-the-password";
        await assert.rejects(formCluster(specOf(fixture, { password: wrong })), (err: Error) => {
            assert.match(err.message, /rejected the credentials: wrong password/);
            assert.match(err.message, /rs-it-auth-node-\d/);
            assert.ok(!err.message.includes(wrong) && !err.message.includes(password));
            return true;
        });
    });

    it("no password against a protected node says one is required", async () => {
        await assert.rejects(
            formCluster(specOf(fixture, { password: undefined })),
            /requires a password but none is configured \(NOAUTH\)/,
        );
    });

    it("the right password forms the cluster and replicas authenticate to their masters", async () => {
        const result = await formCluster(specOf(fixture));
        assert.equal(result.nodes.filter((n) => n.role === "replica" && n.replicaOf).length, 3);
        const info = await clusterInfo("127.0.0.1", 7200, password);
        assert.equal(info.cluster_state, "ok");
    });
});
