// After a node restarts at the same announced address, its peers' own cluster-bus links to it must be
// new ones. Where that address is a proxy (a Kubernetes Service ClusterIP), a peer's link to the old
// process can outlive it: its packets go to an address that is gone, no reset ever comes back, and
// Redis never drops the link while the node keeps talking to it over the node's own link (any data
// from the node counts as "alive", redis cluster.c clusterCron). Over that dead link go exactly the
// messages a failover needs: the masters' votes (FAILOVER_AUTH_ACK) and a master's pings during a
// manual failover; a CLUSTER FAILOVER to the restarted node then never completes.
//
// A peer's link to the node is dead when the peer opened it before the node started (CLUSTER LINKS), and
// alive when a PONG came back on it after the node started (a peer pings every node at least every
// cluster-node-timeout/2 on its own link, and records the PONG's time). When some peer has a dead link,
// or no PONG after that long, the node announces another bus port for a moment: each peer
// sees a new address, drops its link, and then, with the right port back, connects anew through the
// address, to the process that serves it now (redis cluster.c nodeUpdateAddressIfNeeded).
import type { Redis as RedisClient } from "ioredis";
import { parseClusterNodes } from "./clusterView";
import { Endpoint, connectNode } from "./connect";
import type { HandoverTarget } from "./handover";
import { WaitSettings, done, notYet, pollUntil, waitSettings } from "../common/wait";

/** A peer's view of one node: its announced bus port and when the peer last had a PONG from it (the peer's clock, ms). */
interface PeerView {
    readonly busPort: number;
    readonly pongReceivedMs: number;
}

/** Pure: the line of `nodeId` in a CLUSTER NODES reply: `<id> <ip:port@cport[,host]> <flags> <master> <ping-sent> <pong-recv> ...`. */
export function peerViewOf(clusterNodes: string, nodeId: string): PeerView | undefined {
    const line = clusterNodes.split("\n").find((l) => l.startsWith(`${nodeId} `));
    if (!line) return undefined;
    const fields = line.trim().split(" ");
    const busPort = Number(fields[1].split("@")[1]?.split(",")[0]);
    return { busPort, pongReceivedMs: Number(fields[5]) };
}

interface Peer {
    readonly name: string;
    readonly client: RedisClient;
    /** On the peer's clock: a PONG after this is from the node as it runs now (first the node's start, then the renewal's). */
    readonly sinceMs: number;
}

async function peerTimeMs(client: RedisClient): Promise<number> {
    const [seconds, micros] = (await client.call("TIME")) as [string, string];
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** Pure: the fields of one CLUSTER LINKS entry (a flat list of names and values). */
export function linkFields(entry: readonly unknown[]): Record<string, string> {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < entry.length; i += 2) fields[String(entry[i])] = String(entry[i + 1]);
    return fields;
}

/** Whether the peer still has the link it opened to the node before the node started (CLUSTER LINKS, Redis 7): a dead one. */
async function linkFromBeforeStart(peer: Peer, nodeId: string): Promise<boolean> {
    try {
        const links = ((await peer.client.call("CLUSTER", "LINKS")) as unknown[][]).map(linkFields);
        // sinceMs may be up to a second after the start (whole seconds of uptime): only a link older than that second is surely dead.
        return links.some((l) => l.direction === "to" && l.node === nodeId && Number(l["create-time"]) < peer.sinceMs - 1000);
    } catch {
        // An older server without CLUSTER LINKS: the PONGs decide alone.
        return false;
    }
}

async function viewOnPeer(peer: Peer, nodeId: string): Promise<PeerView | undefined> {
    return peerViewOf(String(await peer.client.call("CLUSTER", "NODES")), nodeId);
}

/** Polls (every 5 pollMs) until every peer's view of the node passes `ok`; the peers that do not, when `waitMs` has passed. */
async function awaitPeers(
    peers: readonly Peer[],
    nodeId: string,
    waitMs: number,
    ok: (peer: Peer, view: PeerView) => boolean,
    settings: Required<WaitSettings>,
): Promise<Peer[]> {
    let pending = [...peers];
    await pollUntil(
        async () => {
            const views = await Promise.all(pending.map((peer) => viewOnPeer(peer, nodeId).catch(() => undefined)));
            pending = pending.filter((peer, i) => !views[i] || !ok(peer, views[i]));
            return pending.length === 0 ? done(undefined) : notYet(`${pending.length} peers pending`);
        },
        { timeoutMs: waitMs, pollMs: settings.timeouts.pollMs * 5, clock: settings.clock },
    );
    return pending;
}

