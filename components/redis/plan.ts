// Pure: (what is wanted, what the nodes answered) -> the steps that get there, as data. The whole plan
// is built before any node is touched, as `redis-cli --cluster create` does; a cluster already formed
// as planned plans nothing. No I/O here: the planner is unit-tested from recorded replies.
import { SLOT_COUNT } from "../topology";
import { ClusterNodeLine, isMaster, isPending, slotRangesOf } from "./clusterView";
import { FormationError, FormationNode, FormationSpec, announcedAddress, validateSpec } from "./formationTypes";
import { NodeView, Observation, viewsOf } from "./observation";

/** How an open slot (left IMPORTING/MIGRATING by an interrupted move) is closed, as `redis-cli --cluster fix` does. */
export type CloseAction =
    /**
     * Migrating on its owner, importing on another node: finish the move (its remaining keys too).
     * Going back instead is not safe: the owner answers ASK for every key it lacks while it
     * migrates, so keys could only return after it stopped, and meanwhile it would answer nil.
     */
    | { readonly kind: "finish"; readonly from: string; readonly to: string }
    /** Marked open on nodes that hold none of its keys (or own it): just mark it stable there. */
    | { readonly kind: "stable"; readonly nodes: readonly string[] }
    /** Importing nodes hold some of its keys though nobody migrates it: move those keys to the owner. */
    | { readonly kind: "return-keys"; readonly from: readonly string[]; readonly to: string };

/** One step of a formation; nodes are named as in the spec. */
export type Step =
    | { readonly kind: "forget"; readonly id: string; readonly on: readonly string[]; readonly why: string; readonly retired?: boolean }
    | { readonly kind: "reset"; readonly node: string; readonly why: string }
    | { readonly kind: "add-slots"; readonly node: string; readonly slots: readonly number[] }
    | { readonly kind: "set-epoch"; readonly node: string; readonly epoch: number }
    | { readonly kind: "meet"; readonly node: string; readonly peer: string }
    | { readonly kind: "await-meet" }
    | {
          readonly kind: "override-config";
          readonly name: string;
          readonly value: string;
          readonly nodes: readonly string[];
          readonly why: string;
      }
    | { readonly kind: "replicate"; readonly node: string; readonly master: string }
    | { readonly kind: "await-ok"; readonly why: string }
    | { readonly kind: "failover"; readonly node: string; readonly from: string }
    | { readonly kind: "close-slot"; readonly slot: number; readonly action: CloseAction }
    | {
          readonly kind: "move-slots";
          readonly from: string;
          readonly to: string;
          readonly slots: readonly number[];
          readonly others: readonly string[];
      }
    | { readonly kind: "retire"; readonly node: string };

export interface Plan {
    readonly steps: readonly Step[];
    /** The shard index that owns each slot once the plan has run. */
    readonly layout: readonly number[];
    /** The shard each staying node serves once the plan has run (node name -> shard index). */
    readonly shards: Readonly<Record<string, number>>;
}

/**
 * cluster-node-timeout while fresh nodes are formed: Redis clamps the rejoin delay to at least 500 ms,
 * and every node pings each peer every timeout/2, so larger clusters need more (60 nodes on 2 cores
 * flap between ok and fail at 500 ms). Never longer than the node's own setting.
 */
export function formingNodeTimeoutMs(nodeCount: number): number {
    return Math.max(500, 50 * nodeCount);
}

/** What the planner tracks of each node while it plays the steps forward. */
interface Sim {
    readonly v: NodeView;
    readonly name: string;
    readonly id: string;
    readonly leaving: boolean;
    /** Node id -> the address this node knows it at (handshakes excluded). */
    known: Map<string, string>;
    master: boolean;
    masterId?: string;
    readonly configEpoch: number;
}

interface NodeLike {
    readonly node: FormationNode;
    readonly id: string;
    readonly view: readonly ClusterNodeLine[];
}

