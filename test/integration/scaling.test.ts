// Reshaping a formed cluster with data: more masters, fewer masters, more replicas, fewer replicas.
// Each step is what `pulumi up` does after the config changes: the new node specs' containers run,
// then the formation step reconciles (with the removed nodes as leaving).
import { strict as assert } from "assert";
import Redis, { Cluster } from "ioredis";
import { FormationResult, formCluster } from "../../components/redis/form";
import { parseInfo } from "../../components/redis/clusterView";
import { formatSlotRanges, planSlots } from "../../components/topology/topology";
import { removeContainer, removeVolume } from "../../components/runtime/dockerEngine";
import { Fixture, placedFormationNodes } from "../support/fixture";
import { ClusterWriter } from "../support/writer";

const KEYS = 2000;
const BASE = { basePort: "7150", standalonePort: "6480", subnet: "172.30.105.0/24" };

function fixtureFor(masters: number, replicasPerMaster: number): Fixture {
    return new Fixture("rs-it-scale", { ...BASE, masters: String(masters), replicasPerMaster: String(replicasPerMaster) });
}

/** Brings the cluster to `to`, as an `up` from `from` would: start new containers, reconcile, remove the left-overs. */
async function reshape(from: Fixture, to: Fixture): Promise<FormationResult> {
    await to.start({ standalone: false });
    const kept = new Set(to.topology.clusterNodes.map((n) => n.name));
    const leaving = placedFormationNodes(from.topology).filter((n) => !kept.has(n.name));
    const steps: string[] = [];
    const result = await formCluster(
        {
            nodes: placedFormationNodes(to.topology),
            slotPlan: to.topology.slotPlan,
            retiring: leaving,
            connectTimeoutMs: 20000,
            timeoutMs: 120000,
        },
        (step, ms) => steps.push(`${step} at ${ms} ms`),
    );
    console.log(`      ${steps.join("; ")}`);
    for (const node of from.topology.clusterNodes.filter((n) => !kept.has(n.name))) {
        await removeContainer(from.docker, node.name);
        await removeVolume(from.docker, node.volume);
    }
    return result;
}

/** `reshape` with a client writing all along; every acknowledged write is read back afterwards. */
async function reshapeUnderWrites(from: Fixture, to: Fixture, what: string): Promise<FormationResult> {
    const seed = from.topology.clusterNodes[0];
    const cluster = new Cluster([{ host: seed.announceHost, port: seed.clientPort }]);
    const writer = new ClusterWriter(cluster, what);
    try {
        const result = await reshape(from, to);
        const report = await writer.stopAndVerify();
        console.log(`      writer during ${what}: ${JSON.stringify(report)}`);
        assert.ok(report.acknowledged > 100, "the writer kept writing during the move");
        assert.equal(report.lost, 0, "no acknowledged write was lost");
        return result;
    } finally {
        cluster.disconnect();
    }
}

async function countIntactKeys(fixture: Fixture): Promise<number> {
    const cluster = new Cluster(fixture.topology.clusterNodes.slice(0, 1).map((n) => ({ host: n.announceHost, port: n.clientPort })));
    try {
        let intact = 0;
        for (let i = 0; i < KEYS; i++) if ((await cluster.get(`scale:${i}`)) === `v${i}`) intact++;
        return intact;
    } finally {
        cluster.disconnect();
    }
}

async function knownNodes(fixture: Fixture): Promise<number[]> {
    return Promise.all(
        fixture.topology.clusterNodes.map(async (n) => {
            const c = new Redis(n.clientPort, "127.0.0.1");
            try {
                return Number(parseInfo(String(await c.call("CLUSTER", "INFO"))).cluster_known_nodes);
            } finally {
                c.disconnect();
            }
        }),
    );
}

/** Slot -> the name of the master holding it. */
function ownersOf(result: FormationResult): Map<number, string> {
    const owners = new Map<number, string>();
    for (const node of result.nodes.filter((n) => n.role === "master")) {
        for (const range of node.slots) {
            const [start, end] = range.split("-").map(Number);
            for (let slot = start; slot <= (end ?? start); slot++) {
                assert.ok(!owners.has(slot), `slot ${slot} is held by ${owners.get(slot)} and ${node.name}`);
                owners.set(slot, node.name);
            }
        }
    }
    return owners;
}

/** Slots whose master changed between two results. */
function movedSlots(before: FormationResult, after: FormationResult): number {
    const was = ownersOf(before);
    const now = ownersOf(after);
    let moved = 0;
    for (const [slot, owner] of now) if (was.get(slot) !== owner) moved++;
    return moved;
}

