// A backup of a 3-master cluster holding data: this project's takeBackup (every master's RDB over the network at
// once, and the standalone node's) against what a user does by hand, `redis-cli --rdb <file>` for each master, one
// after another, then the standalone node. The same containers, the same data (reshardData.ts: keys over every
// slot, pseudo-random values that do not compress), loaded once, untimed; the two methods then alternate.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Redis from "ioredis";
import { takeBackup } from "../../components/backup/takeBackup";
import { Fixture } from "../../test/support/fixture";
import { waitAnswering } from "./health";
import type { ImageBinaries } from "./imageBinaries";
import { BENCH_BASE_PORT, BENCH_FIXTURE_SUBNET, BENCH_STANDALONE_PORT } from "./ports";
import { type ReshardData, loadKeys } from "./reshardData";
import { run } from "./run";
import { type Summary, summarize } from "./stats";

export type BackupMethod = "takeBackup" | "redis-cli --rdb";

export interface BackupSummary {
    readonly ms: Summary;
    /** RDB bytes written per second, MB = 10^6 bytes. */
    readonly megabytesPerSecond: Summary;
    /** What the files of one backup hold, in bytes. */
    readonly bytes: number;
}

const MASTERS = 3;

/** Runs `reps` backups by each method, alternating, on one cluster loaded with `data`. */
export async function measureBackup(
    reps: number,
    image: string,
    bins: ImageBinaries,
    data: ReshardData,
): Promise<{ summaries: Record<BackupMethod, BackupSummary>; loadMs: number }> {
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
        await fixture.start();
        await waitAnswering(nodes.map((n) => n.hostAddress.port));
        const created = await run(program, [
            ...programArgs,
            "--cluster",
            "create",
            ...t.clusterNodes.map((n) => `${n.announceHost}:${n.clientPort}`),
            "--cluster-yes",
        ]);
        if (!/All 16384 slots covered/.test(created.stdout)) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}`);
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
        const target = {
            stack: "rs-bench-backup",
            clusterNodes: t.clusterNodes.map((n) => ({
                name: n.name,
                announced: `${n.announceHost}:${n.clientPort}`,
                host: "127.0.0.1",
                port: n.hostAddress.port,
            })),
            standalone: { name: t.standalone.name, announced: "", host: "127.0.0.1", port: t.standalone.hostAddress.port },
        };
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
        const summary = (list: { ms: number; bytes: number }[]): BackupSummary => ({
            ms: summarize(list.map((s) => s.ms)),
            megabytesPerSecond: summarize(list.map((s) => s.bytes / 1e6 / (s.ms / 1000))),
            bytes: list[0].bytes,
        });
        return { summaries: { takeBackup: summary(samples.takeBackup), "redis-cli --rdb": summary(samples["redis-cli --rdb"]) }, loadMs };
    } finally {
        await fixture.destroy();
        fs.rmSync(parent, { recursive: true, force: true });
    }
}
