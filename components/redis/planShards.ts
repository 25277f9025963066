// Pure: which shard each staying node serves once the plan has run, and which node holds (leads) each
// shard: kept from what is live where that moves the fewest slots, else as the slot plan places them.
import type { FormationSpec } from "./formationTypes";
import type { Sim } from "./planNodes";
import type { Step } from "./planSteps";

/**
 * Which shard each staying node serves, keeping what is live so that the fewest slots move: every node
 * that owns slots keeps leading a shard (its planned one if free, else the free shard whose planned
 * range overlaps its slots most), and its replicas stay with it; the other nodes fill the remaining
 * places, in their planned shard where there is room. With the node index alone (index mod masters),
 * a failed-over cluster scaled 3 -> 4 masters would move twice the minimum. On fresh nodes, and on a
 * cluster formed as planned, this is exactly the planned assignment. Owners beyond the number of
 * shards (scaling in) lead none: their slots move.
 */
export function assignShards(
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

/** Each shard's holder and the shard every staying node serves; a holder that still replicates is reset to lead. */
export interface Holders {
    readonly shardOf: ReadonlyMap<string, number>;
    /** The node that leads each shard, by shard index. */
    readonly holders: readonly Sim[];
    readonly resets: readonly Step[];
}

/**
 * Each shard's holder: the node that keeps leading it (its slot owner), else its first member that is a
 * master already (the planned one first), else the planned master (reset: it still replicates another
 * shard's master).
 */
export function chooseHolders(
    spec: FormationSpec,
    staying: readonly Sim[],
    countOf: (name: string) => number,
    owner: ReadonlyMap<number, string>,
    byId: ReadonlyMap<string, Sim>,
): Holders {
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
    return { shardOf, holders, resets };
}
