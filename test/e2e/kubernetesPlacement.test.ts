// The kubernetes runtime's placement settings on the local single-node Kubernetes: with its one node
// labelled and tainted (NoSchedule) by this test, a stack whose pods select that label and tolerate the
// taint forms and serves keys; its pods carry the extra labels and annotations, the PriorityClass this
// test made (and its priority) and the zone spread; a changed pod label then replaces every pod, each on
// its own claim, every key kept. The node's label and taint are this test's own (a key no other test
// uses), taken off again after; the taint as soon as the stack formed, so other users of the cluster are
// held up no longer than one `up`.
import { strict as assert } from "assert";
import { Cluster } from "ioredis";
import { kubectl } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { withRawClient } from "../support/rawClient";

/** The node label and the taint key: this test's alone. */
const PLACEMENT_KEY = "redis-stack-e2e/placement";
const STAMP = Date.now().toString(36);
/** Cluster-scoped, so named per run. */
const PRIORITY_CLASS = `redis-stack-e2e-placement-${STAMP}`;
const PRIORITY = 1000;
const KEYS = 100;

interface Pod {
    metadata: { name: string; uid: string; labels: Record<string, string>; annotations?: Record<string, string> };
    spec: {
        nodeName?: string;
        nodeSelector?: Record<string, string>;
        tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
        priorityClassName?: string;
        priority?: number;
        imagePullSecrets?: { name: string }[];
        topologySpreadConstraints?: {
            topologyKey: string;
            whenUnsatisfiable: string;
            labelSelector: { matchLabels: Record<string, string> };
        }[];
    };
}