/**
 * The meetings that make every node know every other at its announced address (nodes.conf may hold an
 * old address, after a subnet change say; meeting the node at the new one makes Redis update it). Only
 * one side of a pair meets the other, the side that does not know it: two handshakes per pair would
 * race. All pairs meet at once: the handshakes carry ids and slots directly, where meeting one node and
 * waiting for gossip takes seconds.
 */
export function meetsNeeded(nodes: readonly NodeLike[]): Array<{ node: string; peer: string }> {
    const knows = (a: NodeLike, b: NodeLike) =>
        a.view.some((l) => l.id === b.id && !isPending(l) && l.address === announcedAddress(b.node));
    return meetsBetween(
        nodes.map((n) => ({ name: n.node.name, node: n.node, id: n.id })),
        (a, b) => knows(nodes[a], nodes[b]),
    );
}

function meetsBetween(
    nodes: ReadonlyArray<{ name: string }>,
    knows: (a: number, b: number) => boolean,
): Array<{ node: string; peer: string }> {
    const meets: Array<{ node: string; peer: string }> = [];
    nodes.forEach((a, i) =>
        nodes.forEach((b, j) => {
            if (j <= i) return;
            if (!knows(i, j)) meets.push({ node: a.name, peer: b.name });
            else if (!knows(j, i)) meets.push({ node: b.name, peer: a.name });
        }),
    );
    return meets;
}

/** A node that did not answer (only when previewing): as its peers see it, or as a fresh node if none knows it. */
function peerLine(v: NodeView, all: readonly NodeView[]): ClusterNodeLine | undefined {
    return all.flatMap((o) => o.view).find((l) => !l.flags.includes("myself") && !isPending(l) && l.address === announcedAddress(v.node));
}

function simulate(v: NodeView, all: readonly NodeView[], leaving: boolean): Sim {
    const line = v.me ?? peerLine(v, all);
    const known = new Map<string, string>();
    if (v.me) {
        for (const l of v.view) if (l !== v.me && !isPending(l)) known.set(l.id, l.address);
    } else if (line) {
        // Known to its peers but not answering: assume it knows them as they know it.
        for (const o of all) if (o.me) known.set(o.id, announcedAddress(o.node));
    }
    return {
        v,
        name: v.node.name,
        id: line?.id ?? "",
        leaving,
        known,
        master: line ? isMaster(line) : true,
        masterId: line?.masterId,
        configEpoch: line?.configEpoch ?? 0,
    };
}

/** Each slot's owner (node name): the claim with the highest config epoch wins, as in Redis itself. */
function slotOwners(sims: readonly Sim[], all: readonly NodeView[]): Map<number, string> {
    const owner = new Map<number, { name: string; epoch: number }>();
    const claim = (name: string, line: ClusterNodeLine) => {
        for (const slot of line.slots) {
            const current = owner.get(slot);
            if (!current || line.configEpoch > current.epoch) owner.set(slot, { name, epoch: line.configEpoch });
        }
    };
    for (const s of sims) if (s.v.me) claim(s.name, s.v.me);
    for (const s of sims) {
        if (s.v.me) continue;
        const line = peerLine(s.v, all);
        if (line) for (const slot of line.slots) if (!owner.has(slot)) owner.set(slot, { name: s.name, epoch: line.configEpoch });
    }
    return new Map([...owner].map(([slot, o]) => [slot, o.name]));
}

