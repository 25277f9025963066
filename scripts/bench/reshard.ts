// Resharding 3 -> 4 masters with data on them, as a new user would: this project's `up` after raising masters,
// against the same containers by hand: `docker run` of the new node(s), `redis-cli --cluster add-node` (and of
// the new master's replica, `--cluster-slave`), `redis-cli --cluster rebalance --cluster-use-empty-masters`.
// Each method loads the same data (reshardData.ts, untimed), then only the 3 -> 4 step is timed; the same checks
// follow. Variants: with or without one replica per master, with or without a client writing during the step.
// One method at a time, each torn down before the next: the data takes over 1 GB of Redis memory per method.
import Redis, { Cluster } from "ioredis";
import { parseInfo } from "../../components/redis/clusterView";
import { SLOT_COUNT } from "../../components/topology/topology";
import { Fixture } from "../../test/support/fixture";
import { ClusterWriter, WriterReport } from "../../test/support/writer";
import { dockerRunArgs } from "./byHand";
import { waitAnswering, waitClusterHealthy } from "./health";
import type { ImageBinaries } from "./imageBinaries";
import { BENCH_BASE_PORT, BENCH_FIXTURE_SUBNET, BENCH_STANDALONE_PORT, clusterPorts } from "./ports";
import { ReshardData, loadKeys } from "./reshardData";
import type { ReshardVariant } from "./reshardVariants";
import { run } from "./run";
import { openStack, upOk } from "./stack";
import { Summary, seconds, summarize } from "./stats";

export type ReshardMethod = "redis-stack" | "redis-cli";

/** One run of one method. */
interface ReshardRun {
    readonly loadMs: number;
    /** The 3 -> 4 step alone, until every replica (the new master's too) is linked. */
    readonly stepMs: number;
    /** Keys of every slot whose owner changed. */
    readonly keysMoved: number;
    /** Of all keys, on the new master. */
    readonly newShare: number;
    /** From the end of the step until every node reported cluster_state:ok with the 4 masters. */
    readonly settledMs: number;
    /** The client that wrote during the step, when the variant has one. */
    readonly writes?: WriterReport;
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
    /** Summed over the runs (writer variants only). */
    readonly writes?: { readonly acknowledged: number; readonly failed: number; readonly lost: number; readonly perSecond: Summary };
}

const MASTERS_BEFORE = 3;
const MASTERS_AFTER = 4;
const MIN_NEW_SHARE = 0.15;
/** Bound on the background saves the load started; they finish well within it at 1 GB. */
const PERSISTENCE_IDLE_TIMEOUT_MS = 600000;
/** Bound on the nodes agreeing after the step (gossip); the step itself is not bounded here. */
const SETTLE_TIMEOUT_MS = 120000;
/** Bound on the by-hand step's waits for the nodes to know each other and for a replica's first sync. */
const BY_HAND_WAIT_MS = 600000;

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

/** Until `busy` is false on every node, polled every 100 ms. */
async function waitEveryNode(ports: readonly number[], what: string, busy: (clients: Redis[]) => Promise<boolean>): Promise<void> {
    await withClients(ports, async (clients) => {
        const deadline = Date.now() + PERSISTENCE_IDLE_TIMEOUT_MS;
        while (await busy(clients)) {
            if (Date.now() > deadline) throw new Error(`${what} after ${seconds(PERSISTENCE_IDLE_TIMEOUT_MS)} s`);
            await new Promise((r) => setTimeout(r, 100));
        }
    });
}

/**
 * Until no node rewrites its AOF or saves, and every replica has applied its master's whole stream: the
 * load sets both off, and either still running would slow the timed step of one method and not the other's.
 */
async function waitQuiet(ports: readonly number[]): Promise<void> {
    await waitEveryNode(ports, "background saves still running", async (clients) => {
        const busy = await Promise.all(
            clients.map(async (c) => {
                const p = parseInfo(await c.info("persistence"));
                return p.aof_rewrite_in_progress !== "0" || p.aof_rewrite_scheduled !== "0" || p.rdb_bgsave_in_progress !== "0";
            }),
        );
        return busy.some(Boolean);
    });
    await waitEveryNode(ports, "replicas still behind their masters", async (clients) => {
        const infos = await Promise.all(clients.map(async (c) => parseInfo(await c.info("replication"))));
        // A replica's master is named by its port: each node's port is unique in the bench.
        const offsetAt = new Map(infos.map((info, i) => [ports[i], info.master_repl_offset]));
        return infos.some((info) => info.role === "slave" && info.slave_repl_offset !== offsetAt.get(Number(info.master_port)));
    });
}

