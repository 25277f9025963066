// The data both resharding methods move, the same in every run: keys `k:0` .. `k:<keys - 1>`, whose CRC16
// spreads them over every slot (redis-benchmark --cluster puts each node's keys in one slot, which makes slot
// moves look free), and values of pseudo-random bytes: MIGRATE sends DUMP payloads, which Redis compresses
// (LZF), so values of one repeated byte would move as a few bytes each.
import { Cluster } from "ioredis";
import type { Address } from "./health";

export interface ReshardData {
    readonly keys: number;
    readonly valueBytes: number;
}

/** Values are windows into this much random data: generating 1 GB of values would take longer than loading it. */
const POOL_BYTES = 1 << 20;
/** Commands in each node's pipeline per batch. */
const COMMANDS_PER_NODE = 1000;

const keyOf = (n: number) => `k:${n}`;

/** xorshift32 from a fixed seed: the same bytes in every run and for both methods. */
function randomPool(bytes: number): Buffer {
    const pool = Buffer.alloc(bytes);
    let x = 0x2545f491;
    for (let i = 0; i < bytes; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        pool[i] = x & 0xff;
    }
    return pool;
}

/**
 * Writes every key through the cluster `seed` belongs to; returns the time it took in ms. ioredis's
 * auto-pipelining groups the commands issued in one tick by slot owner (it computes the slot itself), so each
 * batch goes out as one pipeline of about COMMANDS_PER_NODE commands per master.
 */
export async function loadKeys(seed: Address, data: ReshardData): Promise<number> {
    const pool = randomPool(POOL_BYTES + data.valueBytes);
    // A prime stride, so neighbouring keys get unrelated windows.
    const valueOf = (n: number) => {
        const at = (n * 7919) % POOL_BYTES;
        return pool.subarray(at, at + data.valueBytes);
    };
    const cluster = new Cluster([seed], { enableAutoPipelining: true, lazyConnect: true });
    cluster.on("error", () => undefined);
    try {
        await cluster.connect();
        const batch = COMMANDS_PER_NODE * cluster.nodes("master").length;
        const started = Date.now();
        for (let first = 0; first < data.keys; first += batch) {
            const writes: Promise<unknown>[] = [];
            for (let n = first; n < Math.min(data.keys, first + batch); n++) writes.push(cluster.set(keyOf(n), valueOf(n)));
            await Promise.all(writes);
        }
        return Date.now() - started;
    } finally {
        cluster.disconnect();
    }
}
