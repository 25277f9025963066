// Pure: the stack outputs services read, shaped from the topology, where the runtime put the nodes and the live
// formation result.
import type { NodeState } from "../redis/form";
import type { Topology } from "../topology/topology";

// The shapes Pulumi's schema analyzer reads (the component package's schema): a union of strings as an
// object `as const` with a type of its values, mutable arrays, named object types.
export const ClusterNodeRole = { Master: "master", Replica: "replica" } as const;
export type ClusterNodeRole = (typeof ClusterNodeRole)[keyof typeof ClusterNodeRole];

/** Where a process on the Docker host reaches a node that announces another address (ioredis `natMap`). */
export interface NatAddress {
    readonly host: string;
    readonly port: number;
}

export interface ClusterNodeOutput {
    readonly name: string;
    readonly id: string;
    readonly role: ClusterNodeRole;
    /** Address the node announces (what MOVED redirects point to). */
    readonly address: string;
    /** Address the program reaches the node at (on a Docker host: what a process on the host can use). */
    readonly hostAddress: string;
    readonly replicaOf?: string;
    readonly slots: string[];
    /** False when the node did not answer at the last formation or refresh. */
    readonly reachable: boolean;
}

/** `endpoints`: every cluster node's addresses, in node order, as its runtime placed or learnt them. */
export function clusterNodeOutputs(
    topology: Pick<Topology, "clusterNodes">,
    states: readonly NodeState[],
    endpoints: readonly { announceHost: string; announcePort: number; host: string; port: number }[],
): ClusterNodeOutput[] {
    return topology.clusterNodes.map((node, i) => {
        const state = states.find((s) => s.name === node.name);
        const endpoint = endpoints[i];
        return {
            name: node.name,
            id: state?.id ?? "",
            role: state?.role ?? (node.role === "master" ? "master" : "replica"),
            address: `${endpoint.announceHost}:${endpoint.announcePort}`,
            hostAddress: `${endpoint.host}:${endpoint.port}`,
            ...(state?.replicaOf ? { replicaOf: state.replicaOf } : {}),
            slots: [...(state?.slots ?? [])],
            reachable: state?.reachable ?? false,
        };
    });
}
