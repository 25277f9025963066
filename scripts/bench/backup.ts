// A backup of a 3-master cluster holding data: this project's takeBackup (every master's RDB over the network at
// once, and the standalone node's) against what a user does by hand, `redis-cli --rdb <file>` for each master, one
// after another, then the standalone node. The same containers, the same data (reshardData.ts: keys over every
// slot, pseudo-random values that do not compress), loaded once, untimed; the two methods then alternate.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Redis from "ioredis";
import { type BackupTarget, takeBackup } from "../../components/backup/takeBackup";
import { restoreBackup } from "../../components/backup/restoreBackup";
import { Fixture } from "../../test/support/fixture";
import { waitAnswering, waitClusterHealthy } from "./health";
import type { ImageBinaries } from "./imageBinaries";
import { BENCH_BASE_PORT, BENCH_FIXTURE_SUBNET, BENCH_STANDALONE_PORT } from "./ports";
import { type ReshardData, loadKeys } from "./reshardData";
import { run } from "./run";
import { type Summary, summarize } from "./stats";

export type BackupMethod = "takeBackup" | "redis-cli --rdb";

/** Restoring the last backup into an empty cluster of RESTORE_MASTERS masters, as restoreFrom does. */
export interface RestoreSummary {
    readonly ms: Summary;
    readonly keysPerSecond: Summary;
    readonly keys: number;
}

const RESTORE_MASTERS = 4;
/** The restore's cluster, beside the backed-up one: ports and subnet of their own. */
const RESTORE_BASE_PORT = BENCH_BASE_PORT + 20;
const RESTORE_STANDALONE_PORT = BENCH_STANDALONE_PORT + 1;
const RESTORE_SUBNET = "172.30.132.0/24";

export interface BackupSummary {
    readonly ms: Summary;
    /** RDB bytes written per second, MB = 10^6 bytes. */
    readonly megabytesPerSecond: Summary;
    /** What the files of one backup hold, in bytes. */
    readonly bytes: number;
}

const MASTERS = 3;

