// Pure: why a cluster is not (yet) healthy as planned, from an observation; undefined when it is.
import { isMaster } from "./clusterView";
import { FormationSpec } from "./formationTypes";
import { NodeView, Observation, viewsOf } from "./observation";
import { Plan, meetsNeeded } from "./plan";

/**
 * Every node reports ok with all slots and every node known, sees each slot on the node of the shard
 * the layout gives it, sees every replica, and every replica follows a node of its own shard with its
 * link up. Roles within a shard may be swapped (a failover): the shard (the plan's, which keeps live
 * master/replica pairs) is what counts.
 */
export function healthProblem(
    spec: FormationSpec,
    observation: Observation,
    { layout, shards }: Pick<Plan, "layout" | "shards">,
): string | undefined {
    const { staying } = viewsOf({ ...spec, retiring: [] }, observation);
    const silent = staying.find((v) => !v.reachable);
    if (silent) return `node ${silent.node.name} does not answer`;
    const meets = meetsNeeded(staying);
    if (meets.length > 0) {
        const missing = meets.filter((m) => m.node === meets[0].node).map((m) => m.peer);
        return `node ${meets[0].node} and ${missing.join(", ")} do not yet know each other at their announced addresses`;
    }
    const shardOf = (v: NodeView) => shards[v.node.name] ?? v.node.shard;
    const shardOfId = new Map(staying.map((v) => [v.id, shardOf(v)]));
    const replicaCount = staying.length - spec.slotPlan.length;
    for (const v of staying) {
        const name = v.node.name;
        if (v.info.cluster_state !== "ok") return `node ${name} reports cluster_state:${v.info.cluster_state}`;
        if (v.info.cluster_slots_assigned !== "16384") return `node ${name} sees ${v.info.cluster_slots_assigned} slots assigned`;
        if (Number(v.info.cluster_known_nodes) !== staying.length)
            return `node ${name} knows ${v.info.cluster_known_nodes} of ${staying.length} nodes`;
        const owner = new Int32Array(layout.length).fill(-1);
        for (const line of v.view) {
            const shard = shardOfId.get(line.id) ?? -1;
            for (const slot of line.slots) owner[slot] = shard;
        }
        let misplaced = -1;
        for (let slot = 0; slot < layout.length && misplaced < 0; slot++) if (owner[slot] !== layout[slot]) misplaced = slot;
        if (misplaced >= 0) return `node ${name} does not yet see slot ${misplaced} on its planned shard`;
        const replicas = v.view.filter((l) => l.masterId !== undefined && !l.flags.includes("fail"));
        if (replicas.length !== replicaCount) return `node ${name} sees ${replicas.length} of ${replicaCount} replicas`;
        if (v.me && !isMaster(v.me)) {
            if (shardOfId.get(v.me.masterId ?? "") !== shardOf(v)) return `replica ${name} follows a node outside its shard ${shardOf(v)}`;
            if (v.replication.master_link_status !== "up")
                return `replica ${name} has master_link_status:${v.replication.master_link_status ?? "none"}`;
        }
    }
    return undefined;
}
