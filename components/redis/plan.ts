// Pure: (what is wanted, what the nodes answered) -> the steps that get there, as data. The whole plan
// is built before any node is touched, as `redis-cli --cluster create` does; a cluster already formed
// as planned plans nothing. No I/O here: the planner is unit-tested from recorded replies. The plan reads
// as its phases: the nodes as they are, what is stale, where the slots are, failovers, who leads each
// shard (./planShards.ts), where the slots go (./slotMoves.ts), replicas, joining, leaving.
import { isPending } from "./clusterView";
import { FormationError, FormationSpec, announcedAddress, validateSpec } from "./formationTypes";
import { NodeView, Observation, viewsOf } from "./observation";
import { Sim, meetsBetween, simulate, slotOwners } from "./planNodes";
import { chooseHolders } from "./planShards";
import type { Plan, Step } from "./planSteps";
import { distributeSlots, finishedSlots, planCloses } from "./slotMoves";

export type { CloseAction, Plan, Step } from "./planSteps";
export { meetsNeeded } from "./planNodes";
export { describePlan } from "./describePlan";

/**
 * cluster-node-timeout while fresh nodes are formed: Redis clamps the rejoin delay to at least 500 ms,
 * and every node pings each peer every timeout/2, so larger clusters need more (60 nodes on 2 cores
 * flap between ok and fail at 500 ms). Never longer than the node's own setting.
 */
export function formingNodeTimeoutMs(nodeCount: number): number {
    return Math.max(500, 50 * nodeCount);
}

/** Every node as the planner plays it forward; a node that answers without cluster mode is refused. */
function nodesAsTheyAre(spec: FormationSpec, observation: Observation) {
    const { staying: stayingViews, leaving: leavingViews } = viewsOf(spec, observation);
    const views = [...stayingViews, ...leavingViews];
    for (const v of views) {
        if (v.reachable && !v.clusterEnabled) {
            throw new FormationError(
                `node ${v.node.name} at ${v.node.host}:${v.node.port} is not cluster-enabled (cluster-enabled yes is missing)`,
            );
        }
    }
    const staying = stayingViews.map((v) => simulate(v, views, false));
    const leaving = leavingViews.map((v) => simulate(v, views, true));
    return { views, staying, leaving, everyone: [...staying, ...leaving] };
}

/** Refuses nodes of another cluster; returns FORGET steps for stale entries (our own addresses, handshakes, failed nodes). */
function planForgets(staying: readonly Sim[], ours: ReadonlySet<string>, ourAddresses: ReadonlySet<string>): Step[] {
    const stale = new Map<string, string[]>();
    for (const s of staying) {
        for (const l of s.v.view) {
            if (l.flags.includes("myself") || ours.has(l.id)) continue;
            if (ourAddresses.has(l.address) || isPending(l) || l.flags.includes("fail")) {
                stale.set(l.id, [...(stale.get(l.id) ?? []), s.name]);
                s.known.delete(l.id);
            } else {
                throw new FormationError(
                    `node ${s.name} already belongs to another cluster: it knows node ${l.id} at ${l.address}, which is not part of this stack`,
                );
            }
        }
    }
    return [...stale].map(([id, on]) => ({
        kind: "forget" as const,
        id,
        on,
        why: "a stale entry: an old id at one of our addresses, a handshake or a failed node",
    }));
}

/** How many slots each node owns. */
function slotCounts(owner: ReadonlyMap<number, string>): Map<string, number> {
    const counts = new Map<string, number>();
    for (const name of owner.values()) counts.set(name, (counts.get(name) ?? 0) + 1);
    return counts;
}

/**
 * A leaving master whose replica stays and whose shard has no other owner: fail over instead of moving its
 * slots. The heir takes the slots in `owner` and the leaving master's followers.
 */
function planFailovers(staying: readonly Sim[], leaving: readonly Sim[], everyone: readonly Sim[], owner: Map<number, string>): Step[] {
    let counts = slotCounts(owner);
    const ownsSlots = (s: Sim) => (counts.get(s.name) ?? 0) > 0;
    const failovers: Step[] = [];
    for (const gone of leaving.filter(ownsSlots)) {
        const heir = staying.find(
            (s) => s.masterId === gone.id && s.v.reachable && !staying.some((o) => o.v.node.shard === s.v.node.shard && ownsSlots(o)),
        );
        if (!heir) continue;
        failovers.push({ kind: "failover", node: heir.name, from: gone.name });
        for (const [slot, name] of owner) if (name === gone.name) owner.set(slot, heir.name);
        for (const s of everyone) if (s.masterId === gone.id) s.masterId = heir.id;
        heir.master = true;
        heir.masterId = undefined;
        gone.master = false;
        gone.masterId = heir.id;
        counts = slotCounts(owner);
    }
    return failovers;
}

/**
 * Replicas: every other member follows its shard's holder; a donor (or a node still owning slots) only once
 * its slots are gone, a follower of a node taking over by failover only once it has.
 */
function planReplicas(
    staying: readonly Sim[],
    holders: readonly Sim[],
    shardOf: ReadonlyMap<string, number>,
    lateNodes: (s: Sim) => boolean,
    heirs: ReadonlySet<string>,
): { early: Step[]; afterFailover: Step[]; late: Step[] } {
    const early: Step[] = [];
    const afterFailover: Step[] = [];
    const late: Step[] = [];
    for (const s of staying) {
        const holder = holders[shardOf.get(s.name)!];
        if (s === holder || s.masterId === holder.id) continue;
        const step: Step = { kind: "replicate", node: s.name, master: holder.name };
        if (lateNodes(s)) late.push(step);
        else if (heirs.has(holder.name)) afterFailover.push(step);
        else early.push(step);
        s.master = false;
        s.masterId = holder.id;
    }
    return { early, afterFailover, late };
}