/** The checks after the step, the same for both methods (once the nodes agree); returns what the step moved. */
async function checkResharded(
    data: ReshardData,
    after: readonly number[],
    before: readonly string[],
    writes: WriterReport | undefined,
): Promise<Pick<ReshardRun, "keysMoved" | "newShare">> {
    return withClients(after, async (all) => {
        const roles = await Promise.all(all.map(async (c) => parseInfo(await c.info("replication")).role));
        const clients = all.filter((_, i) => roles[i] === "master");
        if (clients.length !== MASTERS_AFTER) throw new Error(`after resharding ${clients.length} nodes are masters, not ${MASTERS_AFTER}`);
        const ids = await Promise.all(clients.map(async (c) => String(await c.call("CLUSTER", "MYID"))));
        const sizes = await Promise.all(clients.map((c) => c.dbsize()));
        const total = sizes.reduce((a, b) => a + b, 0);
        // The writer's keys are there too: every acknowledged one, and perhaps some the client saw fail.
        const least = data.keys + (writes?.acknowledged ?? 0);
        const most = data.keys + (writes?.attempted ?? 0);
        if (total < least || total > most)
            throw new Error(
                `after resharding the masters hold ${total} keys (DBSIZE ${sizes.join(", ")}); ` +
                    `${data.keys} were loaded` +
                    (writes ? ` and ${writes.acknowledged} of ${writes.attempted} writes acknowledged during the step` : ""),
            );
        const newMaster = ids.findIndex((id) => !before.includes(id));
        if (newMaster < 0) throw new Error("no master is new: every one owned slots before the step");
        const newShare = sizes[newMaster] / total;
        if (newShare <= MIN_NEW_SHARE)
            throw new Error(`the new master holds ${(newShare * 100).toFixed(1)}% of the keys, not more than ${MIN_NEW_SHARE * 100}%`);
        const owners = await slotOwners(clients[0]);
        const byId = new Map(ids.map((id, i) => [id, clients[i]] as const));
        const counts = await Promise.all(
            owners.map(async (id, slot) => {
                if (id === before[slot]) return 0;
                const owner = byId.get(id);
                if (!owner) throw new Error(`slot ${slot} is owned by ${id}, none of the ${MASTERS_AFTER} masters`);
                return Number(await owner.call("CLUSTER", "COUNTKEYSINSLOT", String(slot)));
            }),
        );
        return { keysMoved: counts.reduce((a, b) => a + b, 0), newShare };
    });
}

/** A client writing through the cluster at `seedPort` until stopped. */
async function startWriter(seedPort: number): Promise<{ stop(): Promise<WriterReport> }> {
    const cluster = new Cluster([{ host: "127.0.0.1", port: seedPort }], { lazyConnect: true });
    cluster.on("error", () => undefined);
    await cluster.connect();
    const writer = new ClusterWriter(cluster, "bench-writer", 4, 0);
    return {
        async stop() {
            try {
                return await writer.stopAndVerify();
            } finally {
                cluster.disconnect();
            }
        },
    };
}

/**
 * On a formed 3-master cluster whose nodes are at `before`: load the data, wait for quiet, time `step` (with a
 * client writing through it when the variant says so), check at `after`.
 */
async function loadThenTime(
    data: ReshardData,
    variant: ReshardVariant,
    ports: { readonly before: readonly number[]; readonly after: readonly number[] },
    step: () => Promise<void>,
): Promise<ReshardRun> {
    await waitClusterHealthy(ports.before, MASTERS_BEFORE * variant.replicas);
    const loadMs = await loadKeys({ host: "127.0.0.1", port: ports.before[0] }, data);
    await waitQuiet(ports.before);
    const before = await withClients(ports.before.slice(0, 1), ([c]) => slotOwners(c));
    const writer = variant.writer ? await startWriter(ports.before[0]) : undefined;
    const started = Date.now();
    await step();
    const ended = Date.now();
    // Every node cluster_state:ok, all 16384 slots, every node known, every replica linked; the writer still writing.
    await waitClusterHealthy(ports.after, MASTERS_AFTER * variant.replicas, SETTLE_TIMEOUT_MS);
    const settledMs = Date.now() - ended;
    const writes = await writer?.stop();
    return { loadMs, stepMs: ended - started, settledMs, writes, ...(await checkResharded(data, ports.after, before, writes)) };
}

