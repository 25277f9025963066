// Pure: what the nodes answered, as plain data (recorded replies are the planner's unit-test fixtures),
// and the parsed view of it the planner and the health check read.
import { ClusterNodeLine, isMaster, myself, parseClusterNodes, parseInfo, slotRangesOf } from "./clusterView";
import { FormationNode, FormationSpec, NodeState, announcedAddress } from "./formationTypes";
import { NODE_TIMEOUT } from "./formationOverrides";

/** One node's raw replies, exactly as Redis sent them. */
export interface NodeReplies {
    /** INFO cluster (cluster_enabled). */
    readonly infoCluster: string;
    /** CLUSTER NODES; absent when cluster mode is off. */
    readonly clusterNodes?: string;
    /** CLUSTER INFO; absent when cluster mode is off. */
    readonly clusterInfo?: string;
    readonly infoReplication: string;
    readonly dbsize: number;
    /**
     * CONFIG GET of each setting formation overrides (formationOverrides.ts), name -> value; a name the
     * server does not know is absent.
     */
    readonly settings: Readonly<Record<string, string>>;
    /** CLUSTER COUNTKEYSINSLOT for every slot left open anywhere in the cluster (masters only). */
    readonly keysInSlots?: Readonly<Record<string, number>>;
}

export interface ObservedNode {
    readonly name: string;
    /** Undefined when the node did not answer. */
    readonly replies?: NodeReplies;
    /** Why it did not answer. */
    readonly problem?: string;
}

/** Every node of the spec (staying, then retiring), observed at about the same time. */
export interface Observation {
    readonly nodes: readonly ObservedNode[];
}

/** A node's replies, parsed. */
export interface NodeView {
    readonly node: FormationNode;
    readonly reachable: boolean;
    readonly clusterEnabled: boolean;
    /** The node's own id ("" when it did not answer). */
    readonly id: string;
    /** CLUSTER NODES lines; the node's own line is `me`. */
    readonly view: readonly ClusterNodeLine[];
    readonly me?: ClusterNodeLine;
    readonly info: Readonly<Record<string, string>>;
    readonly replication: Readonly<Record<string, string>>;
    readonly keys: number;
    /** The live values of the settings formation overrides (NodeReplies.settings). */
    readonly settings: Readonly<Record<string, string>>;
    /** cluster-node-timeout (0 when unknown). */
    readonly nodeTimeoutMs: number;
    readonly keysInSlot: ReadonlyMap<number, number>;
}

export function parseNode(node: FormationNode, observed: ObservedNode | undefined): NodeView {
    const replies = observed?.replies;
    if (!replies) {
        return {
            node,
            reachable: false,
            clusterEnabled: true,
            id: "",
            view: [],
            info: {},
            replication: {},
            keys: 0,
            settings: {},
            nodeTimeoutMs: 0,
            keysInSlot: new Map(),
        };
    }
    const clusterEnabled = parseInfo(replies.infoCluster).cluster_enabled === "1";
    const view = clusterEnabled && replies.clusterNodes !== undefined ? parseClusterNodes(replies.clusterNodes) : [];
    const me = view.length > 0 ? myself(view) : undefined;
    return {
        node,
        reachable: true,
        clusterEnabled,
        id: me?.id ?? "",
        view,
        me,
        info: replies.clusterInfo ? parseInfo(replies.clusterInfo) : {},
        replication: parseInfo(replies.infoReplication),
        keys: replies.dbsize,
        settings: replies.settings,
        nodeTimeoutMs: Number(replies.settings[NODE_TIMEOUT] ?? 0),
        keysInSlot: new Map(Object.entries(replies.keysInSlots ?? {}).map(([slot, n]) => [Number(slot), n])),
    };
}

/** Views of the spec's nodes and of its retiring ones, matched to the observation by name. */
export function viewsOf(spec: FormationSpec, observation: Observation): { staying: NodeView[]; leaving: NodeView[] } {
    const byName = new Map(observation.nodes.map((o) => [o.name, o]));
    return {
        staying: spec.nodes.map((n) => parseNode(n, byName.get(n.name))),
        leaving: (spec.retiring ?? []).map((n) => parseNode(n, byName.get(n.name))),
    };
}

/** Slots left open on this node: the slot numbers it marks as migrating or importing. */
export function openSlotsOf(v: NodeView): number[] {
    return v.me ? [...v.me.migrating, ...v.me.importing].map((o) => o.slot) : [];
}

/** A node as the result reports it; one that did not answer is described as its peers last saw it. */
export function nodeState(v: NodeView, all: readonly NodeView[]): NodeState {
    const address = announcedAddress(v.node);
    const line = v.me ?? all.flatMap((o) => o.view).find((l) => l.address === address);
    const master = line?.masterId ? all.find((o) => o.id === line.masterId) : undefined;
    return {
        name: v.node.name,
        id: line?.id ?? "",
        role: line && !isMaster(line) ? "replica" : "master",
        address,
        ...(master ? { replicaOf: master.node.name } : {}),
        slots: line ? slotRangesOf(line.slots) : [],
        reachable: v.reachable,
    };
}
