// A stack's nodes as RedisStack places them on a Docker host, for the unit tests of what the Docker runtimes make.
import type { Settings } from "../../components/settings/config";
import type { LifecycleRef } from "../../components/contracts/nodeLifecycle";
import { clusterNodeLifecycle } from "../../components/redis/clusterNodeLifecycle";
import { type DockerTopology, dockerEndpoint, placeOnDocker } from "../../components/runtime/dockerPlacement";
import { withTls } from "../../components/tls/nodeTls";
import { buildTopology } from "../../components/topology/topology";

/** The topology of `settings` (with TLS when they ask for it), placed on the Docker host. */
export function placedStack(settings: Settings, prefix: string): DockerTopology {
    return placeOnDocker(withTls(buildTopology(settings, prefix), settings), settings, prefix);
}

/** The lifecycle reference a placed cluster's nodes record: the placement's host rule. */
export function placedClusterLifecycle(topology: Pick<DockerTopology, "clusterNodes">): LifecycleRef {
    return clusterNodeLifecycle(topology.clusterNodes.map((n) => ({ name: n.name, ...dockerEndpoint(n) })));
}
