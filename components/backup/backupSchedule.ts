// Pure: scheduled backups (`backupSchedule`, `backupRetention`; the schedule itself: ../settings/cronSchedule.ts).
// Which backups retention removes, the ACL user the runner takes them as, and the job its runner is handed.
import type { NodeTls } from "../tls/nodeTls";
import type { BackupTarget, StackNode } from "./takeBackup";

/** The runner's ACL user (the `redis-stack` prefix is the stack's own: no configured user takes it). */
export const BACKUP_USER = "redis-stack-backup";

/**
 * What a backup sends and nothing else: the cluster's view (which nodes are masters), each node's version, and a
 * replica's full resynchronisation (`REPLCONF`, `PSYNC`). It streams every value, as any backup must; it writes
 * nothing, reads no setting and runs no data command, so a leaked runner password cannot change the stack.
 */
export const BACKUP_USER_RULES: readonly string[] = [
    "resetkeys",
    "resetchannels",
    "-@all",
    "+ping",
    "+info",
    "+cluster|nodes",
    "+replconf",
    "+psync",
];

/** Where the runner finds its job (a secret file: it holds the runner's password and TLS key). */
export const BACKUP_JOB_DIR = "/etc/redis-stack-backup";
export const BACKUP_JOB_FILE = `${BACKUP_JOB_DIR}/job.json`;
/** Where the runner writes backups in its container: the host directory (Docker) or the claim (Kubernetes) mounted there. */
export const BACKUP_MOUNT = "/backups";

/** What the runner is handed: the stack as a backup reaches it from beside the nodes, when, and how many to keep. */
export interface BackupJob {
    readonly schedule: string;
    readonly retention: number;
    readonly target: BackupTarget;
}

/** The job of a stack's runner: its nodes as the runner reaches them, taken as BACKUP_USER. */
export function backupJob(
    stack: string,
    schedule: string,
    retention: number,
    nodes: { readonly clusterNodes: readonly StackNode[]; readonly standalone: StackNode },
    password: string,
    tls: NodeTls | undefined,
): BackupJob {
    return {
        schedule,
        retention,
        target: {
            stack,
            clusterNodes: nodes.clusterNodes,
            standalone: nodes.standalone,
            username: BACKUP_USER,
            password,
            ...(tls ? { tls } : {}),
        },
    };
}

/** A backup directory's name (./backupPlan.ts backupDirName): the time it was asked for, sortable. */
export const BACKUP_DIR_NAME = /^\d{8}T\d{6}Z$/;

/** A directory under the backups' parent: its name, and whether it holds a manifest (a whole backup). */
export interface BackupEntry {
    readonly name: string;
    readonly complete: boolean;
}

/**
 * What retention removes: every whole backup but the newest `keep`, and every unfinished one (no manifest: cut
 * short by a stopped runner) older than the newest whole one, which no running backup can be. Anything not named
 * as a backup is someone else's and stays.
 */
export function backupsToRemove(entries: readonly BackupEntry[], keep: number): string[] {
    const backups = entries.filter((e) => BACKUP_DIR_NAME.test(e.name)).sort((a, b) => (a.name < b.name ? 1 : -1));
    const complete = backups.filter((e) => e.complete);
    const newest = complete[0]?.name;
    const old = complete.slice(keep).map((e) => e.name);
    const unfinished = backups.filter((e) => !e.complete && newest !== undefined && e.name < newest).map((e) => e.name);
    return [...old, ...unfinished].sort();
}

/** The newest whole backup among `entries`, or undefined. */
export function newestBackup(entries: readonly BackupEntry[]): string | undefined {
    return entries
        .filter((e) => e.complete && BACKUP_DIR_NAME.test(e.name))
        .map((e) => e.name)
        .sort()
        .pop();
}
