// Pure: topology -> what the formation step needs to know about each node.
import type { Topology } from "../topology";
import type { FormationNode } from "../redis/form";

/** Where a node is reached and what it announces, where the runtime decides that (Kubernetes: its Service's ClusterIP). */
export interface EndpointOverride {
    readonly announceHost: string;
    readonly announcePort: number;
    readonly host: string;
    readonly port: number;
}

/** `endpoints`, in node order, replace the node specs' own addresses. */
export function formationNodes(topology: Pick<Topology, "clusterNodes">, endpoints?: readonly EndpointOverride[]): FormationNode[] {
    return topology.clusterNodes.map((node, i) => ({
        name: node.name,
        host: endpoints?.[i].host ?? node.hostAddress.host,
        port: endpoints?.[i].port ?? node.hostAddress.port,
        announceHost: endpoints?.[i].announceHost ?? node.announceHost,
        announcePort: endpoints?.[i].announcePort ?? node.clientPort,
        busPort: node.busPort!,
        shard: node.shard,
        role: node.role === "master" ? "master" : "replica",
    }));
}
