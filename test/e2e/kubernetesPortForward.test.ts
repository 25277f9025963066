// `redis-stack:access portForward` on the local single-node Kubernetes: with the Services' range
// blackholed on this machine for the test's duration (so a ClusterIP cannot be reached from here, as
// from a laptop against a remote cluster), the stack still forms, scales with its keys and rolls a
// settings change: every connection its own code makes goes through the API server. The test itself
// reaches the nodes the same way (runtime/kubernetes/portForward.ts), through ioredis's natMap.
import { strict as assert } from "assert";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { Cluster } from "ioredis";
import { connectNode, reachingThrough } from "../../components/redis/connect";
import { parseInfo } from "../../components/redis/clusterView";
import { NodeForwards, openNodeForwards } from "../../components/runtime/kubernetes/portForward";
import { KUBECONFIG, poll } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { blackholeServices, opens } from "../support/serviceRange";

const PASSWORD = `k8s-${Math.random().toString(36).slice(2)}-Secret`;
const KEYS = 200;

describe("kubernetes runtime with access portForward (Service range unreachable from this machine)", function () {
    const suite = kubernetesSuiteStack("pf", {
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:access": { value: "portForward" },
    });
    const { namespace, log } = suite;
    let stack: Stack;

    async function up(what: string): Promise<OutputMap> {
        const result = await timed(what, () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        return result.outputs;
    }

    /** Runs `check` with forwards to the stack's nodes, closed after. */
    async function throughForwards<T>(check: (forwards: NodeForwards) => Promise<T>): Promise<T> {
        const forwards = openNodeForwards({ mode: "portForward", kubeconfig: KUBECONFIG, namespace });
        try {
            return await check(forwards);
        } finally {
            await forwards.close();
        }
    }

    /** What `ask` gets from each seed, connected as the stack connects: through forwards. */
    const onEverySeed = <T>(seeds: readonly string[], ask: (client: Awaited<ReturnType<typeof connectNode>>) => Promise<T>) =>
        throughForwards((forwards) =>
            reachingThrough(
                (node) => forwards.reach(node),
                () =>
                    Promise.all(
                        seeds.map(async (seed) => {
                            const [host, port] = seed.split(":");
                            const client = await connectNode({ name: seed, host, port: Number(port) }, PASSWORD, 10000);
                            try {
                                return await ask(client);
                            } finally {
                                client.disconnect();
                            }
                        }),
                    ),
            ),
        );

    /** Every seed's CLUSTER INFO state, through forwards. */
    const clusterStates = (seeds: readonly string[]) =>
        onEverySeed(seeds, async (client) => parseInfo(String(await client.call("CLUSTER", "INFO"))).cluster_state);

    /** One setting's value on every seed, through forwards. */
    const settingOnEvery = (seeds: readonly string[], name: string) =>
        onEverySeed(seeds, async (client) => ((await client.call("CONFIG", "GET", name)) as string[])[1]);

    /** A cluster client whose every node address (ClusterIP:port) is mapped to its forward (ioredis natMap). */
    async function withCluster<T>(seeds: readonly string[], use: (cluster: Cluster) => Promise<T>): Promise<T> {
        return throughForwards(async (forwards) => {
            const natMap: Record<string, { host: string; port: number }> = {};
            for (const seed of seeds) {
                const [host, port] = seed.split(":");
                natMap[seed] = await forwards.reach({ host, port: Number(port) });
            }
            const cluster = new Cluster(
                seeds.map((s) => natMap[s]),
                { natMap, redisOptions: { password: PASSWORD } },
            );
            try {
                return await use(cluster);
            } finally {
                cluster.disconnect();
            }
        });
    }

    before(function () {
        stack = suite.stack;
    });

    it("up from nothing, 3 -> 4 masters with every key kept, a settings change rolled and a no-op preview: all through the API server", async () => {
        const restore = blackholeServices();
        try {
            // The proof that nothing below can take the direct path: the API server's own Service IP does not open from here.
            assert.equal(await opens("10.213.128.1:443"), false, "the Service range is still reachable from this machine");

            let outputs = await up("up from nothing (portForward)");
            let seeds = outputs.clusterSeeds.value as string[];
            assert.ok(
                seeds.every((s) => s.startsWith("10.213.")),
                `seeds are the announced ClusterIPs: ${seeds.join(", ")}`,
            );
            assert.equal(await opens(seeds[0]), false, "a node's ClusterIP must not be reachable directly");
            assert.deepEqual(await clusterStates(seeds), Array(6).fill("ok"));

            await withCluster(seeds, async (cluster) => {
                for (let i = 0; i < KEYS; i++) assert.equal(await cluster.set(`pf-key-${i}`, `value-${i}`), "OK");
            });

            await stack.setConfig("redis-stack:masters", { value: "4" });
            outputs = await up("up 3x1 -> 4x1 (portForward)");
            seeds = outputs.clusterSeeds.value as string[];
            assert.equal(seeds.length, 8);
            await poll("cluster_state:ok on all 8 nodes", 60000, async () =>
                (await clusterStates(seeds)).every((s) => s === "ok") ? true : undefined,
            );
            const masters = (outputs.clusterNodes.value as { role: string; slots: string[] }[]).filter((n) => n.role === "master");
            assert.equal(masters.length, 4);
            assert.ok(
                masters.every((m) => m.slots.length > 0),
                "every master serves slots",
            );
            await withCluster(seeds, async (cluster) => {
                for (let i = 0; i < KEYS; i++) assert.equal(await cluster.get(`pf-key-${i}`), `value-${i}`, `pf-key-${i}`);
            });

            await stack.setAllConfig({ 'redis-stack:redisConfig["maxmemory-policy"]': { value: "allkeys-lru" } }, true);
            outputs = await up("settings change (portForward)");
            assert.deepEqual(await settingOnEvery(seeds, "maxmemory-policy"), Array(8).fill("allkeys-lru"));
            assert.deepEqual(await clusterStates(seeds), Array(8).fill("ok"));

            // The diffs look at the live cluster through the forwards too: nothing to do right after an up.
            const preview = await timed("no-op preview (portForward)", () => stack.preview({ onOutput: log }));
            const changes = Object.entries(preview.changeSummary ?? {}).filter(([op, n]) => op !== "same" && n > 0);
            assert.deepEqual(changes, [], `preview right after up: ${JSON.stringify(preview.changeSummary)}`);
        } finally {
            restore();
        }
    });
});