/** Fresh nodes (no slots, no peers) are formed only when empty: never over data of another cluster. */
function refuseFormingOverData(staying: readonly Sim[]): void {
    const dirty = staying.find((s) => s.v.keys > 0);
    if (dirty)
        throw new FormationError(
            `node ${dirty.name} is not empty (${dirty.v.keys} keys) and not part of this cluster; refusing to form over its data`,
        );
}

/**
 * Joining: free slots added, config epochs for nodes that accept one (knowing nobody yet, epoch 0;
 * distinct epochs avoid collisions at start), the meetings still missing, and a shorter node timeout while
 * fresh nodes form.
 */
function planJoins(staying: readonly Sim[], views: readonly NodeView[], added: ReadonlyMap<string, number[]>, fresh: boolean) {
    const adds: Step[] = [...added].map(([node, slots]) => ({ kind: "add-slots" as const, node, slots }));
    const topEpoch = Math.max(0, ...views.map((v) => Number(v.info.cluster_current_epoch ?? 0)));
    const epochs: Step[] = staying
        .filter((s) => s.v.reachable && s.known.size === 0 && s.configEpoch === 0)
        .map((s, i) => ({ kind: "set-epoch" as const, node: s.name, epoch: topEpoch + i + 1 }));
    const meets: Step[] = meetsBetween(
        staying,
        (a, b) => staying[a].known.get(staying[b].id) === announcedAddress(staying[b].v.node) && staying[b].id !== "",
    ).map((m) => ({ kind: "meet" as const, ...m }));
    const forming = formingNodeTimeoutMs(staying.length);
    const shorten = fresh ? staying.filter((s) => s.v.nodeTimeoutMs > forming).map((s) => s.name) : [];
    const shortenTimeout: Step[] =
        shorten.length > 0
            ? [
                  {
                      kind: "override-config",
                      name: "cluster-node-timeout",
                      value: String(forming),
                      nodes: shorten,
                      why: "a fresh master reports ok only after min(cluster-node-timeout, 5 s)",
                  },
              ]
            : [];
    return { adds, epochs, meets, shortenTimeout };
}

/** Leaving nodes: replicas first (a master with a replica attached may not be reset before it), then forgotten by every staying node. */
function planRetirement(staying: readonly Sim[], leaving: readonly Sim[]): { retire: Step[]; forget: Step[] } {
    const retiring = [...leaving].sort((a, b) => Number(a.master) - Number(b.master));
    return {
        retire: retiring.map((s) => ({ kind: "retire" as const, node: s.name })),
        forget: leaving
            .filter((s) => s.id !== "")
            .map((s) => ({
                kind: "forget" as const,
                id: s.id,
                on: staying.map((o) => o.name),
                why: `${s.name} left the cluster`,
                retired: true,
            })),
    };
}

/** Plans forming, completing or reshaping the cluster from the observation. Throws FormationError for what it refuses. */
export function planSteps(spec: FormationSpec, observation: Observation): Plan {
    validateSpec(spec);
    const { views, staying, leaving, everyone } = nodesAsTheyAre(spec, observation);
    const byId = new Map(everyone.filter((s) => s.id !== "").map((s) => [s.id, s]));

    const forgets = planForgets(staying, new Set(byId.keys()), new Set(staying.map((s) => announcedAddress(s.v.node))));
    const owner = slotOwners(everyone, views);
    const closes = planCloses(everyone, owner);
    const finished = finishedSlots(closes);
    const failovers = planFailovers(staying, leaving, everyone, owner);
    const counts = slotCounts(owner);
    const countOf = (name: string) => counts.get(name) ?? 0;

    const { shardOf, holders, resets } = chooseHolders(spec, staying, countOf, owner, byId);
    const { layout, added, moves, donors } = distributeSlots(spec, owner, holders, finished);
    const heirs = new Set(failovers.map((f) => (f as { node: string }).node));
    const { early, afterFailover, late } = planReplicas(staying, holders, shardOf, (s) => donors.has(s.name) || countOf(s.name) > 0, heirs);

    const fresh = leaving.length === 0 && owner.size === 0 && everyone.every((s) => s.known.size === 0);
    if (fresh) refuseFormingOverData(staying);
    const { adds, epochs, meets, shortenTimeout } = planJoins(staying, views, added, fresh);
    const slotsMove = moves.length > 0 || closes.length > 0 || failovers.length > 0;
    const retirement = planRetirement(staying, leaving);

    const steps: Step[] = [
        ...forgets,
        ...resets,
        ...adds,
        ...epochs,
        ...meets,
        ...(meets.length > 0 ? [{ kind: "await-meet" as const }] : []),
        // After the handshakes (which time out after the node timeout), before the state turns ok.
        ...shortenTimeout,
        ...early,
        // A node that just joined refuses imported keys until it reports cluster_state:ok.
        ...(slotsMove ? [{ kind: "await-ok" as const, why: "a node that just joined refuses imported keys until it reports ok" }] : []),
        ...(moves.length > 0 || closes.length > 0
            ? [
                  {
                      kind: "override-config" as const,
                      name: "cluster-allow-replica-migration",
                      value: "no",
                      nodes: everyone.map((s) => s.name),
                      why: "a master that gives away its last slot would turn itself into a replica, even when it is about to receive others",
                  },
              ]
            : []),
        ...failovers,
        ...afterFailover,
        ...closes,
        ...moves,
        ...late,
        ...retirement.retire,
        ...retirement.forget,
    ];
    return { steps, layout, shards: Object.fromEntries(shardOf) };
}
