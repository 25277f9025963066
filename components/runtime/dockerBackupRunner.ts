// Pure: the scheduled backups' runner on a Docker host (backupSchedule): a container of its own on the stack's
// network (under host networking, on the host's), reaching every node where the exporters do (by its container
// name; loopback under host networking) while the cluster's view names them by their announced addresses, and
// writing into a host directory mounted where the runner writes.
import type { StackNode } from "../backup/takeBackup";
import type { DockerNode } from "./dockerPlacement";

/** KIND_LABEL of the runner's container. */
export const BACKUP_RUNNER_KIND = "backup-runner";

export interface DockerBackupRunner {
    /** `<prefix>-backup`. */
    readonly name: string;
    /** Container labels: stack, kind (BACKUP_RUNNER_KIND) and runtime. */
    readonly labels: Readonly<Record<string, string>>;
    /** The host directory the scheduled backups go to (mounted at BACKUP_MOUNT). */
    readonly hostDir: string;
    /** The stack's nodes as the runner reaches them. */
    readonly clusterNodes: readonly StackNode[];
    readonly standalone: StackNode;
}

/** Where the runner reaches `node`: beside it on the stack's network, or on loopback under host networking. */
function reachedBeside(node: DockerNode, hostNetworking: boolean): StackNode {
    return {
        name: node.name,
        announced: `${node.announceHost}:${node.clientPort}`,
        host: hostNetworking ? "127.0.0.1" : node.name,
        port: node.clientPort,
    };
}

export function placeBackupRunner(
    prefix: string,
    nodes: { readonly clusterNodes: readonly DockerNode[]; readonly standalone: DockerNode },
    hostNetworking: boolean,
    hostDir: string,
    kindLabel: string,
): DockerBackupRunner {
    return {
        name: `${prefix}-backup`,
        labels: { ...nodes.standalone.labels, [kindLabel]: BACKUP_RUNNER_KIND },
        hostDir,
        clusterNodes: nodes.clusterNodes.map((n) => reachedBeside(n, hostNetworking)),
        standalone: reachedBeside(nodes.standalone, hostNetworking),
    };
}
