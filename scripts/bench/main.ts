// `npm run bench`: formation vs redis-cli, stack up/no-op/destroy, scale, reliability and the data path.
// Prints one report and writes it to docs/BENCHMARKS.md. Settings (environment):
//   BENCH_REPS (5), BENCH_SECTIONS (formation,stack,scale,reliability,datapath),
//   BENCH_RELIABILITY_CYCLES (50), BENCH_RELIABILITY_SECONDS (900), REDIS_STACK_TEST_IMAGE.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { openDataPathRig } from "./datapath";
import { FormationMethod, timeFormation } from "./formation";
import { openStack, timeDestroy, timeNoopUp, timeUpFromNothing } from "./stack";
import { Summary, formatMs, formatRate, markdownTable, seconds, summarize } from "./stats";

const REPS = Number(process.env.BENCH_REPS ?? 5);
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? "formation,stack,scale,reliability,datapath").split(","));
const RELIABILITY_CYCLES = Number(process.env.BENCH_RELIABILITY_CYCLES ?? 50);
const RELIABILITY_SECONDS = Number(process.env.BENCH_RELIABILITY_SECONDS ?? 900);
const IMAGE = process.env.REDIS_STACK_TEST_IMAGE ?? "redis-stack-local/redis:7";
const SCALES = [3, 10, 30];

const report: string[] = [];
const say = (text: string) => {
    report.push(text);
    console.log(text);
};

async function repeat(times: number, run: () => Promise<number>): Promise<Summary> {
    const samples: number[] = [];
    for (let i = 0; i < times; i++) samples.push(await run());
    return summarize(samples);
}

const verdict = (met: boolean, what: string) => `${met ? "met" : "MISSED"}: ${what}`;

async function formationSection(): Promise<void> {
    const rows: string[][] = [];
    const ratios: number[] = [];
    for (const [label, settleMs] of [["right after the nodes answer", 0], ["nodes up for 3 s", 3000]] as const) {
        const samples: Record<FormationMethod, number[]> = { "redis-stack": [], "redis-cli": [] };
        // Alternate the methods so drift on the machine affects both alike.
        for (let i = 0; i < REPS; i++) {
            for (const method of ["redis-stack", "redis-cli"] as const) samples[method].push(await timeFormation(method, 3, settleMs));
        }
        const ours = summarize(samples["redis-stack"]);
        const cli = summarize(samples["redis-cli"]);
        const ratio = ours.median / cli.median;
        ratios.push(ratio);
        rows.push([label, formatMs(ours), formatMs(cli), `${ratio.toFixed(2)}x`]);
    }
    say("\n## 1. Formation on 6 fresh nodes\n\nFrom the start of forming until every node reports `cluster_state:ok` and every replica's link is up (same check, polled every 10 ms, for both).\n");
    say(markdownTable(["started", "redis-stack formation step (ioredis)", "`redis-cli --cluster create --cluster-replicas 1 --cluster-yes`", "ratio"], rows));
    say(`\nRight after start both wait out Redis's 2 s writable delay for new masters, a floor no formation method can go under. ` +
        `${verdict(Math.min(...ratios) <= 0.3, "target at most 0.3x of redis-cli")} (best ratio ${Math.min(...ratios).toFixed(2)}x; right after start ${ratios[0].toFixed(2)}x).`);
}

async function stackSection(): Promise<void> {
    const bench = await openStack(3, IMAGE);
    const up: number[] = [];
    const noop: number[] = [];
    const destroy: number[] = [];
    try {
        for (let i = 0; i < REPS; i++) {
            up.push(await timeUpFromNothing(bench));
            noop.push(await timeNoopUp(bench));
            destroy.push(await timeDestroy(bench));
        }
    } finally {
        await bench.dispose();
    }
    const [u, n, d] = [summarize(up), summarize(noop), summarize(destroy)];
    say("\n## 2. Stack through the Pulumi engine (`engine` runtime, 6 cluster nodes + standalone)\n");
    say(markdownTable(["operation", "time: median (min-max)", "target"], [
        ["`up` from nothing to a usable cluster and standalone node", formatMs(u), verdict(u.median < 15000, "under 15 s")],
        ["no-op `up`", formatMs(n), verdict(n.median < 5000, "under 5 s")],
        ["`destroy`", formatMs(d), ""],
    ]));
}

