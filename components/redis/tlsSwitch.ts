// Turning TLS on or off on a running cluster node, and waiting until its peers have too (what Redis
// 7.0 allows at runtime, and the order of the settings, is in components/tls/liveSwitch.ts). A node
// switched live keeps its bus and replication links (they were opened before); a link opened across the
// switch fails until the other side has switched as well, which is why no node restarts with the switch
// before every peer has made it live: the restarted node opens all its links anew.
import { messageOf } from "../common/errorMessage";
import { parseClusterNodes } from "./clusterView";
import { Endpoint, connectNode, maskSecrets } from "./connect";
import { WaitSettings, done, notYet, waitFor, waitSettings } from "../common/wait";

/** Announced `host:port` -> where the caller reaches it (same address when absent). */
export type ReachableAt = (announced: readonly string[]) => Record<string, { host: string; port: number }>;

/** Flags of a peer that is not there to switch (down, forgotten, or not yet met). */
const ABSENT = ["fail", "noaddr", "handshake"];

/** Whether `node` answers as `on` says (TLS or plain, as its endpoint has it) with `tls-cluster` to match. */
async function answersSwitched(node: Endpoint, password: string | undefined, on: boolean, probeMs: number): Promise<boolean> {
    try {
        const client = await connectNode(node, password, probeMs);
        try {
            const [, value] = (await client.call("CONFIG", "GET", "tls-cluster")) as string[];
            return value === (on ? "yes" : "no");
        } finally {
            client.disconnect();
        }
    } catch {
        return false;
    }
}

/** The node's peers that are there to switch, as the caller reaches them, speaking what `after` speaks. */
async function peersOf(after: Endpoint, password: string | undefined, reachableAt: ReachableAt, connectMs: number): Promise<Endpoint[]> {
    const client = await connectNode(after, password, connectMs);
    try {
        const peers = parseClusterNodes(String(await client.call("CLUSTER", "NODES"))).filter(
            (line) => !line.flags.includes("myself") && !line.flags.some((f) => ABSENT.includes(f)),
        );
        const map = reachableAt(peers.map((p) => p.address));
        return peers.map((p) => {
            const [host, port] = p.address.split(":");
            const reach = map[p.address] ?? { host, port: Number(port) };
            return { name: p.address, ...reach, ...(after.tls ? { tls: after.tls } : {}) };
        });
    } finally {
        client.disconnect();
    }
}

/**
 * Applies `settings` to the running node in one CONFIG SET (unless it answers switched already: a
 * retried `up`), then waits until every peer it knows answers switched too. Throws, naming the peers
 * that did not within `waitMs`.
 */
export async function switchTlsLive(
    before: Endpoint,
    after: Endpoint,
    password: string | undefined,
    settings: readonly (readonly [string, string])[],
    reachableAt: ReachableAt,
    waitMs: number,
    waiting: WaitSettings = {},
): Promise<void> {
    const { timeouts, clock } = waitSettings(waiting);
    const on = Boolean(after.tls);
    if (!(await answersSwitched(after, password, on, timeouts.probeMs))) {
        const client = await connectNode(before, password, timeouts.connectMs);
        try {
            await client.call("CONFIG", "SET", ...settings.flat());
        } catch (err) {
            // No `cause`: the original error may carry the password that the message masks.
            // eslint-disable-next-line preserve-caught-error
            throw new Error(`node ${before.name}: turning TLS ${on ? "on" : "off"} live failed: ${maskSecrets(err, password)}`);
        } finally {
            client.disconnect();
        }
    }
    await waitFor(
        async () => {
            try {
                const peers = await peersOf(after, password, reachableAt, timeouts.connectMs);
                const answers = await Promise.all(peers.map((peer) => answersSwitched(peer, password, on, timeouts.probeMs)));
                const waiting = peers.filter((_, i) => !answers[i]).map((p) => p.name);
                return waiting.length === 0 ? done(undefined) : notYet(waiting.join(", "));
            } catch (err) {
                return notYet(`${after.name} itself (${messageOf(err)})`);
            }
        },
        {
            what: `the peers of ${after.name} to turn TLS ${on ? "on" : "off"}`,
            timeoutMs: waitMs,
            pollMs: timeouts.slowPollMs,
            clock,
            error: (waiting) =>
                new Error(
                    `node ${after.name} turned TLS ${on ? "on" : "off"}, but these peers did not within ${waitMs} ms: ${waiting}; ` +
                        "no node restarted; run `pulumi up` again once they answer",
                ),
        },
    );
}
