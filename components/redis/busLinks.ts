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
import { NODE_TIMEOUT, formingNodeTimeoutMs } from "./formationOverrides";
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

/** Whether the peer had a PONG from the node after `sinceMs` (its link works). */
function fresh(peer: Peer, view: PeerView): boolean {
    return view.pongReceivedMs > peer.sinceMs;
}

/**
 * How many times the bus port is flipped for peers whose link stays dead before the handover fails. A round
 * that fails takes about the node timeout (its wait for a PONG on the new link): 5 of them give a proxy that
 * lags under load about as long as 3 did when each flip waited for the node's pings at its own timeout.
 */
const RENEW_ROUNDS = 5;

/**
 * One renewal: the node announces another bus port (its client port: a peer that connects there is
 * refused at once) until the stale peers see it, then its own again; the peers that then do not see the
 * real port back, or see it but get no PONG on their new link, are returned.
 */
async function renewRound(
    node: RedisClient,
    stale: readonly Peer[],
    nodeId: string,
    ports: { clientPort: number; busPort: number; realBusPort: number; timeout: number },
    waiting: Required<WaitSettings>,
): Promise<{ still: Peer[]; unanswered: Peer[] }> {
    const { clientPort, busPort, realBusPort, timeout } = ports;
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
    return { still, unanswered };
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
        const timeout = Number(((await node.call("CONFIG", "GET", NODE_TIMEOUT)) as string[])[1]);
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
        // A link opened before the node started is dead for sure: renew at once. Otherwise the PONGs tell, within a ping interval.
        const dead = await Promise.all(peers.map((peer) => linkFromBeforeStart(peer, nodeId)));
        let stale = dead.includes(true) ? peers : await awaitPeers(peers, nodeId, timeout / 2 + 1000, fresh, waiting);
        const busPort = Number(busPortSetting);
        const realBusPort = busPort > 0 ? busPort : (peerViewOf(String(await node.call("CLUSTER", "NODES")), nodeId)?.busPort ?? 0);
        if (stale.length === 0) return;
        // Peers learn an announced port from the node's pings, and the node pings a peer when its last PONG is
        // older than half its node timeout: with a short one it pings every peer each cron tick (100 ms), and
        // a round takes a few hundred ms instead of about the node timeout (measured on Kubernetes: 6.5-10 s
        // per restarted node at 5 s). Only this node's own pings and failure reports change meanwhile: it alone
        // cannot fail a peer (that takes a majority of masters). Set back below; a killed run's value is set
        // back by the formation that follows (formationOverrides.ts).
        const renewingTimeout = Math.min(timeout, formingNodeTimeoutMs(lines.length));
        await node.call("CONFIG", "SET", NODE_TIMEOUT, String(renewingTimeout));
        try {
            // A peer may reconnect before the proxy in front of the address knows the new process (kube-proxy
            // lagging under load) and get a dead link again: another round then, a bounded number of times.
            for (let round = 1; stale.length > 0; round++) {
                const { still, unanswered } = await renewRound(node, stale, nodeId, { clientPort, busPort, realBusPort, timeout }, waiting);
                stale = [...still, ...unanswered];
                if (stale.length > 0 && round === RENEW_ROUNDS) {
                    const why = [
                        ...still.map((p) => `${p.name} (does not see its bus port back)`),
                        ...unanswered.map((p) => `${p.name} (no PONG on a new link)`),
                    ];
                    throw new Error(
                        `${target.node.name}: peers ${why.join(", ")} still have no working cluster-bus link to it after it restarted (${RENEW_ROUNDS} renewals)`,
                    );
                }
            }
        } finally {
            await node.call("CONFIG", "SET", NODE_TIMEOUT, String(timeout));
        }
    } finally {
        node.disconnect();
        for (const peer of peers) peer.client.disconnect();
    }
}