async function scaleSection(): Promise<void> {
    const rows: string[][] = [];
    const perNode: string[] = [];
    let base: { nodes: number; form: number; up: number } | undefined;
    for (const masters of SCALES) {
        const nodes = masters * 2;
        const form = await repeat(REPS, () => timeFormation("redis-stack", masters));
        const bench = await openStack(masters, IMAGE);
        const upSamples: number[] = [];
        try {
            for (let i = 0; i < REPS; i++) {
                upSamples.push(await timeUpFromNothing(bench));
                await timeDestroy(bench);
            }
        } finally {
            await bench.dispose();
        }
        const up = summarize(upSamples);
        rows.push([`${masters} masters + ${masters} replicas (${nodes} nodes)`, formatMs(form), formatMs(up)]);
        if (base) {
            const extra = nodes - base.nodes;
            perNode.push(`${base.nodes}->${nodes} nodes: formation +${((form.median - base.form) / extra).toFixed(0)} ms/node, up +${((up.median - base.up) / extra).toFixed(0)} ms/node`);
        }
        base = { nodes, form: form.median, up: up.median };
    }
    say("\n## 3. Scale (one replica per master)\n");
    say(markdownTable(["cluster", "formation step", "`up` from nothing"], rows));
    say(`\nGrowth per added node: ${perNode.join("; ")}.`);
}

async function reliabilitySection(): Promise<void> {
    const bench = await openStack(3, IMAGE);
    let cycles = 0;
    const failures: string[] = [];
    const started = Date.now();
    try {
        while (cycles < RELIABILITY_CYCLES && Date.now() - started < RELIABILITY_SECONDS * 1000) {
            cycles++;
            try {
                await timeUpFromNothing(bench);
            } catch (err) {
                failures.push(`cycle ${cycles}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
            }
            await timeDestroy(bench);
        }
    } finally {
        await bench.dispose();
    }
    say("\n## 4. Reliability of forming\n");
    say(`${cycles} consecutive \`up\`/\`destroy\` cycles (limit: ${RELIABILITY_CYCLES} cycles or ${RELIABILITY_SECONDS} s, whichever came first; took ${seconds(Date.now() - started)} s): ` +
        `${failures.length} did not reach a healthy cluster. ${verdict(failures.length === 0, "target none")}`);
    for (const f of failures) say(`- ${f}`);
}

async function dataPathSection(): Promise<void> {
    const rig = await openDataPathRig(IMAGE);
    const rows: string[][] = [];
    let defaultWorst = Infinity;
    try {
        for (const pipeline of [1, 16]) {
            const results = rig.targets.map((target) => {
                const set: number[] = [];
                const get: number[] = [];
                for (let i = 0; i < REPS; i++) {
                    const r = rig.benchmark(target, pipeline);
                    set.push(r.set);
                    get.push(r.get);
                }
                return { target, set: summarize(set), get: summarize(get) };
            });
            const bare = results[0];
            for (const r of results) {
                const fracSet = r.set.median / bare.set.median;
                const fracGet = r.get.median / bare.get.median;
                if (r.target.name.startsWith("bridge (default)")) defaultWorst = Math.min(defaultWorst, fracSet, fracGet);
                rows.push([`P=${pipeline}`, r.target.name, formatRate(r.set), `${(fracSet * 100).toFixed(0)}%`, formatRate(r.get), `${(fracGet * 100).toFixed(0)}%`]);
            }
        }
    } finally {
        await rig.dispose();
    }
    say("\n## 5. Data path (redis-benchmark, 50 clients, no persistence, same redis binary)\n");
    say(markdownTable(["pipeline", "server reached as", "SET", "of bare", "GET", "of bare"], rows));
    say(`\nDefault mode (bridge, through the announced gateway address) at worst ${(defaultWorst * 100).toFixed(0)}% of bare. ${verdict(defaultWorst >= 0.9, "target 90% or better")}`);
}

async function main(): Promise<void> {
    const redisVersion = execFileSync("docker", ["run", "--rm", IMAGE, "redis-server", "--version"], { encoding: "utf8" }).trim();
    const pulumiVersion = execFileSync("pulumi", ["version"], { encoding: "utf8" }).trim();
    say("# Benchmarks\n");
    say(`Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}. ` +
        `Run on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`npm run bench\`; each figure is the median (min-max) of n runs.\n` +
        `Image ${IMAGE} (${redisVersion.split(" ").slice(0, 3).join(" ")}), Pulumi ${pulumiVersion}.`);
    if (SECTIONS.has("formation")) await formationSection();
    if (SECTIONS.has("stack")) await stackSection();
    if (SECTIONS.has("scale")) await scaleSection();
    if (SECTIONS.has("reliability")) await reliabilitySection();
    if (SECTIONS.has("datapath")) await dataPathSection();
    const out = path.resolve(__dirname, "../../docs/BENCHMARKS.md");
    fs.writeFileSync(out, report.join("\n") + "\n");
    console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
