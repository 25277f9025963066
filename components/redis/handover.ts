// Taking one cluster node out of service and bringing it back without losing an acknowledged write:
// a master first hands its slots to an in-sync replica with a manual CLUSTER FAILOVER (which waits
// for the replica to catch up before switching), and the node counts as back only when it is in the
// cluster again under the same node id with its replication link up and synced.
import type { Redis as RedisClient } from "ioredis";
import { ClusterNodeLine, isMaster, myself, parseClusterNodes, parseInfo } from "./clusterView";
import { Deadline, WaitSettings, done, notYet, pollUntil, waitFor, waitSettings } from "../common/wait";
import { Endpoint, connectNode } from "./connect";

export interface HandoverTarget {
    /** The node, at an address reachable from here. */
    readonly node: Endpoint;
    readonly password?: string;
    /** Announced `host:port` -> address reachable from here (the natMap); missing means the same. */
    readonly reachableAt: Readonly<Record<string, { host: string; port: number }>>;
}

/** What the node was before it left: it must come back as the same cluster member. */
export interface Departure {
    readonly nodeId: string;
    /** Whether the cluster was `ok` as this node saw it: only then must it be `ok` again (a cluster still being formed is not). */
    readonly clusterWasOk: boolean;
    /** Announced address of the replica that took over this node's slots, if it was a master. */
    readonly failedOverTo?: string;
}

export class HandoverError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "HandoverError";
    }
}

async function viewOf(client: RedisClient): Promise<ClusterNodeLine[]> {
    return parseClusterNodes(String(await client.call("CLUSTER", "NODES")));
}

async function tryConnect(target: HandoverTarget, waitMs: number): Promise<RedisClient | undefined> {
    try {
        return await connectNode(target.node, target.password, waitMs);
    } catch {
        return undefined;
    }
}

/** 1 for a master that serves slots (it needs a failover before it goes), 0 otherwise. */
export async function departureCost(target: HandoverTarget, settings: WaitSettings = {}): Promise<number> {
    const client = await tryConnect(target, waitSettings(settings).timeouts.answerMs);
    if (!client) return 0;
    try {
        const me = myself(await viewOf(client));
        return isMaster(me) && me.slots.length > 0 ? 1 : 0;
    } catch {
        return 0;
    } finally {
        client.disconnect();
    }
}

/** Replicas of `master` that are linked and in sync, most advanced replication offset first. */
async function syncedReplicas(client: RedisClient, master: ClusterNodeLine, view: readonly ClusterNodeLine[]): Promise<ClusterNodeLine[]> {
    const info = parseInfo(String(await client.call("INFO", "replication")));
    const online = new Map<string, number>();
    for (const [key, value] of Object.entries(info)) {
        if (!/^slave\d+$/.test(key)) continue;
        const fields = Object.fromEntries(value.split(",").map((kv) => kv.split("=") as [string, string]));
        if (fields.state === "online") online.set(`${fields.ip}:${fields.port}`, Number(fields.offset));
    }
    return view
        .filter((l) => l.masterId === master.id && l.connected && !l.flags.some((f) => f.startsWith("fail")) && online.has(l.address))
        .sort((a, b) => online.get(b.address)! - online.get(a.address)!);
}

function endpointOf(target: HandoverTarget, line: ClusterNodeLine): Endpoint {
    const [host, port] = line.address.split(":");
    const reachable = target.reachableAt[line.address] ?? { host, port: Number(port) };
    return { name: `replica ${line.address} (${line.id.slice(0, 8)})`, ...reachable, ...(target.node.tls ? { tls: target.node.tls } : {}) };
}

/**
 * Waits (until `deadline`, then lets CLUSTER FAILOVER say why) until the replica sees its master as
 * healthy: a replica that restarted moments ago can still flag it as failing until its next PONG, and
 * then refuses a manual failover ("Master is down or failed").
 */
async function untilMasterLooksHealthy(replicaClient: RedisClient, masterId: string, deadline: Deadline, pollMs: number): Promise<void> {
    await pollUntil(
        async () => {
            const master = (await viewOf(replicaClient)).find((l) => l.id === masterId);
            return master && master.connected && !master.flags.some((f) => f.startsWith("fail"))
                ? done(undefined)
                : notYet("the replica does not see its master as healthy");
        },
        { within: deadline, pollMs },
    );
}

