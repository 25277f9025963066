// Resharding 3 -> 4 masters (no replicas) with data on them, as a new user would: this project's `up` after
// raising masters, against the same containers by hand: `docker run` of a 4th node, `redis-cli --cluster
// add-node`, `redis-cli --cluster rebalance --cluster-use-empty-masters`. Each method loads the same data
// (reshardData.ts, untimed), then only the 3 -> 4 step is timed; the same checks follow. One method at a time,
// each torn down before the next: the data takes over 1 GB of Redis memory per method.
import Redis from "ioredis";
import { parseInfo } from "../../components/redis/clusterView";
import { SLOT_COUNT } from "../../components/topology/topology";
import { Fixture } from "../../test/support/fixture";
import { dockerRunArgs } from "./byHand";
import { waitAnswering, waitClusterHealthy } from "./health";
import type { ImageBinaries } from "./imageBinaries";
import { BENCH_BASE_PORT, BENCH_FIXTURE_SUBNET, BENCH_STANDALONE_PORT, clusterPorts } from "./ports";
import { ReshardData, loadKeys } from "./reshardData";
import { run } from "./run";
import { openStack, upOk } from "./stack";
import { Summary, seconds, summarize } from "./stats";

export type ReshardMethod = "redis-stack" | "redis-cli";

/** One run of one method. */
interface ReshardRun {
    readonly loadMs: number;
    /** The 3 -> 4 step alone. */
    readonly stepMs: number;
    /** Keys of every slot whose owner changed. */
    readonly keysMoved: number;
    /** Of all keys, on the new master. */
    readonly newShare: number;
    /** From the end of the step until every node reported cluster_state:ok with the 4 masters. */
    readonly settledMs: number;
}

export interface ReshardSummary {
    readonly step: Summary;
    readonly keysMoved: Summary;
    readonly keysPerSecond: Summary;
    /** Value bytes moved per second, MB = 10^6 bytes. */
    readonly megabytesPerSecond: Summary;
    readonly load: Summary;
    readonly newShare: Summary;
    readonly settled: Summary;
}

/** Before the new master came, 3 masters; the new one is node 3 on both sides. */
const BEFORE_PORTS = clusterPorts(3);
const AFTER_PORTS = clusterPorts(4);
const NEW_MASTER = 3;
const MIN_NEW_SHARE = 0.15;
/** Bound on the background saves the load started; they finish well within it at 1 GB. */
const PERSISTENCE_IDLE_TIMEOUT_MS = 600000;
/** Bound on the nodes agreeing after the step (gossip); the step itself is not bounded here. */
const SETTLE_TIMEOUT_MS = 120000;

const localClient = (port: number) => {
    const c = new Redis({ port, host: "127.0.0.1", lazyConnect: true });
    c.on("error", () => undefined);
    return c;
};

async function withClients<T>(ports: readonly number[], use: (clients: Redis[]) => Promise<T>): Promise<T> {
    const clients = ports.map(localClient);
    try {
        await Promise.all(clients.map((c) => c.connect()));
        return await use(clients);
    } finally {
        clients.forEach((c) => c.disconnect());
    }
}

/** Node id of each slot's owner, from one node's CLUSTER SLOTS. */
async function slotOwners(client: Redis): Promise<string[]> {
    const owners = new Array<string>(SLOT_COUNT).fill("");
    const ranges = (await client.call("CLUSTER", "SLOTS")) as [number, number, [string, number, string]][];
    for (const [start, end, [, , id]] of ranges) owners.fill(id, start, end + 1);
    return owners;
}

/**
 * Until no node rewrites its AOF or saves: the load sets off background rewrites, and one still running
 * would slow the timed step of one method and not the other's.
 */
async function waitPersistenceIdle(ports: readonly number[]): Promise<void> {
    await withClients(ports, async (clients) => {
        const deadline = Date.now() + PERSISTENCE_IDLE_TIMEOUT_MS;
        for (;;) {
            const busy = await Promise.all(
                clients.map(async (c) => {
                    const p = parseInfo(await c.info("persistence"));
                    return p.aof_rewrite_in_progress !== "0" || p.aof_rewrite_scheduled !== "0" || p.rdb_bgsave_in_progress !== "0";
                }),
            );
            if (!busy.some(Boolean)) return;
            if (Date.now() > deadline) throw new Error(`background saves still running after ${seconds(PERSISTENCE_IDLE_TIMEOUT_MS)} s`);
            await new Promise((r) => setTimeout(r, 100));
        }
    });
}

