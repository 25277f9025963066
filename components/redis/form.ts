// Forms (or adopts, or completes) a Redis Cluster with native commands through ioredis, the way
// `redis-cli --cluster create` does, but polling in tens of milliseconds. Running it on a cluster that
// is already formed as planned sends no write command.
import type { Redis as RedisClient } from "ioredis";
import type { SlotRange } from "../topology";
import { ClusterNodeLine, isMaster, isPending, myself, parseClusterNodes, parseInfo, slotRangesOf } from "./clusterView";
import { Endpoint, POLL_MS, connectNode, sleep } from "./connect";
import { repairError } from "./errors";
import { SlotMove, moveSlots } from "./migrate";

export interface FormationNode extends Endpoint {
    /** Address other nodes reach this one at (used for CLUSTER MEET). */
    readonly announceHost: string;
    readonly announcePort: number;
    readonly busPort: number;
    /** Index of the slot range (shard) this node serves. */
    readonly shard: number;
    /** Planned role; after a failover the live roles within a shard may be swapped, which is accepted. */
    readonly role: "master" | "replica";
}

export interface FormationSpec {
    readonly nodes: readonly FormationNode[];
    /** Slot range per shard index. */
    readonly slotPlan: readonly SlotRange[];
    readonly password?: string;
    /** How long each node may take to answer at all. */
    readonly connectTimeoutMs?: number;
    /** Overall bound on forming, after every node answered. */
    readonly timeoutMs?: number;
    /**
     * Nodes leaving the cluster (scale in): their slots and keys move to the plan's masters first,
     * then they are reset and every remaining node forgets them.
     */
    readonly retiring?: readonly FormationNode[];
}

export interface NodeState {
    readonly name: string;
    readonly id: string;
    readonly role: "master" | "replica";
    /** Announced `host:port`. */
    readonly address: string;
    /** Name of the master this replica follows. */
    readonly replicaOf?: string;
    readonly slots: readonly string[];
    /** False when the node did not answer; its role and slots are then what its peers last saw. */
    readonly reachable: boolean;
}

export interface ClusterInspection {
    readonly nodes: NodeState[];
    readonly healthy: boolean;
    /** Why it is not healthy as planned. */
    readonly problem?: string;
}

export interface FormationResult {
    readonly nodes: readonly NodeState[];
    /** True when any write command was sent: false means the cluster was already formed as planned. */
    readonly changed: boolean;
    readonly elapsedMs: number;
}

export class FormationError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "FormationError";
        repairError(this, message);
    }
}

