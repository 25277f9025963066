// A scale step re-points replicas to other shards (node names keep their order, so node-4 serves shard 1 with three
// masters and shard 0 with four). Where the placement only prefers (the default), that is a label patched on the
// running pod, not a replacement: the digest that replaces a pod (manifests.ts replacingTemplate) leaves the shard
// out. A required anti-affinity or zone spread still replaces the pod, so the scheduler places it by its new shard.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import { parseSettings, RawSettings } from "../../components/settings/config";
import { buildTopology, NodeSpec } from "../../components/topology/topology";
import {
    SHARD_LABEL,
    inPlacePodLabels,
    kubernetesPlacement,
    replacingTemplate,
    statefulSetSpec,
} from "../../components/runtime/kubernetes/manifests";

const NAMES = { authSecret: "cluster-auth", claim: "node-4-data", settings: "cluster-settings" };
const ANNOUNCED = { ip: "10.96.0.14", externalHost: "" };

function node4(raw: RawSettings) {
    const settings = parseSettings({ runtime: "kubernetes", ...raw });
    const node = buildTopology(settings, "redis-stack").clusterNodes.find((n) => n.name.endsWith("node-4")) as NodeSpec;
    const placement = kubernetesPlacement("rs-unit", settings);
    const digest = createHash("sha256")
        .update(JSON.stringify(replacingTemplate(node, "redis:8.0.2", ANNOUNCED, NAMES, placement)))
        .digest("hex");
    const labels = statefulSetSpec(node, "redis:8.0.2", ANNOUNCED, NAMES, placement).template.metadata.labels as Record<string, string>;
    return { node, digest, labels, inPlace: inPlacePodLabels(node, placement) };
}

describe("kubernetes: a replica's new shard in a scale step", () => {
    it("by default: the same replacing digest, a new shard label for the template and for the running pod", () => {
        const [three, four] = [node4({ masters: "3" }), node4({ masters: "4" })];
        assert.notEqual(three.node.shard, four.node.shard, "the scale step moves node-4 to another shard");
        assert.equal(three.digest, four.digest, "no replacement for the shard alone");
        assert.deepEqual([three.labels[SHARD_LABEL], four.labels[SHARD_LABEL]], [String(three.node.shard), String(four.node.shard)]);
        assert.deepEqual(four.inPlace, { [SHARD_LABEL]: String(four.node.shard) }, "the running pod gets the new label");
    });

    it("with antiAffinity or zoneSpread required: a new replacing digest (the pod is scheduled again), nothing kept in place", () => {
        for (const required of [{ antiAffinity: "required" }, { zoneSpread: "required" }]) {
            const [three, four] = [node4({ masters: "3", ...required }), node4({ masters: "4", ...required })];
            assert.notEqual(three.digest, four.digest, JSON.stringify(required));
            assert.deepEqual(four.inPlace, {});
        }
    });

    it("anything else in the template still replaces the pod: a new image", () => {
        const settings = parseSettings({ runtime: "kubernetes" });
        const node = buildTopology(settings, "redis-stack").clusterNodes[4];
        const placement = kubernetesPlacement("rs-unit", settings);
        assert.notDeepEqual(
            replacingTemplate(node, "redis:8.0.2", ANNOUNCED, NAMES, placement),
            replacingTemplate(node, "redis:8.2.0", ANNOUNCED, NAMES, placement),
        );
    });
});
