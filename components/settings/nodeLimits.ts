// Pure: `redis-stack:memoryLimit` and `redis-stack:cpuLimit`, the memory and CPU each node's container
// may use. No Pulumi, no I/O.

/** Per-node container limits; absent fields mean unlimited. */
export interface NodeLimits {
    /** Memory limit in bytes (Docker `Memory`; swap is not added on top: `MemorySwap` equals it). */
    readonly memoryBytes?: number;
    /** CPU limit in billionths of a CPU (Docker `NanoCpus`): 1.5 CPUs is 1500000000. */
    readonly nanoCpus?: number;
}

/**
 * The smallest memory limit accepted. redis-server 7 starts at about 3-10 MB resident (measured here:
 * about 8 MB with an empty dataset), and a node forks for every RDB/AOF rewrite and full sync, whose
 * copy-on-write pages count against the same cgroup; below 32 MiB a node with any data is killed by
 * the kernel's OOM killer at its first rewrite or replica sync.
 */
export const MIN_MEMORY_BYTES = 32 * 1024 * 1024;
/**
 * The smallest CPU limit accepted (a tenth of a CPU). Docker accepts 0.01, but a cluster node must
 * answer the bus's pings within cluster-node-timeout, and redis-server's own cron runs 10 times a
 * second; at a hundredth of a CPU a busy node starves and its peers fail it over.
 */
export const MIN_CPUS = 0.1;

const UNITS: Readonly<Record<string, number>> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Docker's memory syntax (`docker run --memory`): a whole number with an optional b, k, m or g unit (case-insensitive). */
export function parseMemory(raw: string): number | undefined {
    const match = /^(\d+)([bkmg]?)$/i.exec(raw.trim());
    if (!match) return undefined;
    return Number(match[1]) * UNITS[match[2].toLowerCase()];
}

/**
 * Parses and checks both limits; "" or undefined means no limit. Every problem names the key, the
 * value and what is allowed.
 */
export function parseLimits(memoryRaw: string | undefined, cpuRaw: string | undefined): { limits: NodeLimits; problems: string[] } {
    const problems: string[] = [];
    let memoryBytes: number | undefined;
    let nanoCpus: number | undefined;
    if (memoryRaw !== undefined && memoryRaw.trim() !== "") {
        const bytes = parseMemory(memoryRaw);
        if (bytes === undefined) {
            problems.push(`memoryLimit: got ${JSON.stringify(memoryRaw)}; allowed: bytes or a number with a unit k, m or g, such as 512m`);
        } else if (bytes < MIN_MEMORY_BYTES) {
            problems.push(
                `memoryLimit: got ${JSON.stringify(memoryRaw)} (${bytes} bytes); allowed: at least 32m (${MIN_MEMORY_BYTES} bytes), what a Redis node needs to start, rewrite its AOF and sync a replica`,
            );
        } else {
            memoryBytes = bytes;
        }
    }
    if (cpuRaw !== undefined && cpuRaw.trim() !== "") {
        const text = cpuRaw.trim();
        const cpus = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
        if (!Number.isFinite(cpus) || cpus < MIN_CPUS) {
            problems.push(
                `cpuLimit: got ${JSON.stringify(cpuRaw)}; allowed: a number of CPUs of at least ${MIN_CPUS}, such as 1.5 (less starves a cluster node's heartbeats)`,
            );
        } else {
            nanoCpus = Math.round(cpus * 1e9);
        }
    }
    return { limits: { ...(memoryBytes !== undefined ? { memoryBytes } : {}), ...(nanoCpus !== undefined ? { nanoCpus } : {}) }, problems };
}

/** The Docker Engine API fields for the limits, at create and in POST /containers/{id}/update. 0: unlimited. */
export function dockerLimitFields(limits: NodeLimits): { Memory: number; MemorySwap: number; NanoCpus: number } {
    const memory = limits.memoryBytes ?? 0;
    // MemorySwap equal to Memory: no swap beyond the limit. -1 (unlimited swap) goes with no memory limit.
    return { Memory: memory, MemorySwap: memory > 0 ? memory : -1, NanoCpus: limits.nanoCpus ?? 0 };
}

/** Docker refuses a CPU limit above the host's CPUs when it creates the container; said before anything is created. */
export function cpuLimitProblem(limits: NodeLimits, hostCpus: number): string | undefined {
    if (limits.nanoCpus === undefined || limits.nanoCpus <= hostCpus * 1e9) return undefined;
    return `cpuLimit: got ${limits.nanoCpus / 1e9}; allowed: at most ${hostCpus}, the CPUs of the Docker host; nothing was created or changed`;
}
