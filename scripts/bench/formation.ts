// Formation on fresh nodes: this project's step versus `redis-cli --cluster create`, measured from
// "every node answers PING" to the shared finish line in health.ts.
import { formCluster } from "../../components/redis/form";
import { Fixture, placedFormationNodes } from "../../test/support/fixture";
import { waitAnswering, waitClusterHealthy } from "./health";
import { BENCH_BASE_PORT, BENCH_FIXTURE_SUBNET, BENCH_STANDALONE_PORT } from "./ports";

export type FormationMethod = "redis-stack" | "redis-cli";

/**
 * `settleMs`: how long the nodes have been answering before the clock starts. Redis keeps a master
 * that started less than 2 s ago from reporting ok (its writable delay), so a cluster formed right
 * after start cannot be faster than that, whatever forms it.
 */
export async function timeFormation(method: FormationMethod, masters: number, settleMs = 0): Promise<number> {
    const fixture = new Fixture("rs-bench-form", {
        masters: String(masters),
        basePort: String(BENCH_BASE_PORT),
        standalonePort: String(BENCH_STANDALONE_PORT),
        subnet: BENCH_FIXTURE_SUBNET,
    });
    await fixture.destroy();
    try {
        await fixture.start({ standalone: false });
        const ports = fixture.topology.clusterNodes.map((n) => n.clientPort);
        await waitAnswering(ports);
        await new Promise((r) => setTimeout(r, settleMs));
        const started = Date.now();
        if (method === "redis-stack") {
            await formCluster({ nodes: placedFormationNodes(fixture.topology), slotPlan: fixture.topology.slotPlan });
        } else {
            const node0 = fixture.topology.clusterNodes[0];
            const out = await fixture.redisCli(node0, [
                "--cluster",
                "create",
                ...fixture.topology.clusterNodes.map((n) => `${n.announceHost}:${n.clientPort}`),
                "--cluster-replicas",
                "1",
                "--cluster-yes",
            ]);
            if (!/All 16384 slots covered/.test(out)) throw new Error(`redis-cli --cluster create failed:\n${out}`);
        }
        await waitClusterHealthy(ports, fixture.topology.clusterNodes.length - masters);
        return Date.now() - started;
    } finally {
        await fixture.destroy();
    }
}