/** Ours: a 3-master stack; after the load, masters = 4 and `stack.up()`, the user's step. */
async function reshardOurs(image: string, data: ReshardData, variant: ReshardVariant): Promise<ReshardRun> {
    const bench = await openStack(MASTERS_BEFORE, image);
    try {
        await bench.stack.setConfig("redis-stack:replicasPerMaster", { value: String(variant.replicas) });
        await upOk(bench.stack);
        // Only the stack's config: no node sees it before the next `up`, the timed step.
        await bench.setMasters(MASTERS_AFTER);
        const ports = {
            before: clusterPorts(MASTERS_BEFORE * (1 + variant.replicas)),
            after: clusterPorts(MASTERS_AFTER * (1 + variant.replicas)),
        };
        return await loadThenTime(data, variant, ports, async () => {
            const up = await upOk(bench.stack);
            // What the user saw while keys moved (the formation's progress lines), for the log.
            for (const line of up.stdout.split("\n")) if (/\bmov(ing|ed) /.test(line)) console.log(`      pulumi up: ${line.trim()}`);
        });
    } finally {
        await bench.dispose();
    }
}

/**
 * By hand, on the same containers byHand.ts starts (same image, Redis arguments, ports, network) for 4 masters:
 * masters 0-2 (and replicas 4-6) formed by `redis-cli --cluster create --cluster-replicas <0|1>`; the step is
 * `docker run` of master 3 (and its replica 7), waiting until they answer, `--cluster add-node` of the master
 * (then, once every node knows it, of the replica with `--cluster-slave --cluster-master-id`), waiting until
 * every node knows every other, `--cluster rebalance --cluster-use-empty-masters` (its defaults), and waiting
 * until every replica is linked, where our `up` ends too.
 */
async function reshardByHand(image: string, bins: ImageBinaries, data: ReshardData, variant: ReshardVariant): Promise<ReshardRun> {
    const fixture = new Fixture("rs-bench-reshard", {
        image,
        masters: String(MASTERS_AFTER),
        replicasPerMaster: String(variant.replicas),
        basePort: String(BENCH_BASE_PORT),
        standalonePort: String(BENCH_STANDALONE_PORT),
        subnet: BENCH_FIXTURE_SUBNET,
    });
    const t = fixture.topology;
    const [masters, replicas] = [t.clusterNodes.filter((n) => n.role === "master"), t.clusterNodes.filter((n) => n.role === "replica")];
    const formed = [...masters.slice(0, MASTERS_BEFORE), ...replicas.slice(0, MASTERS_BEFORE)];
    const [added, addedReplica] = [masters[MASTERS_BEFORE], replicas[MASTERS_BEFORE]];
    const portOf = (n: typeof added) => n.hostAddress.port;
    const at = (n: typeof added) => `${n.announceHost}:${n.clientPort}`;
    const [program, programArgs] = bins.run("redis-cli");
    const cli = async (args: string[]) => {
        const { stdout } = await run(program, [...programArgs, ...args]);
        if (/\[ERR\]/.test(stdout)) throw new Error(`redis-cli ${args.join(" ")}:\n${stdout}`);
        return stdout;
    };
    const ports = { before: formed.map(portOf), after: t.clusterNodes.map(portOf) };
    // Leftovers of an interrupted run go first; destroy removes these names only (containers, volumes, network).
    await fixture.destroy();
    try {
        if (t.network)
            await run("docker", ["network", "create", "--subnet", t.network.subnet, "--gateway", t.network.gateway, t.network.name]);
        await Promise.all(formed.map((n) => run("docker", dockerRunArgs(n, t.image, t.network?.name))));
        await waitAnswering(ports.before);
        const created = await cli([
            "--cluster",
            "create",
            ...formed.map(at),
            "--cluster-replicas",
            String(variant.replicas),
            "--cluster-yes",
        ]);
        if (!/All 16384 slots covered/.test(created)) throw new Error(`redis-cli --cluster create failed:\n${created}`);
        return await loadThenTime(data, variant, ports, async () => {
            const newNodes = addedReplica ? [added, addedReplica] : [added];
            await Promise.all(newNodes.map((n) => run("docker", dockerRunArgs(n, t.image, t.network?.name))));
            await waitAnswering(newNodes.map(portOf));
            await cli(["--cluster", "add-node", at(added), at(masters[0])]);
            // add-node returns once it sent CLUSTER MEET; a rebalance (or a replica's add-node naming the new
            // master) before the handshake ends does not see the new node. A user waits until the nodes know each other.
            const withAdded = [...ports.before, portOf(added)];
            await waitClusterHealthy(withAdded, MASTERS_BEFORE * variant.replicas, BY_HAND_WAIT_MS);
            if (addedReplica) {
                const addedId = await withClients([portOf(added)], ([c]) => c.call("CLUSTER", "MYID"));
                await cli([
                    "--cluster",
                    "add-node",
                    at(addedReplica),
                    at(masters[0]),
                    "--cluster-slave",
                    "--cluster-master-id",
                    String(addedId),
                ]);
                await waitClusterHealthy(ports.after, MASTERS_AFTER * variant.replicas, BY_HAND_WAIT_MS);
            }
            const rebalanced = await cli(["--cluster", "rebalance", at(masters[0]), "--cluster-use-empty-masters"]);
            if (!/Moving \d+ slots/.test(rebalanced)) throw new Error(`redis-cli --cluster rebalance moved nothing:\n${rebalanced}`);
            await waitClusterHealthy(ports.after, MASTERS_AFTER * variant.replicas, BY_HAND_WAIT_MS);
        });
    } finally {
        await fixture.destroy();
    }
}