/** The checks after the step, the same for both methods; returns what the step moved. */
async function checkResharded(
    data: ReshardData,
    before: readonly string[],
    stepEnded: number,
): Promise<Omit<ReshardRun, "loadMs" | "stepMs">> {
    // Every node cluster_state:ok, all 16384 slots, 4 nodes known, all masters.
    await waitClusterHealthy(AFTER_PORTS, 0, SETTLE_TIMEOUT_MS);
    const settledMs = Date.now() - stepEnded;
    return withClients(AFTER_PORTS, async (clients) => {
        const sizes = await Promise.all(clients.map((c) => c.dbsize()));
        const total = sizes.reduce((a, b) => a + b, 0);
        if (total !== data.keys)
            throw new Error(`after resharding the masters hold ${total} keys (DBSIZE ${sizes.join(", ")}); ${data.keys} were loaded`);
        const newShare = sizes[NEW_MASTER] / data.keys;
        if (newShare <= MIN_NEW_SHARE)
            throw new Error(`the new master holds ${(newShare * 100).toFixed(1)}% of the keys, not more than ${MIN_NEW_SHARE * 100}%`);
        const after = await slotOwners(clients[0]);
        const byId = new Map(await Promise.all(clients.map(async (c) => [String(await c.call("CLUSTER", "MYID")), c] as const)));
        const counts = await Promise.all(
            after.map(async (id, slot) => {
                if (id === before[slot]) return 0;
                const owner = byId.get(id);
                if (!owner) throw new Error(`slot ${slot} is owned by ${id}, none of the 4 nodes`);
                return Number(await owner.call("CLUSTER", "COUNTKEYSINSLOT", String(slot)));
            }),
        );
        return { keysMoved: counts.reduce((a, b) => a + b, 0), newShare, settledMs };
    });
}

/** On a formed 3-master cluster at BEFORE_PORTS: load the data, wait for quiet, time `step`, check. */
async function loadThenTime(data: ReshardData, step: () => Promise<void>): Promise<ReshardRun> {
    await waitClusterHealthy(BEFORE_PORTS, 0);
    const loadMs = await loadKeys({ host: "127.0.0.1", port: BEFORE_PORTS[0] }, data);
    await waitPersistenceIdle(BEFORE_PORTS);
    const before = await withClients(BEFORE_PORTS.slice(0, 1), ([c]) => slotOwners(c));
    const started = Date.now();
    await step();
    const ended = Date.now();
    return { loadMs, stepMs: ended - started, ...(await checkResharded(data, before, ended)) };
}

/** Ours: a 3-master stack without replicas; after the load, masters = 4 and `stack.up()`, the user's step. */
async function reshardOurs(image: string, data: ReshardData): Promise<ReshardRun> {
    const bench = await openStack(3, image);
    try {
        await bench.stack.setConfig("redis-stack:replicasPerMaster", { value: "0" });
        await upOk(bench.stack);
        // Only the stack's config: no node sees it before the next `up`, the timed step.
        await bench.setMasters(4);
        return await loadThenTime(data, async () => {
            const up = await upOk(bench.stack);
            // What the user saw while keys moved (the formation's progress lines), for the log.
            for (const line of up.stdout.split("\n")) if (/\bmov(ing|ed) /.test(line)) console.log(`      pulumi up: ${line.trim()}`);
        });
    } finally {
        await bench.dispose();
    }
}

/**
 * By hand, on the same containers byHand.ts starts (same image, Redis arguments, ports, network): 3 nodes
 * formed by `redis-cli --cluster create --cluster-replicas 0`; the step is `docker run` of node 3, waiting
 * until it answers, `--cluster add-node`, waiting until every node knows every other, `--cluster rebalance
 * --cluster-use-empty-masters` (its defaults).
 */
