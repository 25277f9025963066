// What a backup of a RedisStack reaches, from what the stack declares: its nodes by name at the addresses the
// runtime placed or learnt (the cluster's view names masters by their announced address), its password and its
// TLS client files; and where its backups go by default.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { NodeEndpoint } from "../runtime/backend";
import type { Settings } from "../settings/config";
import type { Topology } from "../topology/topology";
import type { NodeTls } from "../tls/nodeTls";
import type { BackupTarget, StackNode } from "../backup/takeBackup";

/** `.redis-stack/backups/<name prefix>` in the program's directory (gitignored in this project). */
export function defaultBackupDir(prefix: string): string {
    return path.resolve(".redis-stack", "backups", prefix);
}

/** Where the stack's backups go: `backupDir` (a relative one is the program directory's), else the default. */
export function backupDirOf(settings: Pick<Settings, "backupDir">, prefix: string): string {
    return settings.backupDir ? path.resolve(settings.backupDir) : defaultBackupDir(prefix);
}

/** Where the scheduled backups go on a Docker host: `scheduled` under the stack's backups, which retention alone prunes. */
export function scheduledBackupDir(settings: Pick<Settings, "backupDir">, prefix: string): string {
    return path.join(backupDirOf(settings, prefix), "scheduled");
}

const stackNode = (name: string, e: NodeEndpoint): StackNode => ({
    name,
    announced: `${e.announceHost}:${e.announcePort}`,
    host: e.host,
    port: e.port,
});

export function backupTargetOf(
    prefix: string,
    topology: Pick<Topology, "clusterNodes" | "standalone">,
    clusterEndpoints: pulumi.Output<NodeEndpoint[]>,
    standaloneEndpoint: pulumi.Output<NodeEndpoint>,
    password: pulumi.Output<string> | undefined,
    tls: pulumi.Output<NodeTls> | undefined,
): pulumi.Output<BackupTarget> {
    return pulumi.all([clusterEndpoints, standaloneEndpoint, password, tls]).apply(([endpoints, standalone, pw, client]) => ({
        stack: prefix,
        clusterNodes: topology.clusterNodes.map((n, i) => stackNode(n.name, endpoints[i])),
        standalone: stackNode(topology.standalone.name, standalone),
        ...(pw ? { password: pw } : {}),
        ...(client ? { tls: client } : {}),
    }));
}
