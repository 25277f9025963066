// Scaling the kubernetes runtime's cluster on the local single-node Kubernetes: masters 3 -> 4 -> 3
// through `up`, with every key still readable after each step and the retired nodes' objects gone.
import { strict as assert } from "assert";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { Cluster } from "ioredis";
import { waitClusterOk } from "../support/clusterState";
import { kubectl } from "../support/kubernetes";
import { kubernetesSuiteStack } from "../support/kubernetesStack";

const PASSWORD = `k8s-${Math.random().toString(36).slice(2)}-Secret`;
const KEYS = 300;

interface NodeOutput {
    name: string;
    role: string;
    slots: string[];
}

describe("kubernetes runtime scaling (local single-node Kubernetes)", function () {
    const suite = kubernetesSuiteStack("scale", {
        "redis-stack:password": { value: PASSWORD, secret: true },
    });
    const { namespace } = suite;
    let stack: Stack;

    async function up(what: string): Promise<OutputMap> {
        const started = Date.now();
        const result = await stack.up({ onOutput: (line) => (process.env.E2E_VERBOSE ? process.stdout.write(line) : undefined) });
        console.log(`      ${what} took ${Date.now() - started} ms`);
        assert.equal(result.summary.result, "succeeded");
        return result.outputs;
    }

    function client(outputs: OutputMap): Cluster {
        return new Cluster(
            (outputs.clusterSeeds.value as string[]).map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            { redisOptions: { password: PASSWORD } },
        );
    }

    async function assertAllKeys(outputs: OutputMap): Promise<void> {
        const cluster = client(outputs);
        try {
            for (let i = 0; i < KEYS; i++) assert.equal(await cluster.get(`scale-key-${i}`), `value-${i}`, `scale-key-${i}`);
        } finally {
            cluster.disconnect();
        }
    }

    const statefulSets = () =>
        kubectl("get", "statefulsets", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}").split(" ").sort();
    const masters = (outputs: OutputMap) => (outputs.clusterNodes.value as NodeOutput[]).filter((n) => n.role === "master");
    /** Each pod's uid and its shard label, by name. */
    const pods = () =>
        Object.fromEntries(
            kubectl(
                "get",
                "pods",
                "-n",
                namespace,
                "-o",
                `jsonpath={range .items[*]}{.metadata.name} {.metadata.uid} {.metadata.labels.redis-stack/shard}{"\\n"}{end}`,
            )
                .split("\n")
                .filter((l) => l !== "")
                .map((l) => {
                    const [name, uid, shard] = l.split(" ");
                    return [name, { uid, shard }];
                }),
        );
    /** Each StatefulSet's shard label in its template: what its pod must carry. */
    const declaredShards = () =>
        Object.fromEntries(
            kubectl(
                "get",
                "statefulsets",
                "-n",
                namespace,
                "-o",
                `jsonpath={range .items[*]}{.metadata.name} {.spec.template.metadata.labels.redis-stack/shard}{"\\n"}{end}`,
            )
                .split("\n")
                .filter((l) => l !== "")
                .map((l) => [`${l.split(" ")[0]}-0`, l.split(" ")[1] ?? ""]),
        );
    /** A scale step re-points replicas to other shards in place: no pod that stays is replaced, and every pod carries its shard. */
    function assertPodsKept(before: ReturnType<typeof pods>): void {
        const after = pods();
        for (const [name, pod] of Object.entries(before)) if (after[name]) assert.equal(after[name].uid, pod.uid, `${name} was replaced`);
        const declared = declaredShards();
        // A retired node's pod may still be terminating: only the declared ones count.
        for (const [name, pod] of Object.entries(after))
            if (name in declared) assert.equal(pod.shard ?? "", declared[name], `${name}'s shard label`);
        const moved = Object.keys(before).filter((n) => after[n] && after[n].shard !== before[n].shard);
        console.log(`      pods re-pointed to another shard in place: ${moved.join(", ") || "none"}`);
    }

    before(async function () {
        stack = suite.stack;
    });

    it("3 -> 4 -> 3 masters through up: slots spread over the masters each time, every key kept, retired nodes removed, no staying pod replaced (re-pointed replicas get their new shard label in place)", async () => {
        let outputs = await up("up 3x1 from nothing");
        const cluster = client(outputs);
        try {
            for (let i = 0; i < KEYS; i++) assert.equal(await cluster.set(`scale-key-${i}`, `value-${i}`), "OK");
        } finally {
            cluster.disconnect();
        }

        let podsBefore = pods();
        await stack.setConfig("redis-stack:masters", { value: "4" });
        outputs = await up("up 3x1 -> 4x1");
        assertPodsKept(podsBefore);
        await waitClusterOk(outputs.clusterSeeds.value as string[], PASSWORD, 60000);
        assert.equal(masters(outputs).length, 4);
        assert.ok(masters(outputs).every((m) => m.slots.length > 0));
        assert.deepEqual(statefulSets(), ["node-0", "node-1", "node-2", "node-3", "node-4", "node-5", "node-6", "node-7", "standalone"]);
        await assertAllKeys(outputs);

        podsBefore = pods();
        await stack.setConfig("redis-stack:masters", { value: "3" });
        outputs = await up("up 4x1 -> 3x1");
        assertPodsKept(podsBefore);
        await waitClusterOk(outputs.clusterSeeds.value as string[], PASSWORD, 60000);
        assert.equal(masters(outputs).length, 3);
        assert.deepEqual(statefulSets(), ["node-0", "node-1", "node-2", "node-3", "node-4", "node-5", "standalone"]);
        const claims = kubectl("get", "pvc", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}").split(" ").sort();
        assert.ok(!claims.includes("node-6-data") && !claims.includes("node-7-data"), claims.join(" "));
        await assertAllKeys(outputs);
    });
});