function summarizeRuns(runs: readonly ReshardRun[], data: ReshardData): ReshardSummary {
    const pick = (f: (r: ReshardRun) => number) => summarize(runs.map(f));
    const written = runs.flatMap((r) => (r.writes ? [{ writes: r.writes, stepMs: r.stepMs }] : []));
    const sum = (f: (w: WriterReport) => number) => written.reduce((total, r) => total + f(r.writes), 0);
    return {
        step: pick((r) => r.stepMs),
        keysMoved: pick((r) => r.keysMoved),
        keysPerSecond: pick((r) => r.keysMoved / (r.stepMs / 1000)),
        megabytesPerSecond: pick((r) => (r.keysMoved * data.valueBytes) / 1e6 / (r.stepMs / 1000)),
        load: pick((r) => r.loadMs),
        newShare: pick((r) => r.newShare),
        settled: pick((r) => r.settledMs),
        writes:
            written.length === 0
                ? undefined
                : {
                      acknowledged: sum((w) => w.acknowledged),
                      failed: sum((w) => w.failed),
                      lost: sum((w) => w.lost),
                      perSecond: summarize(written.map((r) => r.writes.acknowledged / (r.stepMs / 1000))),
                  },
    };
}

/** `reps` runs of each method, alternating within each rep. */
export async function measureReshard(
    reps: number,
    image: string,
    bins: ImageBinaries,
    data: ReshardData,
    variant: ReshardVariant,
): Promise<Record<ReshardMethod, ReshardSummary>> {
    const runs: Record<ReshardMethod, ReshardRun[]> = { "redis-stack": [], "redis-cli": [] };
    for (let i = 0; i < reps; i++) {
        for (const method of ["redis-stack", "redis-cli"] as const) {
            const r = method === "redis-stack" ? await reshardOurs(image, data, variant) : await reshardByHand(image, bins, data, variant);
            runs[method].push(r);
            // Progress on the console only: a run at 1M keys takes minutes.
            const writes = r.writes
                ? `, writes during it ${r.writes.acknowledged} acknowledged, ${r.writes.failed} failed, ${r.writes.lost} lost`
                : "";
            console.log(
                `reshard ${variant.name} ${method} run ${i + 1}: load ${seconds(r.loadMs)} s, 3 -> 4 ${seconds(r.stepMs)} s, ${r.keysMoved} keys moved, ` +
                    `new master ${(r.newShare * 100).toFixed(1)}%, all ok ${seconds(r.settledMs)} s after${writes}`,
            );
        }
    }
    return { "redis-stack": summarizeRuns(runs["redis-stack"], data), "redis-cli": summarizeRuns(runs["redis-cli"], data) };
}
