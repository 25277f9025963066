// The formation's vocabulary, shared by observe, plan and apply: what is asked (the spec) and what is
// answered (node states, results). Pure types and one error class.
import type { SlotRange } from "../topology/topology";
import type { Endpoint } from "./connect";

export interface FormationNode extends Endpoint {
    /** Address other nodes reach this one at (used for CLUSTER MEET). */
    readonly announceHost: string;
    readonly announcePort: number;
    readonly busPort: number;
    /** Index of the shard this node serves. */
    readonly shard: number;
    /** Planned role; after a failover the live roles within a shard may be swapped, which is accepted. */
    readonly role: "master" | "replica";
}

export interface FormationSpec {
    readonly nodes: readonly FormationNode[];
    /**
     * Slot range per shard index: the layout a fresh cluster gets (redis-cli's), and the number of
     * slots each shard holds once balanced. A formed cluster keeps its slots where they are and moves
     * only as many as it takes to reach these counts.
     */
    readonly slotPlan: readonly SlotRange[];
    readonly password?: string;
    /** How long each node may take to answer at all. */
    readonly connectTimeoutMs?: number;
    /** Bound on forming after every node answered, about progress: no step completed and no key moved for this long. */
    readonly timeoutMs?: number;
    /**
     * Nodes leaving the cluster (scale in): their slots and keys move to the plan's masters first,
     * then they are reset and every remaining node forgets them.
     */
    readonly retiring?: readonly FormationNode[];
    /**
     * Every node serves its planned shard (`FormationNode.shard`), even where keeping a live pair would
     * move fewer slots: for runtimes that place nodes by their planned shard (Kubernetes keys its
     * PodDisruptionBudgets and anti-affinity on it), so that a live pair never spans two shards' rules.
     */
    readonly pinShards?: boolean;
}

export interface NodeState {
    readonly name: string;
    readonly id: string;
    readonly role: "master" | "replica";
    /** Announced `host:port`. */
    readonly address: string;
    /** Name of the master this replica follows. */
    readonly replicaOf?: string;
    readonly slots: readonly string[];
    /** False when the node did not answer; its role and slots are then what its peers last saw. */
    readonly reachable: boolean;
}

export interface ClusterInspection {
    readonly nodes: NodeState[];
    readonly healthy: boolean;
    /** Why it is not healthy as planned. */
    readonly problem?: string;
}

export interface FormationResult {
    readonly nodes: readonly NodeState[];
    /** True when any write command was sent: false means the cluster was already formed as planned. */
    readonly changed: boolean;
    readonly elapsedMs: number;
}

export class FormationError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "FormationError";
    }
}

export function announcedAddress(node: FormationNode): string {
    return `${node.announceHost}:${node.announcePort}`;
}

export function validateSpec(spec: FormationSpec): void {
    if (spec.nodes.length === 0) throw new FormationError("no nodes to form a cluster from");
    const covered = spec.slotPlan.reduce((n, r) => n + r.end - r.start + 1, 0);
    if (covered !== 16384) throw new FormationError(`the slot plan covers ${covered} of 16384 slots`);
    for (const node of spec.nodes) {
        if (node.shard < 0 || node.shard >= spec.slotPlan.length) {
            throw new FormationError(`node ${node.name} serves shard ${node.shard}, but the plan has ${spec.slotPlan.length} shards`);
        }
    }
    spec.slotPlan.forEach((_, shard) => {
        if (!spec.nodes.some((n) => n.shard === shard && n.role === "master"))
            throw new FormationError(`shard ${shard} has no node planned as master`);
    });
}
