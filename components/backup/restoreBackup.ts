// Restoring a backup (./takeBackup.ts) into a stack that holds no data: every key of every master's RDB goes into
// the cluster with RESTORE, routed by its slot, so the cluster may have another number of masters than the one
// backed up; values and TTLs are kept exactly (each key's DUMP payload is sliced from the file, ./rdbReader.ts,
// and its absolute expiry given with ABSTTL: a key that expired meanwhile is not made). The standalone node's
// file goes into the standalone node. As the stack's own user: RESTORE-ASKING, which it may send (slot
// migration's), is RESTORE that also takes a slot being imported.
import { messageOf } from "../common/errorMessage";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Cluster, Redis as RedisClient } from "ioredis";
import { PROJECT_USER } from "../settings/aclUsers";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import { connectNode } from "../redis/connect";
import { type BackupManifest, type SnapshotRecord, snapshotRecords } from "./backupPlan";
import { type RdbKey, rdbKeys } from "./rdbReader";
import { type BackupTarget, MANIFEST_FILE, type StackNode, endpointOf } from "./takeBackup";
import { done, notYet, waitFor } from "../common/wait";

/** Keys sent before their replies are awaited: the cluster client pipelines them per node. */
const IN_FLIGHT = 1000;

export interface RestoreReport {
    readonly clusterKeys: number;
    readonly standaloneKeys: number;
    /** Keys whose TTL had passed: not made. */
    readonly expired: number;
}

/** The backup's manifest, each file there with the size and SHA-256 it records; throws naming what is wrong. */
function readManifest(dir: string): BackupManifest {
    try {
        return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), "utf8")) as BackupManifest;
    } catch (err) {
        // eslint-disable-next-line preserve-caught-error -- the message says what is wrong and what is allowed
        throw new Error(
            `restoreFrom: ${dir} has no readable ${MANIFEST_FILE} (${messageOf(err)}); allowed: a directory npm run backup or finalBackup made`,
        );
    }
}

export function checkedManifest(dir: string): BackupManifest {
    const where = `restoreFrom: ${dir}`;
    const manifest = readManifest(dir);
    if (
        manifest.format !== 1 ||
        (manifest.masters as readonly SnapshotRecord[] | undefined)?.length === undefined ||
        manifest.masters.length === 0
    )
        throw new Error(`${where}: ${MANIFEST_FILE} is not a redis-stack backup manifest of format 1`);
    for (const record of snapshotRecords(manifest)) {
        const file = path.join(dir, path.basename(record.file));
        if (!fs.existsSync(file)) throw new Error(`${where}: ${record.file} (${record.node}) is missing`);
        if (fs.statSync(file).size !== record.bytes)
            throw new Error(`${where}: ${record.file} has another size than the manifest records (${record.bytes} bytes)`);
    }
    return manifest;
}

/** The file's bytes, checked against the manifest's SHA-256. */
function fileOf(dir: string, record: SnapshotRecord): Buffer {
    const bytes = fs.readFileSync(path.join(dir, path.basename(record.file)));
    if (createHash("sha256").update(bytes).digest("hex") !== record.sha256)
        throw new Error(`restoreFrom: ${record.file} (${record.node}) does not match the SHA-256 its manifest records: the file changed`);
    return bytes;
}

const restoreArgs = (k: RdbKey) =>
    k.expiresAtMs !== undefined ? [k.key, String(k.expiresAtMs), k.payload, "ABSTTL"] : [k.key, "0", k.payload];

/** Sends every key through `send`, IN_FLIGHT at a time; how many were made, and how many had expired. */
async function restoreAll(keys: Iterable<RdbKey>, send: (k: RdbKey) => Promise<unknown>): Promise<{ made: number; expired: number }> {
    const now = Date.now();
    let made = 0;
    let expired = 0;
    let batch: Promise<unknown>[] = [];
    for (const k of keys) {
        if (k.expiresAtMs !== undefined && k.expiresAtMs <= now) {
            expired++;
            continue;
        }
        batch.push(send(k));
        made++;
        if (batch.length >= IN_FLIGHT) {
            await Promise.all(batch);
            batch = [];
        }
    }
    await Promise.all(batch);
    return { made, expired };
}

function clusterClient(target: BackupTarget): Cluster {
    const { Cluster: ClusterClient } = require("ioredis") as typeof import("ioredis");
    const natMap = Object.fromEntries(target.clusterNodes.map((n: StackNode) => [n.announced, { host: n.host, port: n.port }]));
    const tls = target.tls
        ? { ca: target.tls.ca, cert: target.tls.cert, key: target.tls.key, checkServerIdentity: () => undefined }
        : undefined;
    return new ClusterClient(
        target.clusterNodes.map((n) => ({ host: n.host, port: n.port })),
        {
            natMap,
            enableAutoPipelining: true,
            redisOptions: {
                ...(target.password !== undefined ? { username: PROJECT_USER, password: target.password } : {}),
                ...(tls ? { tls } : {}),
            },
        },
    );
}

/** Keys the stack's nodes hold now: masters' (through the cluster client) and the standalone node's. */
async function keysHeld(cluster: Cluster, standalone: RedisClient | undefined): Promise<number> {
    const masters = cluster.nodes("master");
    const counts = await Promise.all(masters.map((m) => m.dbsize()));
    const standaloneKeys = standalone ? await standalone.dbsize() : 0;
    return counts.reduce((a, b) => a + b, 0) + standaloneKeys;
}

/** Restores the backup in `dir` into the stack `target` reaches; refused, before anything is written, where it holds data. */
export async function restoreBackup(target: BackupTarget, dir: string): Promise<RestoreReport> {
    const manifest = checkedManifest(dir);
    const cluster = clusterClient(target);
    cluster.on("error", () => undefined);
    const standalone = target.standalone
        ? await connectNode(endpointOf(target.standalone, target.tls), target.password, DEFAULT_TIMEOUTS.connectMs)
        : undefined;
    try {
        await waitFor(async () => (cluster.status === "ready" ? done(undefined) : notYet(`the cluster client is ${cluster.status}`)), {
            what: "the cluster to answer",
            timeoutMs: DEFAULT_TIMEOUTS.connectMs,
            pollMs: DEFAULT_TIMEOUTS.pollMs,
            error: (last, waitedMs) => new Error(`restoreFrom: the cluster did not answer within ${waitedMs} ms (${last})`),
        });
        const held = await keysHeld(cluster, standalone);
        if (held > 0)
            throw new Error(
                `restoreFrom: the stack already holds ${held} keys; a restore only seeds a stack with no data, so nothing was written. ` +
                    "Unset restoreFrom, or restore into a new stack.",
            );
        let clusterKeys = 0;
        let expired = 0;
        for (const record of manifest.masters) {
            const done = await restoreAll(rdbKeys(fileOf(dir, record)), (k) => cluster.call("RESTORE-ASKING", ...restoreArgs(k)));
            clusterKeys += done.made;
            expired += done.expired;
        }
        let standaloneKeys = 0;
        if (manifest.standalone && standalone) {
            let db = 0;
            const keys = [...rdbKeys(fileOf(dir, manifest.standalone))].sort((a, b) => a.db - b.db);
            const done = await restoreAll(keys, async (k) => {
                if (k.db !== db) {
                    db = k.db;
                    await standalone.select(db);
                }
                return standalone.call("RESTORE-ASKING", ...restoreArgs(k));
            });
            standaloneKeys = done.made;
            expired += done.expired;
        }
        return { clusterKeys, standaloneKeys, expired };
    } finally {
        cluster.disconnect();
        standalone?.disconnect();
    }
}
