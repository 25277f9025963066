// A backup of a running stack into a directory: the cluster's masters as its own view names them, each
// snapshotted over the network at once (../redis/snapshot.ts: one RDB per master, consistent for its shard),
// the standalone node's too, and a manifest of what each file holds. Nothing on the nodes changes. The files
// hold every key and value: the directory is made readable by its owner alone.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_USER } from "../settings/aclUsers";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import { parseClusterNodes, parseInfo } from "../redis/clusterView";
import { type Endpoint, connectNode } from "../redis/connect";
import { type SnapshotFile, takeSnapshot } from "../redis/snapshot";
import type { NodeTls } from "../tls/nodeTls";
import { type BackupManifest, type SnapshotRecord, backupDirName, mastersToTake } from "./backupPlan";

/** A stack's node as its outputs give it: its name, the address it announces, where this machine reaches it. */
export interface StackNode {
    readonly name: string;
    readonly announced: string;
    readonly host: string;
    readonly port: number;
}

export interface BackupTarget {
    readonly stack: string;
    readonly clusterNodes: readonly StackNode[];
    readonly standalone?: StackNode;
    /** The password of `username`. */
    readonly password?: string;
    /** The ACL user the backup is taken as; absent: the stack's own (its password the stack's). */
    readonly username?: string;
    /** With TLS: the client's CA, certificate and key. */
    readonly tls?: NodeTls;
}

export const MANIFEST_FILE = "manifest.json";

/** Where the protocol layer reaches a node of the stack. */
export const endpointOf = (node: StackNode, tls: NodeTls | undefined): Endpoint => ({
    name: node.name,
    host: node.host,
    port: node.port,
    ...(tls ? { tls } : {}),
});

/** The node's Redis version, then its snapshot into `file`. */
async function snapshotOf(node: StackNode, target: BackupTarget, file: string): Promise<SnapshotFile & { redisVersion: string }> {
    const endpoint = endpointOf(node, target.tls);
    const client = await connectNode(endpoint, target.password, DEFAULT_TIMEOUTS.connectMs, target.username);
    let redisVersion: string;
    try {
        const info = parseInfo(String(await client.info("server")));
        redisVersion = info.valkey_version ?? info.redis_version ?? "";
    } finally {
        client.disconnect();
    }
    const auth = target.password === undefined ? {} : { username: target.username ?? PROJECT_USER, password: target.password };
    return { ...(await takeSnapshot({ ...endpoint, ...auth }, file)), redisVersion };
}

const record = (node: string, file: string, taken: SnapshotFile & { redisVersion: string }): SnapshotRecord => ({
    node,
    file,
    bytes: taken.bytes,
    sha256: taken.sha256,
    redisVersion: taken.redisVersion,
    replid: taken.replid,
    offset: taken.offset,
});

/** Takes the backup into a new directory under `parent` (named by the time); that directory and its manifest. */
export async function takeBackup(
    target: BackupTarget,
    parent: string,
    now = new Date(),
): Promise<{ dir: string; manifest: BackupManifest }> {
    const [first] = target.clusterNodes;
    if (!first) throw new Error(`stack ${target.stack} has no cluster nodes in its outputs`);
    const client = await connectNode(endpointOf(first, target.tls), target.password, DEFAULT_TIMEOUTS.connectMs, target.username);
    let lines;
    try {
        lines = parseClusterNodes(String(await client.call("CLUSTER", "NODES")));
    } finally {
        client.disconnect();
    }
    const byName = new Map(target.clusterNodes.map((n) => [n.name, n]));
    const masters = mastersToTake(lines, new Map(target.clusterNodes.map((n) => [n.announced, n.name])));
    const dir = path.join(parent, backupDirName(now));
    fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
    // Never into another backup's directory (two asked for in the same second): this one fails instead.
    try {
        fs.mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST")
            // eslint-disable-next-line preserve-caught-error -- the code says it all
            throw new Error(`a backup named ${path.basename(dir)} exists already in ${parent}`);
        throw err;
    }
    fs.chmodSync(dir, 0o700);
    const takes = masters.map(async (master) => {
        const node = byName.get(master.node)!;
        const file = `${node.name}.rdb`;
        const taken = await snapshotOf(node, target, path.join(dir, file));
        return { ...record(node.name, file, taken), id: master.id, slots: master.slots };
    });
    const standalone = target.standalone;
    const standaloneTake = standalone
        ? snapshotOf(standalone, target, path.join(dir, `${standalone.name}.rdb`)).then((taken) =>
              record(standalone.name, `${standalone.name}.rdb`, taken),
          )
        : undefined;
    let manifest: BackupManifest;
    try {
        manifest = {
            format: 1,
            stack: target.stack,
            takenAt: now.toISOString(),
            masters: await Promise.all(takes),
            ...(standaloneTake ? { standalone: await standaloneTake } : {}),
        };
    } catch (err) {
        // No half backup that could pass for a whole one: the others finish, then the directory goes.
        await Promise.allSettled([...takes, standaloneTake]);
        fs.rmSync(dir, { recursive: true, force: true });
        throw err;
    }
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });
    return { dir, manifest };
}