/**
 * Makes sure every peer of the restarted node reaches it over a link of its own to the node as it runs
 * now; announces another bus port for a moment where one does not. Peers that do not answer are left
 * to the formation that follows.
 */
export async function renewStaleLinks(target: HandoverTarget, settings: WaitSettings = {}): Promise<void> {
    const waiting = waitSettings(settings);
    const { answerMs } = waiting.timeouts;
    const node = await connectNode(target.node, target.password, answerMs);
    const peers: Peer[] = [];
    try {
        const nodeId = String(await node.call("CLUSTER", "MYID"));
        const uptimeMs = Number(/uptime_in_seconds:(\d+)/.exec(String(await node.call("INFO", "server")))?.[1] ?? 0) * 1000;
        const timeout = Number(((await node.call("CONFIG", "GET", "cluster-node-timeout")) as string[])[1]);
        const [busPortSetting, clientPort] = [
            ((await node.call("CONFIG", "GET", "cluster-announce-bus-port")) as string[])[1],
            target.node.port,
        ];
        const lines = parseClusterNodes(String(await node.call("CLUSTER", "NODES")));
        for (const line of lines.filter((l) => !l.flags.includes("myself") && l.connected && !l.flags.some((f) => f.startsWith("fail")))) {
            const [host, port] = line.address.split(":");
            const endpoint: Endpoint = {
                name: `peer ${line.address}`,
                ...(target.reachableAt[line.address] ?? { host, port: Number(port) }),
                ...(target.node.tls ? { tls: target.node.tls } : {}),
            };
            const client = await connectNode(endpoint, target.password, answerMs).catch(() => undefined);
            if (!client) continue;
            // uptime_in_seconds is whole seconds: the estimate is at most a second after the start, never before it.
            peers.push({ name: line.address, client, sinceMs: (await peerTimeMs(client)) - uptimeMs });
        }
        const fresh = (peer: Peer, view: PeerView) => view.pongReceivedMs > peer.sinceMs;
        // A link opened before the node started is dead for sure: renew at once. Otherwise the PONGs tell, within a ping interval.
        const dead = await Promise.all(peers.map((peer) => linkFromBeforeStart(peer, nodeId)));
        const stale = dead.includes(true) ? peers : await awaitPeers(peers, nodeId, timeout / 2 + 1000, fresh, waiting);
        if (stale.length === 0) return;
        const busPort = Number(busPortSetting);
        const realBusPort = busPort > 0 ? busPort : (peerViewOf(String(await node.call("CLUSTER", "NODES")), nodeId)?.busPort ?? 0);
        // Another port for a moment (the client port: a peer that connects there is refused at once), then the real one back.
        await node.call("CONFIG", "SET", "cluster-announce-bus-port", String(clientPort));
        try {
            await awaitPeers(stale, nodeId, timeout * 2, (_peer, view) => view.busPort === clientPort, waiting);
        } finally {
            await node.call("CONFIG", "SET", "cluster-announce-bus-port", String(busPort > 0 ? busPort : 0));
        }
        const renewedFrom = await Promise.all(stale.map(async (peer) => ({ ...peer, sinceMs: await peerTimeMs(peer.client) })));
        const still = await awaitPeers(renewedFrom, nodeId, timeout * 2, (_peer, view) => view.busPort === realBusPort, waiting);
        const unanswered = await awaitPeers(
            renewedFrom.filter((p) => !still.includes(p)),
            nodeId,
            timeout + 1000,
            fresh,
            waiting,
        );
        if (still.length + unanswered.length > 0) {
            throw new Error(
                `${target.node.name}: peers ${[...still, ...unanswered].map((p) => p.name).join(", ")} still have no working cluster-bus link to it after it restarted`,
            );
        }
    } finally {
        node.disconnect();
        for (const peer of peers) peer.client.disconnect();
    }
}
