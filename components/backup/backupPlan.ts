// Pure: what a backup takes and what its manifest says. A snapshot of every master (each consistent for its
// shard: one RDB of one instant), found in the cluster's own view at the time, not in the last `up`'s outputs
// (a failover since then moved a shard's master), and one of the standalone node.
import { type ClusterNodeLine, isMaster, slotRangesOf } from "../redis/clusterView";

/** What the manifest records of one snapshot file. */
export interface SnapshotRecord {
    /** The node's name (container or pod: `<prefix>-node-<i>`, `<prefix>-standalone`). */
    readonly node: string;
    /** Its cluster node id; absent for the standalone node. */
    readonly id?: string;
    /** Its slots as ranges (`0-5460`); absent for the standalone node. */
    readonly slots?: readonly string[];
    readonly file: string;
    readonly bytes: number;
    readonly sha256: string;
    readonly redisVersion: string;
    /** The replication id and offset the RDB was taken at (what the node said with FULLRESYNC). */
    readonly replid: string;
    readonly offset: number;
}

/** `manifest.json` of a backup directory. */
export interface BackupManifest {
    readonly format: 1;
    /** The stack (its name) and when the snapshots were asked for (ISO 8601, UTC). */
    readonly stack: string;
    readonly takenAt: string;
    /** One per master, in slot order. */
    readonly masters: readonly SnapshotRecord[];
    readonly standalone?: SnapshotRecord;
}

/** Every file a backup holds: the masters', then the standalone node's. */
export function snapshotRecords(manifest: Pick<BackupManifest, "masters" | "standalone">): SnapshotRecord[] {
    return [...manifest.masters, ...(manifest.standalone ? [manifest.standalone] : [])];
}

/** A master to snapshot: its id, its slots, and the node (by name) it is. */
export interface MasterToTake {
    readonly id: string;
    readonly node: string;
    readonly slots: readonly string[];
}

/**
 * The masters that own slots, in slot order, each named by the node the stack knows at its announced address
 * (`names`: announced `host:port` -> node name). Throws, naming them, when a master is failing or not one of the
 * stack's nodes, or when slots are left uncovered: a backup of a cluster that is not whole would miss keys.
 */
export function mastersToTake(lines: readonly ClusterNodeLine[], names: ReadonlyMap<string, string>): MasterToTake[] {
    const masters = lines.filter((l) => isMaster(l) && l.slots.length > 0);
    const failing = masters.filter((m) => m.flags.some((f) => f === "fail" || f === "fail?") || !m.connected);
    if (failing.length > 0)
        throw new Error(
            `the cluster is not whole: master ${failing.map((m) => `${m.id.slice(0, 8)} (${m.address})`).join(", ")} is failing; back up once it is ok`,
        );
    const covered = masters.reduce((n, m) => n + m.slots.length, 0);
    if (covered !== 16384)
        throw new Error(`the cluster is not whole: its masters cover ${covered} of the 16384 slots; back up once it is ok`);
    return masters
        .map((m) => {
            const node = names.get(m.address);
            if (node === undefined)
                throw new Error(`master ${m.id} at ${m.address} is not one of the stack's nodes (${[...names.keys()].join(", ")})`);
            return { id: m.id, node, slots: slotRangesOf(m.slots), first: Math.min(...m.slots) };
        })
        .sort((a, b) => a.first - b.first)
        .map(({ id, node, slots }) => ({ id, node, slots }));
}

/** A backup directory's name: the time, sortable, without characters a file name or a shell minds. */
export function backupDirName(at: Date): string {
    return at
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
}