/**
 * Makes the node safe to stop. A master with slots fails over to its most up-to-date replica and
 * becomes that replica's replica; a replica needs nothing. A node that does not answer is already
 * out of service, so there is nothing to hand over (undefined). A master without an in-sync
 * replica cannot hand over: its slots are unavailable while it is away (still no acknowledged write
 * is lost, since its data stays on its volume).
 */
export async function prepareDeparture(
    target: HandoverTarget,
    timeoutMs: number,
    settings: WaitSettings = {},
): Promise<Departure | undefined> {
    const waiting = waitSettings(settings);
    const { answerMs, pollMs } = waiting.timeouts;
    const client = await tryConnect(target, answerMs);
    if (!client) return undefined;
    try {
        const view = await viewOf(client);
        const me = myself(view);
        const clusterWasOk = parseInfo(String(await client.call("CLUSTER", "INFO"))).cluster_state === "ok";
        if (!isMaster(me) || me.slots.length === 0) return { nodeId: me.id, clusterWasOk };
        const [replica] = await syncedReplicas(client, me, view);
        if (!replica) return { nodeId: me.id, clusterWasOk };
        const replicaClient = await connectNode(endpointOf(target, replica), target.password, answerMs);
        try {
            // One bound for both: the wait for a healthy master and the failover itself.
            const deadline = new Deadline(timeoutMs, waiting.clock);
            await untilMasterLooksHealthy(replicaClient, me.id, deadline, pollMs);
            await replicaClient.call("CLUSTER", "FAILOVER");
            await waitFor(
                async () => {
                    const [promoted, demoted] = await Promise.all([viewOf(replicaClient), viewOf(client)]);
                    return isMaster(myself(promoted)) && !isMaster(myself(demoted))
                        ? done(undefined)
                        : notYet("the roles have not swapped yet");
                },
                {
                    what: `${target.node.name} to hand over to ${replica.address}`,
                    within: deadline,
                    pollMs,
                    error: () =>
                        new HandoverError(
                            `${target.node.name}: CLUSTER FAILOVER to ${replica.address} did not complete within ${Math.round(timeoutMs / 1000)} s; the node was left running`,
                        ),
                },
            );
        } finally {
            replicaClient.disconnect();
        }
        return { nodeId: me.id, clusterWasOk, failedOverTo: replica.address };
    } finally {
        client.disconnect();
    }
}

/** Why the node is not back yet, or undefined once it is. */
async function returnProblem(client: RedisClient, departure: Departure): Promise<string | undefined> {
    const me = myself(await viewOf(client));
    if (me.id !== departure.nodeId) return `it came back as node ${me.id}, not ${departure.nodeId} (nodes.conf was lost)`;
    // A cluster that was not formed yet (an earlier up failed midway) is formation's job afterwards.
    if (!departure.clusterWasOk) return undefined;
    const cluster = parseInfo(String(await client.call("CLUSTER", "INFO")));
    if (cluster.cluster_state !== "ok") return `cluster_state is ${cluster.cluster_state}`;
    if (isMaster(me)) return undefined;
    const replication = parseInfo(String(await client.call("INFO", "replication")));
    if (replication.master_link_status !== "up") return `its link to its master is ${replication.master_link_status}`;
    if (replication.master_sync_in_progress !== "0") return "it is still syncing from its master";
    return undefined;
}

/** Waits until the node answers again as the same member, with cluster_state:ok and (as a replica) a synced link. */
export async function awaitReturn(
    target: HandoverTarget,
    departure: Departure,
    timeoutMs: number,
    settings: WaitSettings = {},
): Promise<void> {
    const { timeouts, clock } = waitSettings(settings);
    // One bound for both: answering at all, then rejoining.
    const deadline = new Deadline(timeoutMs, clock);
    const client = await connectNode(target.node, target.password, timeoutMs);
    try {
        await waitFor(
            async () => {
                const problem = await returnProblem(client, departure).catch((err: Error) => err.message);
                return problem === undefined ? done(undefined) : notYet(problem);
            },
            {
                what: `${target.node.name} to rejoin the cluster`,
                within: deadline,
                pollMs: timeouts.pollMs,
                error: (problem) =>
                    new HandoverError(
                        `${target.node.name} did not rejoin the cluster within ${Math.round(timeoutMs / 1000)} s: ${problem}`,
                    ),
            },
        );
    } finally {
        client.disconnect();
    }
}