interface Live {
    readonly node: FormationNode;
    readonly client: RedisClient;
    id: string;
    view: ClusterNodeLine[];
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30000;
const DEFAULT_TIMEOUT_MS = 60000;

async function clusterNodesOf(client: RedisClient): Promise<ClusterNodeLine[]> {
    return parseClusterNodes(String(await client.call("CLUSTER", "NODES")));
}

async function refresh(live: Live[]): Promise<void> {
    await Promise.all(live.map(async (l) => {
        try {
            l.view = await clusterNodesOf(l.client);
        } catch (err) {
            // Name the node: "Command timed out" alone does not say which one went away.
            throw new FormationError(`node ${l.node.name} at ${l.node.host}:${l.node.port} stopped answering while forming: ${(err as Error).message}`);
        }
        l.id = myself(l.view).id;
    }));
}

/** Polls `check` every POLL_MS until it returns undefined; its last answer explains a timeout. */
async function waitFor(what: string, deadline: number, check: () => Promise<string | undefined>): Promise<void> {
    let problem: string | undefined = "not checked yet";
    while (Date.now() < deadline) {
        problem = await check();
        if (problem === undefined) return;
        await sleep(POLL_MS);
    }
    throw new FormationError(`timed out waiting for ${what}: ${problem}`);
}

/** Connects to every node in parallel; returns those that answered and why the others did not. */
async function connectEach(nodes: readonly FormationNode[], password: string | undefined, waitMs: number): Promise<{ live: Live[]; down: string[] }> {
    const settled = await Promise.allSettled(nodes.map((node) => connectNode(node, password, waitMs)));
    const live: Live[] = [];
    const down: string[] = [];
    settled.forEach((s, i) => {
        if (s.status === "fulfilled") live.push({ node: nodes[i], client: s.value, id: "", view: [] });
        else down.push(s.reason instanceof Error ? s.reason.message : String(s.reason));
    });
    return { live, down };
}

/** Connects to every node in parallel; the error names each node that did not answer. */
export async function connectAll(spec: FormationSpec): Promise<Live[]> {
    const { live, down } = await connectEach(spec.nodes, spec.password, spec.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    if (down.length > 0) {
        live.forEach((l) => l.client.disconnect());
        throw new FormationError(down.join("; "));
    }
    return live;
}

async function checkClusterEnabled(live: Live[]): Promise<void> {
    await Promise.all(live.map(async (l) => {
        const info = parseInfo(String(await l.client.info("cluster")));
        if (info.cluster_enabled !== "1") {
            throw new FormationError(`node ${l.node.name} at ${l.node.host}:${l.node.port} is not cluster-enabled (cluster-enabled yes is missing)`);
        }
    }));
}

/**
 * Nodes a member knows that are not ours: leaving nodes are expected, stale entries of our own
 * addresses are forgotten, anything else is refused.
 */
async function checkMembership(live: Live[], leaving: Live[]): Promise<boolean> {
    const ours = new Set([...live, ...leaving].map((l) => l.id));
    const ourAddresses = new Set(live.map((l) => `${l.node.announceHost}:${l.node.announcePort}`));
    const stale = new Set<string>();
    for (const l of live) {
        for (const other of l.view) {
            if (ours.has(other.id)) continue;
            if (ourAddresses.has(other.address) || isPending(other) || other.flags.includes("fail")) {
                stale.add(other.id);
            } else {
                throw new FormationError(
                    `node ${l.node.name} already belongs to another cluster: it knows node ${other.id} at ${other.address}, which is not part of this stack`);
            }
        }
    }
    if (stale.size === 0) return false;
    // FORGET must reach every node before gossip re-teaches the stale id (60 s ban).
    await Promise.all(live.flatMap((l) => [...stale]
        .filter((id) => l.view.some((v) => v.id === id))
        .map((id) => l.client.call("CLUSTER", "FORGET", id).catch(() => undefined))));
    return true;
}

function ownersOf(live: Live[]): Map<number, string> {
    // The freshest claim wins: a node's own line, then what others gossip.
    const owner = new Map<number, string>();
    for (const l of live) for (const line of l.view) for (const slot of line.slots) if (!owner.has(slot)) owner.set(slot, line.id);
    for (const l of live) for (const slot of myself(l.view).slots) owner.set(slot, l.id);
    return owner;
}

/** The node that owns (or will own) each shard's slots: a live master of the shard holding slots, else the planned master. */
function shardMasters(live: Live[], spec: FormationSpec): Map<number, Live> {
    const masters = new Map<number, Live>();
    spec.slotPlan.forEach((_, shard) => {
        const members = live.filter((l) => l.node.shard === shard);
        const current = members.find((l) => isMaster(myself(l.view)) && myself(l.view).slots.length > 0);
        const planned = members.find((l) => l.node.role === "master");
        const chosen = current ?? planned;
        if (!chosen) throw new FormationError(`shard ${shard} has no node planned as master`);
        masters.set(shard, chosen);
    });
    return masters;
}

/**
 * Assigns the slots nobody holds to their shard's master and returns the moves for slots held by
 * another shard (after a change in the number of masters) or by a leaving node.
 */
async function assignSlots(live: Live[], leaving: Live[], spec: FormationSpec, masters: Map<number, Live>): Promise<{ changed: boolean; moves: SlotMove[] }> {
    const everyone = [...live, ...leaving];
    const owner = ownersOf(everyone);
    const byId = new Map(everyone.map((l) => [l.id, l]));
    const leavingIds = new Set(leaving.map((l) => l.id));
    const holder = (l: Live) => ({ client: l.client, id: l.id, host: l.node.announceHost, port: l.node.announcePort });
    let changed = false;
    const moves: SlotMove[] = [];
    // Nodes that hold slots now: the masters to tell about every move.
    const holders = everyone.filter((l) => myself(l.view).slots.length > 0);
    for (const [shard, range] of spec.slotPlan.entries()) {
        const master = masters.get(shard)!;
        const missing: number[] = [];
        for (let slot = range.start; slot <= range.end; slot++) {
            const current = owner.get(slot);
            if (current === undefined) {
                missing.push(slot);
                continue;
            }
            const from = byId.get(current);
            if (!from) throw new FormationError(`slot ${slot} is held by node ${current}, which is neither in this stack nor leaving it`);
            if (leavingIds.has(current) || from.node.shard !== shard) {
                const otherMasters = holders.filter((h) => h !== from && h !== master).map((h) => h.client);
                moves.push({ slot, source: holder(from), target: holder(master), otherMasters });
            }
        }
        for (const r of slotRangesOf(missing)) {
            const [start, end] = r.split("-");
            await master.client.call("CLUSTER", "ADDSLOTSRANGE", start, end ?? start);
            changed = true;
        }
    }
    return { changed, moves };
}

/**
 * A node that now leads a shard but still replicates another shard's master (the number of masters
 * grew, so its index became a master's): reset it to an empty master. It held only a copy.
 */
async function resetMisplacedReplicas(live: Live[], masters: Map<number, Live>): Promise<boolean> {
    const byId = new Map(live.map((l) => [l.id, l]));
    let changed = false;
    for (const [shard, l] of masters) {
        const me = myself(l.view);
        const following = me.masterId ? byId.get(me.masterId) : undefined;
        if (me.masterId && following?.node.shard !== shard) {
            await l.client.call("CLUSTER", "RESET", "SOFT");
            changed = true;
        }
    }
    return changed;
}

/** Resets leaving nodes (now without slots) and makes every remaining node forget them. */
async function retire(live: Live[], leaving: Live[]): Promise<boolean> {
    if (leaving.length === 0) return false;
    for (const l of leaving) {
        const me = myself(await clusterNodesOf(l.client));
        if (me.slots.length > 0) throw new FormationError(`leaving node ${l.node.name} still holds slots ${slotRangesOf(me.slots).join(",")}`);
    }
    // Replicas first: a master with a replica attached may not be reset before it.
    const ordered = [...leaving].sort((a, b) => Number(isMaster(myself(a.view))) - Number(isMaster(myself(b.view))));
    for (const l of ordered) await l.client.call("CLUSTER", "RESET", "SOFT");
    await Promise.all(live.flatMap((l) => leaving.map((gone) => l.client.call("CLUSTER", "FORGET", gone.id).catch((err: Error) => {
        if (!/Unknown node/i.test(err.message)) throw err;
    }))));
    return true;
}

async function setEpochs(live: Live[]): Promise<boolean> {
    let changed = false;
    for (const [i, l] of live.entries()) {
        // Only a node that knows nobody yet and has epoch 0 accepts it; distinct epochs avoid collisions at start.
        if (l.view.length === 1 && myself(l.view).configEpoch === 0) {
            await l.client.call("CLUSTER", "SET-CONFIG-EPOCH", String(i + 1)).catch(() => undefined);
            changed = true;
        }
    }
    return changed;
}

/**
 * Each pair of nodes that do not know each other meets once, all pairs at once: the handshakes carry
 * ids and slots directly, where meeting one node and waiting for gossip to spread takes seconds.
 * Only one side of a pair meets the other: two handshakes per pair would race.
 */
/**
 * Whether `a` knows `b` at `b`'s announced address: nodes.conf may still hold an old one (the stack's
 * subnet changed, say), and meeting the node at the new address makes Redis update it.
 */
function knows(a: Live, b: Live): boolean {
    return a.view.some((v) => v.id === b.id && !isPending(v) && v.address === `${b.node.announceHost}:${b.node.announcePort}`);
}

async function meet(live: Live[]): Promise<boolean> {
    const meeting = (from: Live, to: Live) =>
        from.client.call("CLUSTER", "MEET", to.node.announceHost, String(to.node.announcePort), String(to.node.busPort));
    // The side that does not know the other meets it (a reset node knows nobody, though all know it).
    const meetings = live.flatMap((l, i) => live.slice(i + 1).flatMap((o) => {
        if (!knows(l, o)) return [meeting(l, o)];
        if (!knows(o, l)) return [meeting(o, l)];
        return [];
    }));
    await Promise.all(meetings);
    return meetings.length > 0;
}

function convergenceProblem(live: Live[]): string | undefined {
    for (const l of live) {
        const missing = live.filter((o) => !knows(l, o));
        if (missing.length > 0) return `node ${l.node.name} does not yet know ${missing.map((m) => m.node.name).join(", ")} at their announced addresses`;
    }
    return undefined;
}

async function replicate(live: Live[], masters: Map<number, Live>, pendingMoves: readonly SlotMove[]): Promise<boolean> {
    const stillMoving = new Set(pendingMoves.map((m) => m.source.id));
    let changed = false;
    for (const l of live) {
        const master = masters.get(l.node.shard)!;
        if (master === l || stillMoving.has(l.id)) continue;
        const me = myself(l.view);
        if (me.masterId === master.id) continue;
        if (isMaster(me) && me.slots.length > 0) {
            throw new FormationError(`node ${l.node.name} is planned as a replica but serves slots ${slotRangesOf(me.slots).join(",")}`);
        }
        await l.client.call("CLUSTER", "REPLICATE", master.id);
        changed = true;
    }
    return changed;
}

async function clusterStateProblem(nodes: Live[]): Promise<string | undefined> {
    const states = await Promise.all(nodes.map(async (l) => parseInfo(String(await l.client.call("CLUSTER", "INFO"))).cluster_state));
    const i = states.findIndex((state) => state !== "ok");
    return i < 0 ? undefined : `node ${nodes[i].node.name} reports cluster_state:${states[i]}`;
}

/** A slot that `l` sees on a node outside the slot's planned shard, if any. */
function misplacedSlot(l: Live, live: Live[], spec: FormationSpec): number | undefined {
    const shardOf = new Map(live.map((x) => [x.id, x.node.shard]));
    const owner = new Map<number, string>();
    for (const line of l.view) for (const slot of line.slots) owner.set(slot, line.id);
    for (const [shard, range] of spec.slotPlan.entries()) {
        for (let slot = range.start; slot <= range.end; slot++) {
            if (shardOf.get(owner.get(slot) ?? "") !== shard) return slot;
        }
    }
    return undefined;
}

/**
 * Why the cluster is not yet healthy as planned, from every node's point of view; undefined when it
 * is. Shard masters are re-read on every poll: a failover may swap roles while we wait.
 */
async function healthProblem(live: Live[], spec: FormationSpec): Promise<string | undefined> {
    await refresh(live);
    const masters = shardMasters(live, spec);
    const replicaCount = live.length - masters.size;
    const problems = await Promise.all(live.map(async (l) => {
        const info = parseInfo(String(await l.client.call("CLUSTER", "INFO")));
        if (info.cluster_state !== "ok") return `node ${l.node.name} reports cluster_state:${info.cluster_state}`;
        if (info.cluster_slots_assigned !== "16384") return `node ${l.node.name} sees ${info.cluster_slots_assigned} slots assigned`;
        if (Number(info.cluster_known_nodes) !== live.length) return `node ${l.node.name} knows ${info.cluster_known_nodes} of ${live.length} nodes`;
        const misplaced = misplacedSlot(l, live, spec);
        if (misplaced !== undefined) return `node ${l.node.name} does not yet see slot ${misplaced} on its planned shard`;
        const replicas = l.view.filter((v) => v.masterId !== undefined && !v.flags.includes("fail"));
        if (replicas.length !== replicaCount) return `node ${l.node.name} sees ${replicas.length} of ${replicaCount} replicas`;
        if (masters.get(l.node.shard) !== l) {
            const replication = parseInfo(String(await l.client.info("replication")));
            if (replication.master_link_status !== "up") return `replica ${l.node.name} has master_link_status:${replication.master_link_status ?? "none"}`;
        }
        return undefined;
    }));
    return problems.find((p) => p !== undefined);
}

function describe(live: Live[], all: Live[] = live): NodeState[] {
    const byId = new Map(all.map((l) => [l.id, l]));
    return live.map((l) => {
        const me = myself(l.view);
        const master = me.masterId ? byId.get(me.masterId) : undefined;
        return {
            name: l.node.name,
            id: l.id,
            role: isMaster(me) ? "master" as const : "replica" as const,
            address: `${l.node.announceHost}:${l.node.announcePort}`,
            ...(master ? { replicaOf: master.node.name } : {}),
            slots: slotRangesOf(me.slots),
            reachable: true,
        };
    });
}

/** A node that does not answer, as the nodes that do last saw it. */
function describeFromPeers(node: FormationNode, live: Live[]): NodeState {
    const address = `${node.announceHost}:${node.announcePort}`;
    const seen = live.flatMap((l) => l.view).find((v) => v.address === address);
    const master = seen?.masterId ? live.find((l) => l.id === seen.masterId) : undefined;
    return {
        name: node.name,
        id: seen?.id ?? "",
        role: seen && !isMaster(seen) ? "replica" : "master",
        address,
        ...(master ? { replicaOf: master.node.name } : {}),
        slots: seen ? slotRangesOf(seen.slots) : [],
        reachable: false,
    };
}

export function validateSpec(spec: FormationSpec): void {
    if (spec.nodes.length === 0) throw new FormationError("no nodes to form a cluster from");
    const covered = spec.slotPlan.reduce((n, r) => n + r.end - r.start + 1, 0);
    if (covered !== 16384) throw new FormationError(`the slot plan covers ${covered} of 16384 slots`);
    for (const node of spec.nodes) {
        if (node.shard < 0 || node.shard >= spec.slotPlan.length) {
            throw new FormationError(`node ${node.name} serves shard ${node.shard}, but the plan has ${spec.slotPlan.length} shards`);
        }
    }
}

/** How long to wait for a handshake before meeting again. */
const MEET_RETRY_MS = 1000;

/**
 * cluster-node-timeout while fresh nodes are formed: Redis clamps the rejoin delay to at least 500 ms,
 * and every node pings each peer every timeout/2, so larger clusters need more (60 nodes on 2 cores
 * flap between ok and fail at 500 ms). Never longer than the node's own setting.
 */
export function formingNodeTimeoutMs(nodeCount: number): number {
    return Math.max(500, 50 * nodeCount);
}

/**
 * Sets a config parameter on nodes for the duration of a step, where `choose` gives a value for the
 * node's current one (undefined: leave it); the returned function puts the originals back.
 */
async function overrideConfig(nodes: Live[], name: string, choose: (current: string) => string | undefined): Promise<() => Promise<void>> {
    const originals = await Promise.all(nodes.map(async (l) => {
        const current = (await l.client.call("CONFIG", "GET", name) as string[])[1];
        const value = choose(current);
        if (value === undefined || value === current) return undefined;
        await l.client.call("CONFIG", "SET", name, value);
        return current;
    }));
    return async () => {
        await Promise.all(nodes.map((l, i) => originals[i] === undefined ? undefined : l.client.call("CONFIG", "SET", name, originals[i]!)));
    };
}

/**
 * A master that was alone and slotless waits min(cluster-node-timeout, 5 s) before it reports
 * cluster_state:ok (Redis's rejoin delay), so forming fresh nodes would take 5 s at the default
 * timeout. The timeout is shortened while forming and the returned function restores each node's own.
 */
function shortenNodeTimeouts(live: Live[]): Promise<() => Promise<void>> {
    const forming = formingNodeTimeoutMs(live.length);
    return overrideConfig(live, "cluster-node-timeout", (current) => (Number(current) > forming ? String(forming) : undefined));
}

/**
 * Forms the cluster, or completes a partly formed one, or adopts one already formed as planned, or
 * reshapes it to a new plan (more or fewer masters or replicas).
 * Steps: wait for every node, check cluster mode and membership, assign free slots, set config
 * epochs, MEET, wait for gossip, REPLICATE, move slots held by the wrong shard or a leaving node,
 * retire leaving nodes, and wait until every node is ok, sees the plan, and every replica is linked.
 */
export async function formCluster(spec: FormationSpec, onStep: (step: string, elapsedMs: number) => void = () => undefined): Promise<FormationResult> {
    validateSpec(spec);
    const started = Date.now();
    const step = (name: string) => onStep(name, Date.now() - started);
    const everyone = await connectAll({ ...spec, nodes: [...spec.nodes, ...(spec.retiring ?? [])] });
    const live = everyone.slice(0, spec.nodes.length);
    const leaving = everyone.slice(spec.nodes.length);
    step("connected");
    const deadline = Date.now() + (spec.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    // Settings changed for the duration of forming, put back whatever happens.
    const restores: Array<() => Promise<void>> = [];
    try {
        await checkClusterEnabled(everyone);
        await refresh(everyone);
        let changed = await checkMembership(live, leaving);
        let masters = shardMasters(live, spec);
        if (await resetMisplacedReplicas(live, masters)) changed = true;
        if (changed) await refresh(everyone);
        const isFresh = everyone.every((l) => l.view.length === 1) && leaving.length === 0;
        if (isFresh) {
            const withKeys = await Promise.all(live.map(async (l) => ({ l, keys: Number(await l.client.dbsize()) })));
            const dirty = withKeys.find((k) => k.keys > 0);
            if (dirty) throw new FormationError(`node ${dirty.l.node.name} is not empty (${dirty.keys} keys) and not part of this cluster; refusing to form over its data`);
        }
        masters = shardMasters(live, spec);
        const slots = await assignSlots(live, leaving, spec, masters);
        changed = slots.changed || changed;
        changed = (await setEpochs(live)) || changed;
        changed = (await meet(live)) || changed;
        step("slots assigned, meet sent");
        let lastMeet = Date.now();
        await waitFor("the nodes to meet", deadline, async () => {
            await refresh(live);
            const problem = convergenceProblem(live);
            // A handshake can time out on a busy host; meeting again is harmless.
            if (problem && Date.now() - lastMeet > MEET_RETRY_MS) {
                await meet(live);
                lastMeet = Date.now();
            }
            return problem;
        });
        step("gossip converged");
        // After the handshakes (which time out after the node timeout), before the state turns ok.
        if (isFresh) restores.push(await shortenNodeTimeouts(live));
        masters = shardMasters(live, spec);
        changed = (await replicate(live, masters, slots.moves)) || changed;
        if (slots.moves.length > 0) {
            // A node that just joined refuses imported keys until it reports cluster_state:ok.
            await waitFor("cluster_state:ok before moving slots", deadline, () => clusterStateProblem(everyone));
            // Otherwise a master that gives away its last slot turns itself into a replica, even when
            // it is about to receive others.
            restores.push(await overrideConfig(everyone, "cluster-allow-replica-migration", () => "no"));
            const keys = await moveSlots(slots.moves, spec.password);
            step(`moved ${slots.moves.length} slots with ${keys} keys`);
            await refresh(everyone);
            await replicate(live, masters, []);
            changed = true;
        }
        if (await retire(live, leaving)) {
            step(`retired ${leaving.length} nodes`);
            changed = true;
        }
        await waitFor("cluster_state:ok and linked replicas", deadline, () => healthProblem(live, spec));
        step("healthy");
        return { nodes: describe(live), changed, elapsedMs: Date.now() - started };
    } finally {
        for (const restore of restores) await restore().catch(() => undefined);
        everyone.forEach((l) => l.client.disconnect());
    }
}

/**
 * Reads the live roles and slots without changing anything (for `pulumi refresh`). Nodes that do not
 * answer are reported as their peers see them, so a failover shows up as new roles.
 */
export async function inspectCluster(spec: FormationSpec): Promise<ClusterInspection> {
    const { live, down } = await connectEach(spec.nodes, spec.password, spec.connectTimeoutMs ?? 5000);
    try {
        if (live.length === 0) return { nodes: [], healthy: false, problem: `no node answers: ${down.join("; ")}` };
        await refresh(live);
        const problem = down.length > 0
            ? `unreachable: ${down.join("; ")}`
            : convergenceProblem(live) ?? await healthProblem(live, spec);
        const nodes = spec.nodes.map((node) => {
            const l = live.find((x) => x.node === node);
            return l ? describe([l], live)[0] : describeFromPeers(node, live);
        });
        return { nodes, healthy: problem === undefined, ...(problem ? { problem } : {}) };
    } finally {
        live.forEach((l) => l.client.disconnect());
    }
}
