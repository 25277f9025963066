// Pure: where every slot goes. Open slots (left IMPORTING/MIGRATING by an interrupted move) are closed
// as `redis-cli --cluster fix` closes them; then the fewest slots move so that each shard holds its
// planned count, and free slots are added where they are missing.
import { SLOT_COUNT } from "../topology/topology";
import { isMaster } from "./clusterView";
import { FormationError, FormationSpec } from "./formationTypes";
import type { Sim } from "./planNodes";
import type { Step } from "./planSteps";

/** Plans how to close every open slot; a slot whose move is finished gets its new owner in `owner`. */
export function planCloses(sims: readonly Sim[], owner: Map<number, string>): Step[] {
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

/** The slots closing open slots finished moving (their new owner is already in `owner`). */
export function finishedSlots(closes: readonly Step[]): Set<number> {
    return new Set(closes.map((c) => (c as { slot: number }).slot));
}

/** Where the slots go: the shard of each slot afterwards, the free slots each holder takes, the moves between nodes. */
export interface SlotDistribution {
    readonly layout: number[];
    readonly added: ReadonlyMap<string, number[]>;
    readonly moves: readonly Step[];
    /** Nodes that give slots away. */
    readonly donors: ReadonlySet<string>;
}

/**
 * Minimal moves: every holder keeps its slots up to its shard's count; slots beyond it, slots of other
 * nodes (leaving, or no longer leading a shard) and free slots go, in slot order, to the holders below
 * their count. A fresh cluster thus gets exactly the slot plan's ranges.
 */
export function distributeSlots(
    spec: FormationSpec,
    owner: ReadonlyMap<number, string>,
    holders: readonly Sim[],
    finished: ReadonlySet<number>,
): SlotDistribution {
    const shardOfHolder = new Map(holders.map((h, shard) => [h.name, shard]));
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
    return { layout, added, moves, donors };
}
