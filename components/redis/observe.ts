// Reading every node's state (CLUSTER NODES, CLUSTER INFO, INFO replication, DBSIZE, ...) into a
// plain Observation. Reads only: nothing here changes a node.
import type { Redis as RedisClient } from "ioredis";
import { messageOf } from "../common/errorMessage";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import { Deadline, WaitSettings, waitSettings } from "../common/wait";
import { isMaster, parseClusterNodes, parseInfo } from "./clusterView";
import { connectNode, whileLoading } from "./connect";
import { FormationError, FormationNode } from "./formationTypes";
import { NodeReplies, ObservedNode, Observation } from "./observation";

export interface Connected {
    readonly node: FormationNode;
    readonly client: RedisClient;
}

/** A read that failed: the error names the node, since "Command timed out" alone does not say which one went away. */
export function stoppedAnswering(node: FormationNode, err: unknown): FormationError {
    return new FormationError(`node ${node.name} at ${node.host}:${node.port} stopped answering while forming: ${messageOf(err)}`);
}

/** One node's replies; the commands travel together (ioredis pipelines them on the connection). */
async function readNode(client: RedisClient): Promise<NodeReplies> {
    const infoCluster = String(await client.info("cluster"));
    const enabled = parseInfo(infoCluster).cluster_enabled === "1";
    const [clusterNodes, clusterInfo, infoReplication, dbsize, timeout] = await Promise.all([
        enabled ? client.call("CLUSTER", "NODES").then(String) : undefined,
        enabled ? client.call("CLUSTER", "INFO").then(String) : undefined,
        client.info("replication").then(String),
        client.dbsize(),
        client.call("CONFIG", "GET", "cluster-node-timeout") as Promise<string[]>,
    ]);
    return { infoCluster, clusterNodes, clusterInfo, infoReplication, dbsize: Number(dbsize), nodeTimeoutMs: Number(timeout[1] ?? 0) };
}

/** Sends a read again while the node is still loading its data (connect.ts whileLoading). */
type UntilLoaded = <T>(send: () => Promise<T>) => Promise<T>;

/** Keys per open slot on each master: what `redis-cli --cluster fix` counts before closing a slot. */
async function countOpenSlotKeys(nodes: readonly Connected[], replies: NodeReplies[], untilLoaded: UntilLoaded): Promise<NodeReplies[]> {
    const open = new Set<number>();
    for (const r of replies) {
        if (r.clusterNodes === undefined) continue;
        for (const line of parseClusterNodes(r.clusterNodes)) {
            if (line.flags.includes("myself")) for (const o of [...line.migrating, ...line.importing]) open.add(o.slot);
        }
    }
    if (open.size === 0) return replies;
    return Promise.all(
        replies.map(async (r, i) => {
            const me = r.clusterNodes === undefined ? undefined : parseClusterNodes(r.clusterNodes).find((l) => l.flags.includes("myself"));
            if (!me || !isMaster(me)) return r;
            const counts = await Promise.all(
                [...open].map(async (slot) => {
                    const count = () => nodes[i].client.call("CLUSTER", "COUNTKEYSINSLOT", String(slot));
                    return [String(slot), Number(await untilLoaded(count))] as const;
                }),
            );
            return { ...r, keysInSlots: Object.fromEntries(counts) };
        }),
    );
}

/**
 * Reads every connected node; a node that fails to answer fails the whole read, with its name. A node
 * still loading its data is waited for up to `connectMs` (the time a node may take to answer at all).
 */
export async function observe(nodes: readonly Connected[], settings: WaitSettings = {}): Promise<Observation> {
    const { timeouts, clock } = waitSettings(settings);
    const untilLoaded: UntilLoaded = (send) => whileLoading(send, new Deadline(timeouts.connectMs, clock), timeouts.pollMs);
    const replies = await Promise.all(
        nodes.map((c) =>
            untilLoaded(() => readNode(c.client)).catch((err: unknown) => {
                throw stoppedAnswering(c.node, err);
            }),
        ),
    );
    const withKeys = await countOpenSlotKeys(nodes, replies, untilLoaded);
    return { nodes: nodes.map((c, i) => ({ name: c.node.name, replies: withKeys[i] })) };
}

/** Connects to every node in parallel; returns those that answered and, for the others, why not. */
export async function connectEach(
    nodes: readonly FormationNode[],
    password: string | undefined,
    waitMs: number,
): Promise<{ connected: Connected[]; down: ObservedNode[] }> {
    const settled = await Promise.allSettled(nodes.map((node) => connectNode(node, password, waitMs)));
    const connected: Connected[] = [];
    const down: ObservedNode[] = [];
    settled.forEach((s, i) => {
        if (s.status === "fulfilled") connected.push({ node: nodes[i], client: s.value });
        else down.push({ name: nodes[i].name, problem: messageOf(s.reason) });
    });
    return { connected, down };
}

/** Connects to every node; the error names each node that did not answer. */
export async function connectAll(
    nodes: readonly FormationNode[],
    password: string | undefined,
    waitMs = DEFAULT_TIMEOUTS.connectMs,
): Promise<Connected[]> {
    const { connected, down } = await connectEach(nodes, password, waitMs);
    if (down.length > 0) {
        disconnectAll(connected);
        throw new FormationError(down.map((d) => d.problem).join("; "));
    }
    return connected;
}

export function disconnectAll(nodes: readonly Connected[]): void {
    for (const c of nodes) c.client.disconnect();
}
