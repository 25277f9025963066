// Records the formation planner's unit-test fixtures from real Redis containers: each scenario's
// observation (raw CLUSTER NODES, CLUSTER INFO, INFO replication, DBSIZE... of every node) and the
// spec it is planned against, into test/unit/fixtures/formation/<name>.json.
// Run under the docker lock:
//   REDIS_STACK_TEST_IMAGE=... flock /tmp/redis-stack-docker.lock npx ts-node --transpile-only test/support/recordFormationFixtures.ts
import { strict as assert } from "assert";
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import Redis, { Cluster } from "ioredis";
import { FormationSpec, formCluster, inspectCluster } from "../../components/redis/form";
import { connectAll, disconnectAll, observe } from "../../components/redis/observe";
import { isMaster, myself, parseClusterNodes } from "../../components/redis/clusterView";
import { natMap } from "../../components/runtime/dockerPlacement";
import { removeContainer, removeNetwork, removeVolume } from "../../components/runtime/dockerEngine";
import { Fixture, placedFormationNodes } from "./fixture";

const OUT = join(__dirname, "..", "unit", "fixtures", "formation");
const BASE = { basePort: "7500", standalonePort: "6959", subnet: "172.30.113.0/24" };
const MOVED_SUBNET = "172.30.114.0/24";

function fixtureFor(masters: number, replicasPerMaster: number, subnet = BASE.subnet): Fixture {
    return new Fixture("rs-fx-plan", { ...BASE, subnet, masters: String(masters), replicasPerMaster: String(replicasPerMaster) });
}

function specOf(fixture: Fixture, retiring: Fixture | undefined = undefined): FormationSpec {
    const kept = new Set(fixture.topology.clusterNodes.map((n) => n.name));
    return {
        nodes: placedFormationNodes(fixture.topology),
        slotPlan: fixture.topology.slotPlan,
        ...(retiring ? { retiring: placedFormationNodes(retiring.topology).filter((n) => !kept.has(n.name)) } : {}),
    };
}

async function record(name: string, description: string, spec: FormationSpec): Promise<void> {
    const everyone = await connectAll([...spec.nodes, ...(spec.retiring ?? [])], undefined, 20000);
    try {
        const observation = await observe(everyone);
        const fixture = { description, spec: { nodes: spec.nodes, slotPlan: spec.slotPlan, retiring: spec.retiring ?? [] }, observation };
        writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
        console.log(`recorded ${name}`);
    } finally {
        disconnectAll(everyone);
    }
}

async function client(fixture: Fixture, index: number): Promise<Redis> {
    const n = fixture.topology.clusterNodes[index];
    const c = new Redis({ host: n.hostAddress.host, port: n.hostAddress.port, lazyConnect: true });
    await c.connect();
    return c;
}

async function idOf(c: Redis): Promise<string> {
    return myself(parseClusterNodes(String(await c.call("CLUSTER", "NODES")))).id;
}

async function failover(fixture: Fixture, index: number): Promise<void> {
    const c = await client(fixture, index);
    try {
        await c.call("CLUSTER", "FAILOVER");
        for (;;) {
            if (isMaster(myself(parseClusterNodes(String(await c.call("CLUSTER", "NODES")))))) break;
            await new Promise((r) => setTimeout(r, 20));
        }
    } finally {
        c.disconnect();
    }
    for (;;) {
        const seen = await inspectCluster(specOf(fixture));
        if (seen.healthy) return;
        await new Promise((r) => setTimeout(r, 50));
    }
}

async function removeNodes(fixture: Fixture, from: number): Promise<void> {
    for (const node of fixture.topology.clusterNodes.slice(from)) {
        await removeContainer(fixture.docker, node.name);
        await removeVolume(fixture.docker, node.volume);
    }
}

