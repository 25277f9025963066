// Moving hash slots, with their keys, from one master to another: the protocol `redis-cli --cluster
// reshard` uses (SETSLOT IMPORTING/MIGRATING, MIGRATE in batches, SETSLOT NODE), so clients keep
// working through ASK redirects while a slot moves.
import type { Redis as RedisClient } from "ioredis";
import { PROJECT_USER } from "../settings/aclUsers";
import { messageOf } from "../common/errorMessage";
import { WaitSettings, done, notYet, waitFor, waitSettings } from "../common/wait";
import { maskSecrets } from "./connect";

export interface SlotHolder {
    /** The node's name, in every error. */
    readonly name: string;
    readonly client: RedisClient;
    readonly id: string;
    /** Address the source container reaches the target at (the announced one). */
    readonly host: string;
    readonly port: number;
}

export interface SlotMove {
    readonly slot: number;
    readonly source: SlotHolder;
    readonly target: SlotHolder;
    /** Every other master: told the new owner directly, so a stale epoch cannot win over gossip. */
    readonly otherMasters: readonly SlotHolder[];
}

export interface MoveOptions extends WaitSettings {
    /** Told each time keys moved: a caller with a bound of its own on the whole work counts it as progress. */
    readonly onProgress?: () => void;
    /** Told the number of keys each MIGRATE moved, and each slot handed over: for a progress report. */
    readonly onMoved?: (keys: number) => void;
    readonly onSlotMoved?: () => void;
    /**
     * Another connection to the holder's node, its `lane`-th (made once and closed by the caller): each of a
     * pair's workers sends its commands on lanes of its own, LANES per node. Valkey 8 answers CLUSTER SETSLOT
     * only once the node's replicas acknowledged it, and the commands of one connection wait for each other:
     * on one connection per node the slots in flight moved one SETSLOT at a time (4,096 slots in 36 s on
     * Valkey 8.1 with a replica per master, against about 5 s on Redis 8.0).
     */
    readonly lane?: (holder: SlotHolder, lane: number) => Promise<RedisClient>;
}

/** Keys per MIGRATE to start with, and the least it goes back to: a slot of a few keys moves in one. */
export const FIRST_BATCH_KEYS = 100;
/** The most: ~1 MB of 1 KB values, where one more round trip per batch no longer counts. */
export const MAX_BATCH_KEYS = 1000;
/** A MIGRATE that returns sooner than this doubles the next batch; one slower than SLOW_BATCH_MS halves it. */
const FAST_BATCH_MS = 20;
/** MIGRATE blocks the source while it runs: its clients wait that long, so big values get smaller batches. */
const SLOW_BATCH_MS = 200;
const PARALLEL_SLOTS = 32;
/** Connections per node that a pair's workers share (MoveOptions.lane). */
export const LANES = 8;

/**
 * Pure: the next batch size from how long the last MIGRATE took. Batches grow while MIGRATE is quick (many
 * keys per slot) and shrink back when it is slow (big values), so neither round trips nor the source's
 * pauses dominate; MIGRATE's time stands for the bytes it carried.
 */
export function nextBatchKeys(current: number, tookMs: number): number {
    if (tookMs < FAST_BATCH_MS) return Math.min(MAX_BATCH_KEYS, current * 2);
    if (tookMs > SLOW_BATCH_MS) return Math.max(FIRST_BATCH_KEYS, Math.floor(current / 2));
    return current;
}

/** A source and target pair of a move. */
export interface MovePair {
    readonly from: string;
    readonly to: string;
}

/**
 * Pure: whether `next` can move at the same time as `wave`. Each target bumps its config epoch to the
 * highest when it takes a slot, so a node must not be a source in one move and a target in another at
 * once (its stale claims could outrank a target still taking its slots). Sources moving to one new
 * master (scale-out) or a leaving master moving to the others (scale-in) go together.
 */
export function movesTogether(wave: readonly MovePair[], next: MovePair): boolean {
    return wave.every((m) => m.from !== next.to && m.to !== next.from && !(m.from === next.from && m.to === next.to));
}

/**
 * Moves one slot and its keys; returns the number of keys moved. However many keys the slot holds, the
 * move goes on while they keep moving, and fails once none moved for `moveStallMs`.
 */
export async function moveSlot(
    move: SlotMove,
    password: string | undefined,
    options: MoveOptions,
    othersTold: Promise<unknown>[],
): Promise<number> {
    try {
        return await moveSlotUnchecked(move, password, options, othersTold);
    } catch (err) {
        // ioredis errors carry the command's arguments, MIGRATE's AUTH among them: keep the message only.
        // eslint-disable-next-line preserve-caught-error -- a `cause` would carry the unmasked password
        throw new Error(`moving slot ${move.slot}: ${maskSecrets(err, password)}`);
    }
}

/**
 * MIGRATE of keys to a node, authenticated as the project's own user (AUTH2); a target started before the
 * stack had that user is asked as the default user (as connect.ts does). The caller masks the password.
 */
export async function migrateKeys(
    source: RedisClient,
    host: string,
    port: number,
    timeoutMs: number,
    keys: readonly string[],
    password: string | undefined,
): Promise<void> {
    const migrate = (auth: string[]) => source.call("MIGRATE", host, String(port), "", "0", String(timeoutMs), ...auth, "KEYS", ...keys);
    if (!password) {
        await migrate([]);
        return;
    }
    try {
        await migrate(["AUTH2", PROJECT_USER, password]);
    } catch (err) {
        if (!/WRONGPASS/.test(messageOf(err))) throw err;
        await migrate(["AUTH", password]).catch(() => {
            throw err;
        });
    }
}