async function reshardByHand(image: string, bins: ImageBinaries, data: ReshardData): Promise<ReshardRun> {
    const fixture = new Fixture("rs-bench-reshard", {
        image,
        masters: "4",
        replicasPerMaster: "0",
        basePort: String(BENCH_BASE_PORT),
        standalonePort: String(BENCH_STANDALONE_PORT),
        subnet: BENCH_FIXTURE_SUBNET,
    });
    const t = fixture.topology;
    const [first, second, third, added] = t.clusterNodes;
    const at = (n: typeof first) => `${n.announceHost}:${n.clientPort}`;
    const [program, programArgs] = bins.run("redis-cli");
    const cli = async (args: string[]) => {
        const { stdout } = await run(program, [...programArgs, ...args]);
        if (/\[ERR\]/.test(stdout)) throw new Error(`redis-cli ${args.join(" ")}:\n${stdout}`);
        return stdout;
    };
    // Leftovers of an interrupted run go first; destroy removes these names only (containers, volumes, network).
    await fixture.destroy();
    try {
        if (t.network)
            await run("docker", ["network", "create", "--subnet", t.network.subnet, "--gateway", t.network.gateway, t.network.name]);
        await Promise.all([first, second, third].map((n) => run("docker", dockerRunArgs(n, t.image, t.network?.name))));
        await waitAnswering(BEFORE_PORTS);
        const created = await cli(["--cluster", "create", ...[first, second, third].map(at), "--cluster-replicas", "0", "--cluster-yes"]);
        if (!/All 16384 slots covered/.test(created)) throw new Error(`redis-cli --cluster create failed:\n${created}`);
        return await loadThenTime(data, async () => {
            await run("docker", dockerRunArgs(added, t.image, t.network?.name));
            await waitAnswering([added.hostAddress.port]);
            await cli(["--cluster", "add-node", at(added), at(first)]);
            // add-node returns once it sent CLUSTER MEET; a rebalance before the handshake ends sees 3 balanced
            // masters and does nothing ("No rebalancing needed"). A user waits until the nodes know each other.
            await waitClusterHealthy(AFTER_PORTS, 0);
            const rebalanced = await cli(["--cluster", "rebalance", at(first), "--cluster-use-empty-masters"]);
            if (!/Moving \d+ slots/.test(rebalanced)) throw new Error(`redis-cli --cluster rebalance moved nothing:\n${rebalanced}`);
        });
    } finally {
        await fixture.destroy();
    }
}

function summarizeRuns(runs: readonly ReshardRun[], data: ReshardData): ReshardSummary {
    const pick = (f: (r: ReshardRun) => number) => summarize(runs.map(f));
    return {
        step: pick((r) => r.stepMs),
        keysMoved: pick((r) => r.keysMoved),
        keysPerSecond: pick((r) => r.keysMoved / (r.stepMs / 1000)),
        megabytesPerSecond: pick((r) => (r.keysMoved * data.valueBytes) / 1e6 / (r.stepMs / 1000)),
        load: pick((r) => r.loadMs),
        newShare: pick((r) => r.newShare),
        settled: pick((r) => r.settledMs),
    };
}

/** `reps` runs of each method, alternating within each rep. */
export async function measureReshard(
    reps: number,
    image: string,
    bins: ImageBinaries,
    data: ReshardData,
): Promise<Record<ReshardMethod, ReshardSummary>> {
    const runs: Record<ReshardMethod, ReshardRun[]> = { "redis-stack": [], "redis-cli": [] };
    for (let i = 0; i < reps; i++) {
        for (const method of ["redis-stack", "redis-cli"] as const) {
            const r = method === "redis-stack" ? await reshardOurs(image, data) : await reshardByHand(image, bins, data);
            runs[method].push(r);
            // Progress on the console only: a run at 1M keys takes minutes.
            console.log(
                `reshard ${method} run ${i + 1}: load ${seconds(r.loadMs)} s, 3 -> 4 ${seconds(r.stepMs)} s, ${r.keysMoved} keys moved, ` +
                    `new master ${(r.newShare * 100).toFixed(1)}%, all ok ${seconds(r.settledMs)} s after`,
            );
        }
    }
    return { "redis-stack": summarizeRuns(runs["redis-stack"], data), "redis-cli": summarizeRuns(runs["redis-cli"], data) };
}