/** Plans how to close every open slot; a slot whose move is finished gets its new owner in `owner`. */
function planCloses(sims: readonly Sim[], owner: Map<number, string>): Step[] {
    const masters = sims.filter((s) => s.v.me && isMaster(s.v.me));
    const open = new Set(masters.flatMap((s) => [...s.v.me!.migrating, ...s.v.me!.importing].map((o) => o.slot)));
    const steps: Step[] = [];
    for (const slot of [...open].sort((a, b) => a - b)) {
        const migrating = masters.filter((s) => s.v.me!.migrating.some((o) => o.slot === slot));
        const keys = (s: Sim) => s.v.keysInSlot.get(slot) ?? 0;
        const slotOwner = owner.get(slot);
        // As redis-cli: a master holding keys of the slot without owning it counts as importing it.
        const importing = masters.filter(
            (s) => !migrating.includes(s) && (s.v.me!.importing.some((o) => o.slot === slot) || (s.name !== slotOwner && keys(s) > 0)),
        );
        const names = (list: Sim[]) => list.map((s) => s.name).join(", ") || "none";
        if (migrating.length === 1 && importing.length === 1 && slotOwner === migrating[0].name) {
            steps.push({ kind: "close-slot", slot, action: { kind: "finish", from: migrating[0].name, to: importing[0].name } });
            owner.set(slot, importing[0].name);
        } else if (migrating.length === 0 && importing.length > 0 && slotOwner !== undefined) {
            const holding = importing.filter((s) => s.name !== slotOwner && keys(s) > 0);
            const empty = importing.filter((s) => !holding.includes(s));
            if (empty.length > 0) steps.push({ kind: "close-slot", slot, action: { kind: "stable", nodes: empty.map((s) => s.name) } });
            if (holding.length > 0)
                steps.push({ kind: "close-slot", slot, action: { kind: "return-keys", from: holding.map((s) => s.name), to: slotOwner } });
        } else if (migrating.length === 1 && importing.length === 0 && (slotOwner === migrating[0].name || keys(migrating[0]) === 0)) {
            steps.push({ kind: "close-slot", slot, action: { kind: "stable", nodes: [migrating[0].name] } });
        } else {
            throw new FormationError(
                `slot ${slot} is left half-moved in a way this cannot close safely: migrating on ${names(migrating)}, ` +
                    `importing on ${names(importing)}, owner ${slotOwner ?? "none"}; close it with redis-cli --cluster fix`,
            );
        }
    }
    return steps;
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

/**
 * Which shard each staying node serves, keeping what is live so that the fewest slots move: every node
 * that owns slots keeps leading a shard (its planned one if free, else the free shard whose planned
 * range overlaps its slots most), and its replicas stay with it; the other nodes fill the remaining
 * places, in their planned shard where there is room. With the node index alone (index mod masters),
 * a failed-over cluster scaled 3 -> 4 masters would move twice the minimum. On fresh nodes, and on a
 * cluster formed as planned, this is exactly the planned assignment. Owners beyond the number of
 * shards (scaling in) lead none: their slots move.
 */
function assignShards(
    spec: FormationSpec,
    staying: readonly Sim[],
    countOf: (name: string) => number,
    owner: ReadonlyMap<number, string>,
): { shardOf: Map<string, number>; owners: Array<Sim | undefined> } {
    if (spec.pinShards) return plannedShards(staying, countOf);
    const room = spec.slotPlan.map((_, shard) => spec.nodes.filter((n) => n.shard === shard).length);
    const shardOf = new Map<string, number>();
    const owners: Array<Sim | undefined> = spec.slotPlan.map(() => undefined);
    const place = (s: Sim, shard: number) => {
        shardOf.set(s.name, shard);
        room[shard]--;
    };
    const slotsOf = new Map<string, number[]>();
    for (const [slot, name] of owner) slotsOf.set(name, [...(slotsOf.get(name) ?? []), slot]);
    const overlap = (name: string, shard: number) =>
        (slotsOf.get(name) ?? []).filter((slot) => slot >= spec.slotPlan[shard].start && slot <= spec.slotPlan[shard].end).length;
    const planned = (s: Sim) => Number(s.v.node.role === "master");
    const owning = staying.filter((s) => countOf(s.name) > 0).sort((a, b) => planned(b) - planned(a) || countOf(b.name) - countOf(a.name));
    for (const s of owning) {
        const free = spec.slotPlan.map((_, shard) => shard).filter((shard) => owners[shard] === undefined);
        if (free.length === 0) break;
        const shard = free.includes(s.v.node.shard)
            ? s.v.node.shard
            : free.reduce((best, shard) => (overlap(s.name, shard) > overlap(s.name, best) ? shard : best));
        owners[shard] = s;
        place(s, shard);
    }
    const rest = staying.filter((s) => !shardOf.has(s.name));
    for (const s of rest) {
        const leader = owners.findIndex((o) => o !== undefined && s.masterId !== undefined && o.id === s.masterId);
        if (leader >= 0 && room[leader] > 0) place(s, leader);
    }
    for (const s of rest.filter((r) => !shardOf.has(r.name)).sort((a, b) => planned(b) - planned(a))) {
        const shard = room[s.v.node.shard] > 0 ? s.v.node.shard : room.findIndex((r) => r > 0);
        place(s, shard);
    }
    return { shardOf, owners };
}

/**
 * Every node in its planned shard; each shard led by the member that owns its slots (the planned master
 * first, then the one with the most), else by none (the planned master is then reset to lead it).
 */
function plannedShards(
    staying: readonly Sim[],
    countOf: (name: string) => number,
): { shardOf: Map<string, number>; owners: Array<Sim | undefined> } {
    const shardOf = new Map(staying.map((s) => [s.name, s.v.node.shard] as const));
    const owners: Array<Sim | undefined> = [];
    for (const s of staying) {
        if (countOf(s.name) === 0) continue;
        const current = owners[s.v.node.shard];
        const better =
            current === undefined ||
            (s.v.node.role === "master" && current.v.node.role !== "master") ||
            (s.v.node.role === current.v.node.role && countOf(s.name) > countOf(current.name));
        if (better) owners[s.v.node.shard] = s;
    }
    return { shardOf, owners };
}

/** Plans forming, completing or reshaping the cluster from the observation. Throws FormationError for what it refuses. */
export function planSteps(spec: FormationSpec, observation: Observation): Plan {
    validateSpec(spec);
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
    const everyone = [...staying, ...leaving];
    const byId = new Map(everyone.filter((s) => s.id !== "").map((s) => [s.id, s]));

    const forgets = planForgets(staying, new Set(byId.keys()), new Set(staying.map((s) => announcedAddress(s.v.node))));
    const owner = slotOwners(everyone, views);
    const closes = planCloses(everyone, owner);
    const finished = new Set(closes.map((c) => (c as { slot: number }).slot));
    const tally = () => {
        const counts = new Map<string, number>();
        for (const name of owner.values()) counts.set(name, (counts.get(name) ?? 0) + 1);
        return counts;
    };
    let counts = tally();
    const countOf = (name: string) => counts.get(name) ?? 0;
    const ownsSlots = (s: Sim) => countOf(s.name) > 0;

    // A leaving master whose replica stays and whose shard has no other owner: fail over instead of moving its slots.
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
        counts = tally();
    }

    // Each shard's holder: the node that keeps leading it (its slot owner), else its first member that
    // is a master already (the planned one first), else the planned master (reset: it still replicates
    // another shard's master).
    const resets: Step[] = [];
    const { shardOf, owners } = assignShards(spec, staying, countOf, owner);
    const holders = spec.slotPlan.map((_, shard) => {
        const members = staying.filter((s) => shardOf.get(s.name) === shard);
        const planned =
            members.find((s) => s.v.node.role === "master" && s.master) ??
            members.find((s) => s.master) ??
            members.find((s) => s.v.node.role === "master");
        const holder = owners[shard] ?? planned ?? members[0];
        if (!holder.master) {
            resets.push({
                kind: "reset",
                node: holder.name,
                why: `it leads shard ${shard} now but replicates ${byId.get(holder.masterId ?? "")?.name ?? "another shard's master"}`,
            });
            holder.master = true;
            holder.masterId = undefined;
            holder.known = new Map();
        }
        return holder;
    });
    const shardOfHolder = new Map(holders.map((h, shard) => [h.name, shard]));

    // Minimal moves: every holder keeps its slots up to its shard's count; slots beyond it, slots of
    // other nodes (leaving, or no longer leading a shard) and free slots go, in slot order, to the
    // holders below their count. A fresh cluster thus gets exactly the slot plan's ranges.
    const target = spec.slotPlan.map((r) => r.end - r.start + 1);
    const kept = holders.map(() => [] as number[]);
    const pool: Array<{ slot: number; from?: string }> = [];
    // Nothing assigned yet: exactly the slot plan (redis-cli's layout).
    const plannedShards: number[] = [];
    spec.slotPlan.forEach((r, shard) => {
        for (let slot = r.start; slot <= r.end; slot++) plannedShards[slot] = shard;
    });
    const plannedShard = (slot: number) => plannedShards[slot];
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
        const name = owner.get(slot);
        const shard = name === undefined ? (owner.size === 0 ? plannedShard(slot) : undefined) : shardOfHolder.get(name);
        if (shard === undefined) pool.push({ slot, from: name });
        else kept[shard].push(slot);
    }
    kept.forEach((slots, shard) => {
        // Slots it just got by finishing an interrupted move go first (they were on their way
        // elsewhere), then the highest, so what stays is contiguous where it was.
        slots.sort((a, b) => Number(finished.has(a)) - Number(finished.has(b)) || a - b);
        for (const slot of slots.splice(target[shard])) pool.push({ slot, from: holders[shard].name });
    });
    pool.sort((a, b) => a.slot - b.slot);
    const layout = new Array<number>(SLOT_COUNT).fill(-1);
    kept.forEach((slots, shard) =>
        slots.forEach((slot) => {
            layout[slot] = shard;
        }),
    );
    const added = new Map<string, number[]>();
    kept.forEach((slots, shard) => {
        const free = slots.filter((slot) => !owner.has(slot));
        if (free.length > 0) added.set(holders[shard].name, free);
    });
    const moved = new Map<string, { from: string; to: string; slots: number[] }>();
    let next = 0;
    holders.forEach((holder, shard) => {
        for (let n = kept[shard].length; n < target[shard]; n++) {
            const { slot, from } = pool[next++];
            layout[slot] = shard;
            if (from === undefined) {
                added.set(holder.name, [...(added.get(holder.name) ?? []), slot]);
            } else {
                const key = `${from}>${holder.name}`;
                if (!moved.has(key)) moved.set(key, { from, to: holder.name, slots: [] });
                moved.get(key)!.slots.push(slot);
            }
        }
    });
    const donors = new Set([...moved.values()].map((m) => m.from));
    const slotHolders = new Set([...owner.values(), ...holders.map((h) => h.name)]);
    const moves: Step[] = [...moved.values()].map((m) => ({
        kind: "move-slots" as const,
        ...m,
        others: [...slotHolders].filter((n) => n !== m.from && n !== m.to),
    }));

    // Replicas: every other member follows its shard's holder; a donor only once its slots are gone,
    // a follower of a node taking over only once it has.
    const heirs = new Set(failovers.map((f) => (f as { node: string }).node));
    const early: Step[] = [];
    const afterFailover: Step[] = [];
    const late: Step[] = [];
    for (const s of staying) {
        const holder = holders[shardOf.get(s.name)!];
        if (s === holder || s.masterId === holder.id) continue;
        const step: Step = { kind: "replicate", node: s.name, master: holder.name };
        if (donors.has(s.name) || ownsSlots(s)) late.push(step);
        else if (heirs.has(holder.name)) afterFailover.push(step);
        else early.push(step);
        s.master = false;
        s.masterId = holder.id;
    }

    const fresh = leaving.length === 0 && owner.size === 0 && everyone.every((s) => s.known.size === 0);
    if (fresh) {
        const dirty = staying.find((s) => s.v.keys > 0);
        if (dirty)
            throw new FormationError(
                `node ${dirty.name} is not empty (${dirty.v.keys} keys) and not part of this cluster; refusing to form over its data`,
            );
    }

    const adds: Step[] = [...added].map(([node, slots]) => ({ kind: "add-slots" as const, node, slots }));
    // Only a node that knows nobody yet and has epoch 0 accepts one; distinct epochs avoid collisions at start.
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
    const slotsMove = moves.length > 0 || closes.length > 0 || failovers.length > 0;

    // Leaving nodes: replicas first (a master with a replica attached may not be reset before it).
    const retiring = [...leaving].sort((a, b) => Number(a.master) - Number(b.master));
    const retireSteps: Step[] = retiring.map((s) => ({ kind: "retire" as const, node: s.name }));
    const forgetRetired: Step[] = leaving
        .filter((s) => s.id !== "")
        .map((s) => ({
            kind: "forget" as const,
            id: s.id,
            on: staying.map((o) => o.name),
            why: `${s.name} left the cluster`,
            retired: true,
        }));

    const steps: Step[] = [
        ...forgets,
        ...resets,
        ...adds,
        ...epochs,
        ...meets,
        ...(meets.length > 0 ? [{ kind: "await-meet" as const }] : []),
        // After the handshakes (which time out after the node timeout), before the state turns ok.
        ...(shorten.length > 0
            ? [
                  {
                      kind: "override-config" as const,
                      name: "cluster-node-timeout",
                      value: String(forming),
                      nodes: shorten,
                      why: "a fresh master reports ok only after min(cluster-node-timeout, 5 s)",
                  },
              ]
            : []),
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
        ...retireSteps,
        ...forgetRetired,
    ];
    return { steps, layout, shards: Object.fromEntries(shardOf) };
}