/** `othersTold`: where the other masters' SETSLOT NODE go, for the caller to await (moveSlots, before it returns). */
async function moveSlotUnchecked(
    move: SlotMove,
    password: string | undefined,
    options: MoveOptions,
    othersTold: Promise<unknown>[],
): Promise<number> {
    const { slot, source, target } = move;
    const { timeouts, clock } = waitSettings(options);
    await target.client.call("CLUSTER", "SETSLOT", String(slot), "IMPORTING", source.id);
    await source.client.call("CLUSTER", "SETSLOT", String(slot), "MIGRATING", target.id);
    let moved = 0;
    let batch = FIRST_BATCH_KEYS;
    // Keys moved since the last look when the source lists others than last time (a write pause can keep
    // MIGRATE from moving or expiring anything while it answers, and the same keys stay listed).
    let listed = "";
    let listings = 0;
    await waitFor(
        async () => {
            const asked = batch;
            const keys = (await source.client.call("CLUSTER", "GETKEYSINSLOT", String(slot), String(asked))) as string[];
            if (keys.join("\n") !== listed) {
                listed = keys.join("\n");
                listings++;
                options.onProgress?.();
            }
            if (keys.length === 0) return done(undefined);
            const started = clock.now();
            await migrateKeys(source.client, target.host, target.port, timeouts.migrateMs, keys, password);
            batch = nextBatchKeys(batch, clock.now() - started);
            moved += keys.length;
            options.onMoved?.(keys.length);
            return notYet(`${source.name} still lists ${keys.length === asked ? `${asked} or more` : keys.length} keys in it`);
        },
        {
            what: `slot ${slot} to move`,
            timeoutMs: timeouts.moveStallMs,
            progress: () => listings,
            pollMs: timeouts.pollMs,
            clock,
            error: (problem, waitedMs) =>
                new Error(`no key moved from ${source.name} to ${target.name} for ${Math.round(waitedMs / 1000)} s (${problem})`),
        },
    );
    // The target first: once it owns the slot, the source's ASK redirects become MOVED.
    await target.client.call("CLUSTER", "SETSLOT", String(slot), "NODE", target.id);
    await source.client.call("CLUSTER", "SETSLOT", String(slot), "NODE", target.id).catch((err: Error) => {
        // A master that gave away its last slot has already turned itself into the target's replica.
        if (!/only with masters/.test(err.message)) throw err;
    });
    othersTold.push(
        Promise.all(
            move.otherMasters.map((m) => m.client.call("CLUSTER", "SETSLOT", String(slot), "NODE", target.id).catch(() => undefined)),
        ),
    );
    options.onSlotMoved?.();
    return moved;
}

/**
 * Moves every slot: pairs that can move together (movesTogether) at once, the others after them, and up to
 * PARALLEL_SLOTS slots at a time within a pair, each worker on its lanes (MoveOptions.lane) where there are.
 * The other masters are told each slot's new owner without holding up the next slot (on Valkey each such
 * SETSLOT waits for that master's replicas too); all of them are awaited before this returns.
 */
export async function moveSlots(moves: readonly SlotMove[], password?: string, options: MoveOptions = {}): Promise<number> {
    const pairs = new Map<string, SlotMove[]>();
    for (const move of moves) {
        const key = `${move.source.id}>${move.target.id}`;
        pairs.set(key, [...(pairs.get(key) ?? []), move]);
    }
    const pairOf = (pairMoves: readonly SlotMove[]): MovePair => ({ from: pairMoves[0].source.id, to: pairMoves[0].target.id });
    const waves: SlotMove[][][] = [];
    for (const pairMoves of pairs.values()) {
        const wave = waves.at(-1);
        if (wave && movesTogether(wave.map(pairOf), pairOf(pairMoves))) wave.push(pairMoves);
        else waves.push([pairMoves]);
    }
    let moved = 0;
    const othersTold: Promise<unknown>[] = [];
    const onLane = async (move: SlotMove, index: number): Promise<SlotMove> => {
        const { lane } = options;
        if (!lane) return move;
        const laned = async (holder: SlotHolder): Promise<SlotHolder> => ({ ...holder, client: await lane(holder, index) });
        const [source, target, ...otherMasters] = await Promise.all([move.source, move.target, ...move.otherMasters].map(laned));
        return { ...move, source, target, otherMasters };
    };
    const movePair = async (pairMoves: readonly SlotMove[]) => {
        let next = 0;
        const worker = async (_: unknown, index: number) => {
            while (next < pairMoves.length) {
                const move = pairMoves[next++];
                // Not `moved += await ...`: that reads `moved` before the await, losing the other workers' counts.
                const keys = await moveSlot(await onLane(move, index % LANES), password, options, othersTold);
                moved += keys;
            }
        };
        await Promise.all(Array.from({ length: Math.min(PARALLEL_SLOTS, pairMoves.length) }, worker));
    };
    try {
        for (const wave of waves) await Promise.all(wave.map(movePair));
    } finally {
        await Promise.all(othersTold);
    }
    return moved;
}
