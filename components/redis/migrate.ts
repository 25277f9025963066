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
    readonly otherMasters: readonly RedisClient[];
}

export interface MoveOptions extends WaitSettings {
    /** Told each time keys moved: a caller with a bound of its own on the whole work counts it as progress. */
    readonly onProgress?: () => void;
}

const KEYS_PER_BATCH = 100;
const PARALLEL_SLOTS = 32;

/**
 * Moves one slot and its keys; returns the number of keys moved. However many keys the slot holds, the
 * move goes on while they keep moving, and fails once none moved for `moveStallMs`.
 */
export async function moveSlot(move: SlotMove, password?: string, options: MoveOptions = {}): Promise<number> {
    try {
        return await moveSlotUnchecked(move, password, options);
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

async function moveSlotUnchecked(move: SlotMove, password: string | undefined, options: MoveOptions): Promise<number> {
    const { slot, source, target } = move;
    const { timeouts, clock } = waitSettings(options);
    await target.client.call("CLUSTER", "SETSLOT", String(slot), "IMPORTING", source.id);
    await source.client.call("CLUSTER", "SETSLOT", String(slot), "MIGRATING", target.id);
    let moved = 0;
    // Keys moved since the last look when the source lists others than last time (a write pause can keep
    // MIGRATE from moving or expiring anything while it answers, and the same keys stay listed).
    let listed = "";
    let listings = 0;
    await waitFor(
        async () => {
            const keys = (await source.client.call("CLUSTER", "GETKEYSINSLOT", String(slot), String(KEYS_PER_BATCH))) as string[];
            if (keys.join("\n") !== listed) {
                listed = keys.join("\n");
                listings++;
                options.onProgress?.();
            }
            if (keys.length === 0) return done(undefined);
            await migrateKeys(source.client, target.host, target.port, timeouts.migrateMs, keys, password);
            moved += keys.length;
            return notYet(
                `${source.name} still lists ${keys.length === KEYS_PER_BATCH ? `${KEYS_PER_BATCH} or more` : keys.length} keys in it`,
            );
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
    await Promise.all(move.otherMasters.map((m) => m.call("CLUSTER", "SETSLOT", String(slot), "NODE", target.id).catch(() => undefined)));
    return moved;
}

/**
 * Moves every slot, one source/target pair after another and up to PARALLEL_SLOTS slots at a time
 * within a pair. Pairs go one by one because each target bumps its config epoch to the highest when
 * it takes a slot: a node that is the source of one pair and the target of another must not outrank,
 * with stale claims, a target that is still taking its slots.
 */
export async function moveSlots(moves: readonly SlotMove[], password?: string, options: MoveOptions = {}): Promise<number> {
    const pairs = new Map<string, SlotMove[]>();
    for (const move of moves) {
        const key = `${move.source.id}>${move.target.id}`;
        pairs.set(key, [...(pairs.get(key) ?? []), move]);
    }
    let moved = 0;
    for (const pairMoves of pairs.values()) {
        let next = 0;
        const worker = async () => {
            while (next < pairMoves.length) {
                const keys = await moveSlot(pairMoves[next++], password, options);
                moved += keys;
            }
        };
        await Promise.all(Array.from({ length: Math.min(PARALLEL_SLOTS, pairMoves.length) }, worker));
    }
    return moved;
}