function nodeList(names: readonly string[]): string {
    return names.join(", ");
}

/** The plan as lines a person reads (`pulumi preview`); consecutive meetings of one node share a line. */
export function describePlan(steps: readonly Step[]): string[] {
    const lines: string[] = [];
    for (let i = 0; i < steps.length; i++) {
        const step = steps[i];
        switch (step.kind) {
            case "forget":
                lines.push(
                    step.retired
                        ? `every node forgets ${step.id.slice(0, 8)} (${step.why})`
                        : `${nodeList(step.on)} forget ${step.id.slice(0, 8)}: ${step.why}`,
                );
                break;
            case "reset":
                lines.push(`${step.node} is reset to an empty master (CLUSTER RESET SOFT): ${step.why}`);
                break;
            case "add-slots":
                lines.push(`${step.node} takes free slots ${slotRangesOf(step.slots).join(",")}`);
                break;
            case "set-epoch":
                lines.push(`${step.node} gets config epoch ${step.epoch}`);
                break;
            case "meet": {
                const peers = [step.peer];
                while (steps[i + 1]?.kind === "meet" && (steps[i + 1] as { node: string }).node === step.node)
                    peers.push((steps[++i] as { peer: string }).peer);
                lines.push(`${step.node} meets ${nodeList(peers)}`);
                break;
            }
            case "await-meet":
                lines.push("wait until every node knows every other at its announced address");
                break;
            case "override-config":
                lines.push(`set ${step.name} to ${step.value} on ${nodeList(step.nodes)} while forming, then restore it (${step.why})`);
                break;
            case "replicate":
                lines.push(`${step.node} replicates ${step.master}`);
                break;
            case "await-ok":
                lines.push(`wait for cluster_state:ok on every node (${step.why})`);
                break;
            case "failover":
                lines.push(`${step.node} takes over the slots of ${step.from}, which leaves (CLUSTER FAILOVER)`);
                break;
            case "close-slot": {
                const a = step.action;
                lines.push(
                    a.kind === "finish"
                        ? `open slot ${step.slot}: finish its move from ${a.from} to ${a.to}`
                        : a.kind === "stable"
                          ? `open slot ${step.slot}: mark it stable on ${nodeList(a.nodes)}`
                          : `open slot ${step.slot}: move its keys from ${nodeList(a.from)} back to its owner ${a.to}`,
                );
                break;
            }
            case "move-slots":
                lines.push(
                    `move ${step.slots.length} slots (${slotRangesOf(step.slots).join(",")}) with their keys from ${step.from} to ${step.to}`,
                );
                break;
            case "retire":
                lines.push(`${step.node} leaves the cluster (CLUSTER RESET SOFT)`);
                break;
        }
    }
    return lines;
}