/**
 * Every slot is held exactly once; each shard's master holds as many slots as redis-cli gives that
 * shard (planSlots), wherever they are; each master has its replicas.
 */
function assertShape(fixture: Fixture, result: FormationResult, masters: number, replicasPerMaster: number): void {
    const ms = result.nodes.filter((n) => n.role === "master");
    assert.equal(ms.length, masters);
    assert.equal(ownersOf(result).size, 16384, "every slot is held");
    const shardOf = new Map(fixture.topology.clusterNodes.map((n) => [n.name, n.shard]));
    const plan = planSlots(masters);
    for (const m of ms) {
        const held = m.slots.reduce((n, range) => {
            const [start, end] = range.split("-").map(Number);
            return n + (end ?? start) - start + 1;
        }, 0);
        const range = plan[shardOf.get(m.name)!];
        assert.equal(held, range.end - range.start + 1, `${m.name} holds its shard's share`);
        assert.equal(result.nodes.filter((n) => n.replicaOf === m.name).length, replicasPerMaster, `replicas of ${m.name}`);
    }
}

describe("scaling a cluster with data (real containers)", function () {
    const three = fixtureFor(3, 1);
    /** The latest result: slots moved are counted against it. */
    let last: FormationResult;

    before(async function () {
        await fixtureFor(3, 2).destroy();
        await fixtureFor(4, 1).destroy();
        await three.start({ standalone: false });
        last = await formCluster({ nodes: placedFormationNodes(three.topology), slotPlan: three.topology.slotPlan });
        assert.deepEqual(
            last.nodes.filter((n) => n.role === "master").map((m) => m.slots),
            planSlots(3).map((r) => formatSlotRanges([r])),
        );
        const cluster = new Cluster([
            { host: three.topology.clusterNodes[0].announceHost, port: three.topology.clusterNodes[0].clientPort },
        ]);
        for (let i = 0; i < KEYS; i++) await cluster.set(`scale:${i}`, `v${i}`);
        cluster.disconnect();
    });
    after(async () => {
        await fixtureFor(3, 2).destroy();
        await fixtureFor(4, 1).destroy();
    });

    it("3 -> 4 masters under a writer: the new nodes join, the new master takes the minimum of slots (4096) from the others with their keys, none is lost, 0 acknowledged writes lost", async () => {
        const four = fixtureFor(4, 1);
        const result = await reshapeUnderWrites(three, four, "scale-out");
        const moved = movedSlots(last, result);
        console.log(`      3 -> 4 masters took ${result.elapsedMs} ms, moved ${moved} slots`);
        assertShape(four, result, 4, 1);
        assert.equal(moved, 4096, "only the new master's share moved");
        assert.equal(await countIntactKeys(four), KEYS);
        assert.deepEqual(await knownNodes(four), Array(8).fill(8));
        last = result;
    });

    it("4 -> 3 masters under a writer: only the leaving master's slots move (4096), back to redis-cli's layout, then every node forgets it; 0 acknowledged writes lost", async () => {
        const result = await reshapeUnderWrites(fixtureFor(4, 1), three, "scale-in");
        const moved = movedSlots(last, result);
        console.log(`      4 -> 3 masters took ${result.elapsedMs} ms, moved ${moved} slots`);
        assertShape(three, result, 3, 1);
        assert.equal(moved, 4096, "only the leaving master's slots moved");
        assert.deepEqual(
            result.nodes.filter((n) => n.role === "master").map((m) => m.slots),
            planSlots(3).map((r) => formatSlotRanges([r])),
        );
        assert.equal(await countIntactKeys(three), KEYS);
        assert.deepEqual(await knownNodes(three), Array(6).fill(6));
        last = result;
    });

    it("1 -> 2 replicas per master, then back to 1, moving no slot", async () => {
        const twoReplicas = fixtureFor(3, 2);
        const up = await reshape(three, twoReplicas);
        assertShape(twoReplicas, up, 3, 2);
        assert.equal(movedSlots(last, up), 0);
        assert.deepEqual(await knownNodes(twoReplicas), Array(9).fill(9));
        const down = await reshape(twoReplicas, three);
        assertShape(three, down, 3, 1);
        assert.equal(movedSlots(up, down), 0);
        assert.deepEqual(await knownNodes(three), Array(6).fill(6));
        assert.equal(await countIntactKeys(three), KEYS);
    });
});
