// Pure: the logical cluster and where its runtime put each node -> what the formation step needs to know about each node.
import type { Topology } from "../topology/topology";
import type { FormationNode } from "../redis/form";

/** Where a node is reached and what it announces: the runtime's placement, or what it learnt (Kubernetes: its Service's ClusterIP). */
export interface NodeAddresses {
    readonly announceHost: string;
    readonly announcePort: number;
    readonly host: string;
    readonly port: number;
}

/** `endpoints`: every cluster node's addresses, in node order. */
export function formationNodes(topology: Pick<Topology, "clusterNodes">, endpoints: readonly NodeAddresses[]): FormationNode[] {
    if (endpoints.length !== topology.clusterNodes.length)
        throw new Error(`${endpoints.length} node addresses for ${topology.clusterNodes.length} cluster nodes`);
    return topology.clusterNodes.map((node, i) => ({
        name: node.name,
        host: endpoints[i].host,
        port: endpoints[i].port,
        announceHost: endpoints[i].announceHost,
        announcePort: endpoints[i].announcePort,
        busPort: node.busPort!,
        shard: node.shard,
        role: node.role === "master" ? "master" : "replica",
    }));
}