describe("kubernetes runtime: placement on a labelled, tainted node (local single-node Kubernetes)", function () {
    const suite = kubernetesSuiteStack("place", {
        "redis-stack:zoneSpread": { value: "preferred" },
        "redis-stack:priorityClassName": { value: PRIORITY_CLASS },
    });
    const { namespace, log } = suite;
    let nodes: string[] = [];
    let labelled = false;
    let tainted = false;
    let seeds: string[] = [];
    let standalone = "";
    let pods: Pod[] = [];

    function untaint(): void {
        if (!tainted) return;
        for (const node of nodes) kubectl("taint", "nodes", node, `${PLACEMENT_KEY}:NoSchedule-`);
        tainted = false;
    }

    before(async function () {
        const { stack } = suite;
        nodes = kubectl("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}").split(" ").filter(Boolean);
        assert.ok(nodes.length > 0, "the local cluster has a node");
        kubectl("create", "priorityclass", PRIORITY_CLASS, `--value=${PRIORITY}`, "--description=redis-stack placement e2e");
        for (const node of nodes) kubectl("label", "nodes", node, `${PLACEMENT_KEY}=yes`, "--overwrite");
        labelled = true;
        // NoSchedule, not NoExecute: pods already running elsewhere in the cluster stay.
        for (const node of nodes) kubectl("taint", "nodes", node, `${PLACEMENT_KEY}=yes:NoSchedule`, "--overwrite");
        tainted = true;
        const taints = JSON.parse(
            `[${kubectl("get", "nodes", "-o", "jsonpath={range .items[*]}{.spec.taints},{end}").replace(/,$/, "")}]`,
        ) as {
            key: string;
            effect: string;
        }[][];
        assert.ok(
            taints.every((list) => list.some((t) => t.key === PLACEMENT_KEY && t.effect === "NoSchedule")),
            "every node is tainted while the stack is placed",
        );
        // Maps and lists key by key, as a user sets them (pulumi config set --path).
        await stack.setAllConfig(
            {
                'redis-stack:nodeSelector["redis-stack-e2e/placement"]': { value: "yes" },
                "redis-stack:tolerations[0].key": { value: PLACEMENT_KEY },
                "redis-stack:tolerations[0].operator": { value: "Equal" },
                "redis-stack:tolerations[0].value": { value: "yes" },
                "redis-stack:tolerations[0].effect": { value: "NoSchedule" },
                "redis-stack:podLabels.team": { value: "placement-e2e" },
                'redis-stack:podAnnotations["example.com/note"]': { value: "placed by the e2e" },
                "redis-stack:imagePullSecrets[0]": { value: "registry-login" },
            },
            true,
        );
        const result = await timed("up on the tainted node", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        untaint();
        seeds = result.outputs.clusterSeeds.value as string[];
        standalone = (result.outputs.standaloneUrl.value as string).replace("redis://", "");
        pods = (JSON.parse(kubectl("get", "pods", "-n", namespace, "-o", "json")) as { items: Pod[] }).items;
    });

    after(function () {
        // After the stack's own after hook (registered first) destroyed it; only what this test added.
        untaint();
        if (labelled) for (const node of nodes) kubectl("label", "nodes", node, `${PLACEMENT_KEY}-`);
        kubectl("delete", "priorityclass", PRIORITY_CLASS, "--ignore-not-found");
    });

    it("forms on the tainted node and serves keys, the cluster and the standalone node", async () => {
        const cluster = new Cluster(seeds.map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })));
        try {
            for (let i = 0; i < KEYS; i++) await cluster.set(`placement-key-${i}`, `value-${i}`);
            for (let i = 0; i < KEYS; i++) assert.equal(await cluster.get(`placement-key-${i}`), `value-${i}`);
        } finally {
            cluster.disconnect();
        }
        const value = await withRawClient(standalone, async (c) => {
            await c.set("placement", "yes");
            return c.get("placement");
        });
        assert.equal(value, "yes");
    });

    it("runs every pod on the labelled node, selecting its label and tolerating its taint", () => {
        assert.equal(pods.length, 7);
        for (const pod of pods) {
            assert.ok(nodes.includes(pod.spec.nodeName ?? ""), `${pod.metadata.name} on ${pod.spec.nodeName}`);
            assert.deepEqual(pod.spec.nodeSelector, { [PLACEMENT_KEY]: "yes" });
            assert.ok(
                pod.spec.tolerations?.some(
                    (t) => t.key === PLACEMENT_KEY && t.operator === "Equal" && t.value === "yes" && t.effect === "NoSchedule",
                ),
                pod.metadata.name,
            );
        }
    });

    it("gives every pod the extra label and annotation next to the stack's own, the PriorityClass's priority and the pull Secret", () => {
        for (const pod of pods) {
            assert.equal(pod.metadata.labels.team, "placement-e2e", pod.metadata.name);
            assert.equal(pod.metadata.labels["app.kubernetes.io/instance"], namespace);
            assert.equal(pod.metadata.annotations?.["example.com/note"], "placed by the e2e");
            assert.equal(pod.spec.priorityClassName, PRIORITY_CLASS);
            assert.equal(pod.spec.priority, PRIORITY, "the admission gave the class's priority");
            assert.deepEqual(pod.spec.imagePullSecrets, [{ name: "registry-login" }]);
        }
    });

    it("spreads each shard across zones on its shard label (ScheduleAnyway: the one node has no zone), not the standalone node", () => {
        for (const pod of pods) {
            const constraints = pod.spec.topologySpreadConstraints;
            if (pod.metadata.name === "standalone-0") {
                assert.equal(constraints, undefined);
                continue;
            }
            assert.equal(constraints?.length, 1, pod.metadata.name);
            assert.equal(constraints[0].topologyKey, "topology.kubernetes.io/zone");
            assert.equal(constraints[0].whenUnsatisfiable, "ScheduleAnyway");
            assert.equal(constraints[0].labelSelector.matchLabels["redis-stack/shard"], pod.metadata.labels["redis-stack/shard"]);
        }
    });

    it("a changed pod label rolls every pod (replaced in place: nothing replaced in Pulumi's terms, every claim kept) and every key is still there", async () => {
        const { stack } = suite;
        const uids = (kind: string) =>
            kubectl("get", kind, "-n", namespace, "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.uid} {end}");
        const claimsBefore = uids("pvc");
        const podsBefore = new Map(pods.map((p) => [p.metadata.name, p.metadata.uid]));
        await stack.setConfig("redis-stack:podLabels.team", { value: "placement-e2e-rolled" }, true);
        const result = await timed("up with a new pod label", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        assert.equal(result.summary.resourceChanges?.replace, undefined, JSON.stringify(result.summary.resourceChanges));
        const after = (JSON.parse(kubectl("get", "pods", "-n", namespace, "-o", "json")) as { items: Pod[] }).items;
        assert.equal(after.length, 7);
        for (const pod of after) {
            assert.equal(pod.metadata.labels.team, "placement-e2e-rolled", pod.metadata.name);
            assert.notEqual(pod.metadata.uid, podsBefore.get(pod.metadata.name), `${pod.metadata.name} was replaced`);
        }
        assert.equal(uids("pvc"), claimsBefore, "the same claims");
        const cluster = new Cluster(seeds.map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })));
        try {
            for (let i = 0; i < KEYS; i++) assert.equal(await cluster.get(`placement-key-${i}`), `value-${i}`);
        } finally {
            cluster.disconnect();
        }
    });
});
