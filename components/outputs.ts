// Pure: the stack outputs services read, shaped from the topology and the live formation result.
import type { NodeState } from "./redis/form";
import type { Topology } from "./topology";

export interface ClusterNodeOutput {
    readonly name: string;
    readonly id: string;
    readonly role: "master" | "replica";
    /** Address the node announces (what MOVED redirects point to). */
    readonly address: string;
    /** Address a process on the Docker host can use. */
    readonly hostAddress: string;
    readonly replicaOf?: string;
    readonly slots: readonly string[];
    /** False when the node did not answer at the last formation or refresh. */
    readonly reachable: boolean;
}

export function clusterNodeOutputs(topology: Topology, states: readonly NodeState[]): ClusterNodeOutput[] {
    return topology.clusterNodes.map((node) => {
        const state = states.find((s) => s.name === node.name);
        return {
            name: node.name,
            id: state?.id ?? "",
            role: state?.role ?? (node.role === "master" ? "master" : "replica"),
            address: `${node.announceHost}:${node.clientPort}`,
            hostAddress: `${node.hostAddress.host}:${node.hostAddress.port}`,
            ...(state?.replicaOf ? { replicaOf: state.replicaOf } : {}),
            slots: state?.slots ?? [],
            reachable: state?.reachable ?? false,
        };
    });
}
