// Pure: topology -> what the formation step needs to know about each node.
import type { Topology } from "../topology";
import type { FormationNode } from "../redis/form";

export function formationNodes(topology: Pick<Topology, "clusterNodes">): FormationNode[] {
    return topology.clusterNodes.map((node) => ({
        name: node.name,
        host: node.hostAddress.host,
        port: node.hostAddress.port,
        announceHost: node.announceHost,
        announcePort: node.clientPort,
        busPort: node.busPort!,
        shard: node.shard,
        role: node.role === "master" ? "master" : "replica",
    }));
}