/** Starts the fixture's nodes and forms its masters with `redis-cli --cluster create` (the image's redis-cli, on the host). */
async function startCluster(fixture: Fixture, bins: ImageBinaries): Promise<void> {
    const t = fixture.topology;
    const [program, programArgs] = bins.run("redis-cli");
    await fixture.start();
    await waitAnswering([...t.clusterNodes, t.standalone].map((n) => n.hostAddress.port));
    const created = await run(program, [
        ...programArgs,
        "--cluster",
        "create",
        ...t.clusterNodes.map((n) => `${n.announceHost}:${n.clientPort}`),
        "--cluster-yes",
    ]);
    if (!/All 16384 slots covered/.test(created.stdout)) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}`);
    // Every node must know the others first: writes right after create hang on nodes still in their handshake.
    await waitClusterHealthy(
        t.clusterNodes.map((n) => n.hostAddress.port),
        0,
    );
}

/** The fixture's nodes as a backup or a restore reaches them: at 127.0.0.1, no password. */
function targetOf(fixture: Fixture): BackupTarget {
    const t = fixture.topology;
    return {
        stack: fixture.prefix,
        clusterNodes: t.clusterNodes.map((n) => ({
            name: n.name,
            announced: `${n.announceHost}:${n.clientPort}`,
            host: "127.0.0.1",
            port: n.hostAddress.port,
        })),
        standalone: { name: t.standalone.name, announced: "", host: "127.0.0.1", port: t.standalone.hostAddress.port },
    };
}

/** Runs `reps` backups by each method, alternating, on one cluster loaded with `data`. */
export async function measureBackup(
    reps: number,
    image: string,
    bins: ImageBinaries,
    data: ReshardData,
): Promise<{ summaries: Record<BackupMethod, BackupSummary>; restore: RestoreSummary; loadMs: number }> {
    const fixture = new Fixture("rs-bench-backup", {
        image,
        masters: String(MASTERS),
        replicasPerMaster: "0",
        basePort: String(BENCH_BASE_PORT),
        standalonePort: String(BENCH_STANDALONE_PORT),
        subnet: BENCH_FIXTURE_SUBNET,
    });
    const t = fixture.topology;
    const nodes = [...t.clusterNodes, t.standalone];
    const [program, programArgs] = bins.run("redis-cli");
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-bench-backup-"));
    const samples: Record<BackupMethod, { ms: number; bytes: number }[]> = { takeBackup: [], "redis-cli --rdb": [] };
    await fixture.destroy();
    try {
        await startCluster(fixture, bins);
        const loadMs = await loadKeys({ host: "127.0.0.1", port: t.clusterNodes[0].hostAddress.port }, data);
        // The standalone node gets a tenth of the keys, as a standalone cache beside the cluster might.
        const standalone = new Redis(t.standalone.hostAddress.port, "127.0.0.1");
        try {
            for (let i = 0; i < data.keys / 10; i += 1000)
                await Promise.all(
                    Array.from({ length: 1000 }, (_, j) => standalone.set(`s:${i + j}`, `v${i + j}`.padEnd(data.valueBytes, "x"))),
                );
        } finally {
            standalone.disconnect();
        }
        const target = targetOf(fixture);
        const sizeOf = (dir: string) =>
            fs.readdirSync(dir).reduce((n, f) => n + (f.endsWith(".rdb") ? fs.statSync(path.join(dir, f)).size : 0), 0);
        for (let rep = 0; rep < reps; rep++) {
            for (const method of (rep % 2 === 0
                ? ["takeBackup", "redis-cli --rdb"]
                : ["redis-cli --rdb", "takeBackup"]) as BackupMethod[]) {
                const dir = fs.mkdtempSync(path.join(parent, "run-"));
                const started = Date.now();
                let written = dir;
                if (method === "takeBackup") written = (await takeBackup(target, dir)).dir;
                else
                    for (const n of nodes)
                        await run(program, [...programArgs, "-p", String(n.hostAddress.port), "--rdb", path.join(dir, `${n.name}.rdb`)]);
                samples[method].push({ ms: Date.now() - started, bytes: sizeOf(written) });
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }
        const restore = await measureRestore(reps, image, bins, target, parent);
        const summary = (list: { ms: number; bytes: number }[]): BackupSummary => ({
            ms: summarize(list.map((s) => s.ms)),
            megabytesPerSecond: summarize(list.map((s) => s.bytes / 1e6 / (s.ms / 1000))),
            bytes: list[0].bytes,
        });
        return {
            summaries: { takeBackup: summary(samples.takeBackup), "redis-cli --rdb": summary(samples["redis-cli --rdb"]) },
            restore,
            loadMs,
        };
    } finally {
        await fixture.destroy();
        fs.rmSync(parent, { recursive: true, force: true });
    }
}

/** One backup of `source`, restored `reps` times into an empty 4-master cluster (emptied between runs, untimed). */
async function measureRestore(
    reps: number,
    image: string,
    bins: ImageBinaries,
    source: BackupTarget,
    parent: string,
): Promise<RestoreSummary> {
    const { dir } = await takeBackup(source, fs.mkdtempSync(path.join(parent, "restore-")));
    const fixture = new Fixture("rs-bench-restore", {
        image,
        masters: String(RESTORE_MASTERS),
        replicasPerMaster: "0",
        basePort: String(RESTORE_BASE_PORT),
        standalonePort: String(RESTORE_STANDALONE_PORT),
        subnet: RESTORE_SUBNET,
    });
    const t = fixture.topology;
    const [program, programArgs] = bins.run("redis-cli");
    await fixture.destroy();
    try {
        await startCluster(fixture, bins);
        const target = targetOf(fixture);
        const samples: { ms: number; keys: number }[] = [];
        for (let rep = 0; rep < reps; rep++) {
            await Promise.all(
                [...t.clusterNodes, t.standalone].map((n) => run(program, [...programArgs, "-p", String(n.hostAddress.port), "FLUSHALL"])),
            );
            const started = Date.now();
            const report = await restoreBackup(target, dir);
            samples.push({ ms: Date.now() - started, keys: report.clusterKeys + report.standaloneKeys });
        }
        return {
            ms: summarize(samples.map((s) => s.ms)),
            keysPerSecond: summarize(samples.map((s) => s.keys / (s.ms / 1000))),
            keys: samples[0].keys,
        };
    } finally {
        await fixture.destroy();
    }
}