async function main(): Promise<void> {
    mkdirSync(OUT, { recursive: true });
    const three = fixtureFor(3, 1);
    const four = fixtureFor(4, 1);
    const twoReplicas = fixtureFor(3, 2);
    const moved = fixtureFor(3, 1, MOVED_SUBNET);
    const all = [three, four, twoReplicas, moved];
    for (const f of all) await f.destroy();
    try {
        await three.start({ standalone: false });
        await record("fresh-3x1", "six fresh nodes, nothing formed: plans redis-cli's layout", specOf(three));
        await formCluster(specOf(three));
        await record("healthy-3x1", "a healthy 3 masters + 3 replicas cluster formed as planned: plans nothing", specOf(three));

        await failover(three, 3);
        await record(
            "failed-over-3x1",
            "node 3 took over shard 0 from node 0 (CLUSTER FAILOVER): roles swapped, plans nothing",
            specOf(three),
        );
        await failover(three, 0);

        // Slot 15495 ("{a}") half-moved from node 2 to node 0: 5 of its 20 keys are on node 0.
        const cluster = new Cluster(
            [{ host: three.topology.clusterNodes[0].announceHost, port: three.topology.clusterNodes[0].clientPort }],
            { natMap: natMap(three.topology.clusterNodes) },
        );
        for (let i = 0; i < 20; i++) await cluster.set(`{a}:${i}`, `v${i}`);
        const [c0, c2] = [await client(three, 0), await client(three, 2)];
        const [id0, id2] = [await idOf(c0), await idOf(c2)];
        assert.equal(Number(await c0.call("CLUSTER", "KEYSLOT", "{a}")), 15495);
        await c0.call("CLUSTER", "SETSLOT", "15495", "IMPORTING", id2);
        await c2.call("CLUSTER", "SETSLOT", "15495", "MIGRATING", id0);
        const node0 = three.topology.clusterNodes[0];
        await c2.call(
            "MIGRATE",
            node0.announceHost,
            String(node0.clientPort),
            "",
            "0",
            "5000",
            "KEYS",
            ...Array.from({ length: 5 }, (_, i) => `{a}:${i}`),
        );
        c0.disconnect();
        c2.disconnect();
        await record(
            "half-moved-slot",
            "slot 15495 left MIGRATING on node 2 and IMPORTING on node 0, 5 of its 20 keys moved: planned closed",
            specOf(three),
        );
        await formCluster(specOf(three));
        for (let i = 0; i < 20; i++) assert.equal(await cluster.get(`{a}:${i}`), `v${i}`, "the half-moved slot's keys survive closing it");
        cluster.disconnect();

        await four.start({ standalone: false });
        await record("scale-out-3x1-to-4x1", "a healthy 3x1 cluster and two fresh nodes, planned as 4 masters + 4 replicas", specOf(four));
        await formCluster(specOf(four));
        await record("healthy-4x1", "the 4x1 cluster formed by scaling out (minimal moves): plans nothing", specOf(four));
        await record("scale-in-4x1-to-3x1", "the 4x1 cluster planned as 3x1, nodes 6 and 7 retiring", specOf(three, four));
        await formCluster(specOf(three, four));
        await removeNodes(four, 6);

        await twoReplicas.start({ standalone: false });
        await record(
            "replicas-1-to-2",
            "a healthy 3x1 cluster and three fresh nodes, planned as 3 masters with 2 replicas each",
            specOf(twoReplicas),
        );
        await removeNodes(twoReplicas, 6);

        // The stack moves to another subnet: same volumes (nodes.conf), new announced addresses.
        for (const node of three.topology.clusterNodes) await removeContainer(three.docker, node.name);
        await removeNetwork(three.docker, three.topology.network!.name);
        await moved.start({ standalone: false });
        await record(
            "new-address-3x1",
            "the 3x1 cluster restarted on another subnet: every node knows its peers at their old addresses",
            specOf(moved),
        );
        await formCluster(specOf(moved));
        const after = await inspectCluster(specOf(moved));
        assert.ok(after.healthy, after.problem);
    } finally {
        for (const f of all) await f.destroy();
    }
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
