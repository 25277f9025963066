// Pure: `redis-stack:resources`, the CPU and memory requests and limits of every node's pod on the
// kubernetes runtime, with `memoryLimit`/`cpuLimit` folded in as limits there. Parses Kubernetes
// quantities the way the API server reads them, so a bad one is refused at preview, not by the API
// server halfway through an `up`. No Pulumi, no I/O.
import { MIN_CPUS, MIN_MEMORY_BYTES } from "./nodeLimits";

/** One set of quantities, as the pod spec takes them (`100m`, `256Mi`). */
export interface ResourceQuantities {
    readonly cpu?: string;
    readonly memory?: string;
}

/** The container's `resources` (requests and limits); empty: none, the namespace's defaults apply. */
export interface KubernetesResources {
    readonly requests?: ResourceQuantities;
    readonly limits?: ResourceQuantities;
}

const KINDS = ["requests", "limits"] as const;
const NAMES = ["cpu", "memory"] as const;
const EXAMPLE = '{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"256Mi"}}';
const ALLOWED: Readonly<Record<(typeof NAMES)[number], string>> = {
    cpu: "a Kubernetes CPU quantity such as 100m, 0.5 or 2",
    memory: "a Kubernetes memory quantity such as 128Mi, 1Gi or 500M",
};
const SUFFIXES: Readonly<Record<string, number>> = {
    "": 1,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/**
 * A Kubernetes quantity's value (bytes, or CPUs), or undefined when the API server would refuse it or
 * it is not positive: a decimal number with a binary (Ki..Ei) or decimal (n, u, m, k..E) suffix, or a
 * decimal exponent (`1e9`).
 */
export function parseQuantity(text: string): number | undefined {
    const match = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:([eE][-+]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(text);
    if (!match) return undefined;
    const value = match[2] !== undefined ? Number(`${match[1]}${match[2]}`) : Number(match[1]) * SUFFIXES[match[3] ?? ""];
    return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Docker-syntax memory (`512m`) as a quantity: whole MiB where it divides, else bytes. */
function memoryQuantity(bytes: number): string {
    return bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20}Mi` : String(bytes);
}

/** CPUs (`1.5`) as a quantity in millicores. */
function cpuQuantity(nanoCpus: number): string {
    return `${Math.round(nanoCpus / 1e6)}m`;
}

/**
 * Parses `resources` (JSON, as Pulumi gives an object-valued key) and, on Kubernetes, folds in
 * `memoryLimit`/`cpuLimit` (Docker syntax) as limits. Every problem names the key, the value and
 * what is allowed; limits must hold what Redis needs (the same floors as the Docker limits) and be at
 * least their requests.
 */
export function parseResources(
    raw: string | undefined,
    docker: { readonly memoryBytes?: number; readonly nanoCpus?: number } = {},
): { resources: KubernetesResources; problems: string[] } {
    const problems: string[] = [];
    const given: Record<string, Record<string, string>> = {};
    if (raw !== undefined && raw.trim() !== "" && raw.trim() !== "{}") {
        let parsed: unknown;
        try {
            parsed = JSON.parse(raw);
        } catch {
            parsed = undefined;
        }
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            return { resources: {}, problems: [`resources: got ${JSON.stringify(raw)}; allowed: a map such as ${EXAMPLE}`] };
        }
        for (const [kind, quantities] of Object.entries(parsed as Record<string, unknown>)) {
            if (!(KINDS as readonly string[]).includes(kind)) {
                problems.push(`resources.${kind}: got ${JSON.stringify(quantities)}; allowed: requests and limits, such as ${EXAMPLE}`);
                continue;
            }
            if (quantities === null || typeof quantities !== "object" || Array.isArray(quantities)) {
                problems.push(
                    `resources.${kind}: got ${JSON.stringify(quantities)}; allowed: a map of cpu and memory, such as {"memory":"256Mi"}`,
                );
                continue;
            }
            for (const [name, value] of Object.entries(quantities as Record<string, unknown>)) {
                const where = `resources.${kind}.${name}`;
                if (!(NAMES as readonly string[]).includes(name)) {
                    problems.push(`${where}: got ${JSON.stringify(value)}; allowed: cpu and memory`);
                    continue;
                }
                const text = typeof value === "number" ? String(value) : value;
                if (typeof text !== "string" || parseQuantity(text.trim()) === undefined) {
                    problems.push(`${where}: got ${JSON.stringify(value)}; allowed: ${ALLOWED[name as (typeof NAMES)[number]]}`);
                    continue;
                }
                (given[kind] ??= {})[name] = text.trim();
            }
        }
    }
    foldDockerLimit(given, "memory", docker.memoryBytes, memoryQuantity, "memoryLimit", problems);
    foldDockerLimit(given, "cpu", docker.nanoCpus, cpuQuantity, "cpuLimit", problems);
    problems.push(...floorProblems(given));
    const resources: KubernetesResources = Object.fromEntries(KINDS.filter((k) => given[k]).map((k) => [k, given[k]]));
    return { resources, problems };
}

/** `memoryLimit`/`cpuLimit` as the limit, unless `resources` sets that limit too (two values for one thing). */
function foldDockerLimit(
    given: Record<string, Record<string, string>>,
    name: (typeof NAMES)[number],
    value: number | undefined,
    quantity: (value: number) => string,
    key: string,
    problems: string[],
): void {
    if (value === undefined) return;
    if (given.limits?.[name] !== undefined) {
        problems.push(
            `${key}: got a value while resources.limits.${name} is ${JSON.stringify(given.limits[name])}; allowed: one of them (with runtime kubernetes ${key} is resources.limits.${name})`,
        );
        return;
    }
    (given.limits ??= {})[name] = quantity(value);
}

/** Limits below what Redis needs, or below their requests. */
function floorProblems(given: Record<string, Record<string, string>>): string[] {
    const problems: string[] = [];
    const floors: Record<(typeof NAMES)[number], { min: number; says: string }> = {
        memory: {
            min: MIN_MEMORY_BYTES,
            says: "at least 32Mi, what a Redis node needs to start, rewrite its AOF and sync a replica (their forks count against the limit)",
        },
        cpu: { min: MIN_CPUS, says: `at least ${MIN_CPUS * 1000}m (less starves a cluster node's heartbeats and its peers fail it over)` },
    };
    for (const name of NAMES) {
        const limit = given.limits?.[name];
        const request = given.requests?.[name];
        if (limit === undefined) continue;
        const value = parseQuantity(limit)!;
        if (value < floors[name].min)
            problems.push(`resources.limits.${name}: got ${JSON.stringify(limit)}; allowed: ${floors[name].says}`);
        else if (request !== undefined && value < parseQuantity(request)!) {
            problems.push(
                `resources.limits.${name}: got ${JSON.stringify(limit)}, below resources.requests.${name} ${JSON.stringify(request)}; allowed: at least the request`,
            );
        }
    }
    return problems;
}
