// `npm run bench`: the issue-9 targets, each against its baseline in the same run (the runs alternate, so
// drift on the machine affects both alike), then stack up/no-op/destroy, scale, reliability and the data path.
// Prints one report and writes it into the generated part of docs/BENCHMARKS.md, between its marker comments
// (reportFile.ts); the hand-written text around them stays. Settings (environment):
//   BENCH_REPS (5), BENCH_SECTIONS (all, in this order: formation,npmup,noop,state,scale60,stack,scale,reliability,datapath;
//   `kubernetes` only when named: it starts the local Kubernetes of scripts/k8s/, building what is missing; `reshard`
//   only when named: about 1.2 GB of Redis memory and minutes per run at its defaults),
//   BENCH_RELIABILITY_CYCLES (50), BENCH_RELIABILITY_SECONDS (900), REDIS_STACK_TEST_IMAGE,
//   BENCH_RESHARD_KEYS (1000000), BENCH_RESHARD_VALUE_BYTES (1024),
//   BENCH_RESHARD_VARIANTS (all: plain,replicas,writer,replicas-writer; one replica per master or none,
//   a client writing through the step or none),
//   BENCH_OUT (docs/BENCHMARKS.md; where the report goes, e.g. /tmp/bench.md for a trial of one section: a new
//   file gets the markers and the report, a file with markers its generated part replaced).
// Where the time goes (engine milestones, CPU profiles, the steps of `npm run up`): scripts/bench/profile.sh.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { timeByHand } from "./byHand";
import { openDataPathRig } from "./datapath";
import { openEmptyProgram } from "./emptyProgram";
import { FormationMethod, timeFormation } from "./formation";
import { extractImage } from "./imageBinaries";
import { measureKubernetes } from "./kubernetes";
import { CLI_UP_ARGS, timeCliUp, timeNpmRunUp } from "./npmUp";
import { withGeneratedReport } from "./reportFile";
import { ReshardSummary, measureReshard } from "./reshard";
import { type BackupMethod, measureBackup } from "./backup";
import { ReshardVariant, parseReshardVariants } from "./reshardVariants";
import { run } from "./run";
import { analyzeStateExport } from "./stateSize";
import { openStack, timeDestroy, timeNoopUp, timeUpFromNothing, upOk, waitStackUsable } from "./stack";
import { Summary, formatMs, formatPerSecond, formatRate, markdownTable, seconds, summarize } from "./stats";
import { stepLog, touched } from "./steps";
import { messageOf } from "../../components/common/errorMessage";
import { PROJECT_DIR } from "../../test/support/automation";

const REPS = Number(process.env.BENCH_REPS ?? 5);
const ALL_SECTIONS = ["formation", "npmup", "noop", "state", "scale60", "stack", "scale", "reliability", "datapath"];
/** Sections run only when BENCH_SECTIONS names them. */
const OPT_IN_SECTIONS = ["kubernetes", "reshard", "backup"];
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? ALL_SECTIONS.join(",")).split(","));
const RELIABILITY_CYCLES = Number(process.env.BENCH_RELIABILITY_CYCLES ?? 50);
const RELIABILITY_SECONDS = Number(process.env.BENCH_RELIABILITY_SECONDS ?? 900);
const RESHARD_KEYS = positiveInteger("BENCH_RESHARD_KEYS", 1000000);
/** The backup section's sizes: one cluster per size. */
const BACKUP_KEYS = (process.env.BENCH_BACKUP_KEYS ?? "100000,1000000").split(",").map((k) => {
    const n = Number(k);
    if (!Number.isInteger(n) || n < 1000)
        throw new Error(`BENCH_BACKUP_KEYS: got ${JSON.stringify(k)}; allowed: key counts of at least 1000, comma-separated`);
    return n;
});
const RESHARD_VALUE_BYTES = positiveInteger("BENCH_RESHARD_VALUE_BYTES", 1024);
const RESHARD_VARIANTS_RUN = parseReshardVariants("BENCH_RESHARD_VARIANTS", process.env.BENCH_RESHARD_VARIANTS);
const IMAGE = process.env.REDIS_STACK_TEST_IMAGE ?? "redis-stack-local/redis:8";
const SCALES = [3, 10, 30];
/** Redis keeps a new master unwritable for 2 s after it starts (CLUSTER_WRITABLE_DELAY). */
const WRITABLE_DELAY_MS = 2000;

/** A setting that must be a whole number above 0: a typo fails here, not after an hour of measuring. */
function positiveInteger(name: string, fallback: number): number {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: a whole number above 0, got ${process.env[name]}`);
    return value;
}

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

let sectionNumber = 0;
const heading = (title: string) => say(`\n## ${++sectionNumber}. ${title}\n`);

async function formationSection(): Promise<void> {
    const rows: string[][] = [];
    const ratios: number[] = [];
    let freshMedian: number | undefined;
    for (const [label, settleMs] of [
        ["right after the nodes answer", 0],
        ["nodes up for 3 s", 3000],
    ] as const) {
        const samples: Record<FormationMethod, number[]> = { "redis-stack": [], "redis-cli": [] };
        // Alternate the methods so drift on the machine affects both alike.
        for (let i = 0; i < REPS; i++) {
            for (const method of ["redis-stack", "redis-cli"] as const) samples[method].push(await timeFormation(method, 3, settleMs));
        }
        const ours = summarize(samples["redis-stack"]);
        const cli = summarize(samples["redis-cli"]);
        const ratio = ours.median / cli.median;
        ratios.push(ratio);
        if (settleMs === 0) freshMedian = ours.median;
        rows.push([label, formatMs(ours), formatMs(cli), `${ratio.toFixed(2)}x`]);
    }
    heading("Formation on 6 fresh nodes");
    say(
        "From the start of forming until every node reports `cluster_state:ok` and every replica's link is up (same check, polled every 10 ms, for both).\n",
    );
    say(
        markdownTable(
            ["started", "redis-stack formation step (ioredis)", "`redis-cli --cluster create --cluster-replicas 1 --cluster-yes`", "ratio"],
            rows,
        ),
    );
    const fresh = freshMedian ?? 0;
    say(
        `\nRight after start both wait out Redis's ${seconds(WRITABLE_DELAY_MS)} s writable delay for new masters, a floor no formation method can go under. ` +
            `${verdict(fresh <= WRITABLE_DELAY_MS + 300, `target at most the writable delay + 0.30 s (${seconds(WRITABLE_DELAY_MS + 300)} s) right after the nodes answer`)}: ` +
            `${seconds(fresh)} s, the delay + ${seconds(fresh - WRITABLE_DELAY_MS)} s (redis-cli ratio ${ratios[0].toFixed(2)}x right after start, ${ratios[1].toFixed(2)}x on settled nodes).`,
    );
}

/** A/B ratio line: `subject` against `baseline` medians. */
const ratio = (subject: Summary, baseline: Summary) => subject.median / baseline.median;

async function npmUpSection(): Promise<void> {
    const bins = extractImage(IMAGE);
    const bench = await openStack(3, IMAGE);
    const hand: number[] = [];
    const handForm: number[] = [];
    const npm: number[] = [];
    const cli: number[] = [];
    try {
        for (let i = 0; i < REPS; i++) {
            const h = await timeByHand(3, bins);
            hand.push(h.total);
            handForm.push(h.formation);
            npm.push(await timeNpmRunUp(bench));
            await timeDestroy(bench);
            cli.push(await timeCliUp(bench));
            await timeDestroy(bench);
        }
    } finally {
        await bench.dispose();
        bins.dispose();
    }
    const [h, hf, n, c] = [summarize(hand), summarize(handForm), summarize(npm), summarize(cli)];
    heading("`npm run up` from nothing against the same by hand (6 cluster nodes + standalone)");
    say(
        "Each from its first command until every node reports `cluster_state:ok`, every replica's link is up and the standalone node answers " +
            "(the same check for all). By hand: `docker network create`, the 7 `docker run`s of the same image, Redis arguments, ports and volumes " +
            "at once (`&` and `wait`), wait until every node answers, then `redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes` " +
            "(the image's redis-cli run on the host). `npm run up` is run as typed (`STACK=<bench stack> npm run up`: scripts/up.sh, " +
            "so setup, stack select, `pulumi up`, stack output); the runs alternate.\n",
    );
    say(
        markdownTable(
            ["method", "time: median (min-max)", "of by hand"],
            [
                ["by hand: `docker run` x7 + `redis-cli --cluster create`", formatMs(h), "1.00x"],
                ["(of which `redis-cli --cluster create` to ok)", formatMs(hf), ""],
                ["`npm run up`", formatMs(n), `${ratio(n, h).toFixed(2)}x`],
                [`\`pulumi ${CLI_UP_ARGS.join(" ")}\` alone`, formatMs(c), `${ratio(c, h).toFixed(2)}x`],
            ],
        ),
    );
    say(`\n${verdict(ratio(n, h) <= 1.5, "target `npm run up` at most 1.5x by hand")} (${ratio(n, h).toFixed(2)}x).`);
}

async function noopSection(): Promise<void> {
    const bench = await openStack(3, IMAGE);
    const empty = await openEmptyProgram(bench.backendDir);
    const samples = { stackCli: [] as number[], emptyCli: [] as number[], stackApi: [] as number[], emptyApi: [] as number[] };
    const stackCliNoop = async () => {
        const r = await run("pulumi", [...CLI_UP_ARGS, "--stack", bench.name], { cwd: PROJECT_DIR, env: bench.env });
        // The summary block: "Resources:" then one line per kind of change; a no-op has only "N unchanged".
        const summary = /\nResources:\n((?:[ \t]+\S.*\n)+)/.exec(r.stdout)?.[1] ?? "";
        if (
            !/unchanged/.test(summary) ||
            summary
                .trim()
                .split("\n")
                .some((l) => !/^\s*\d+ unchanged$/.test(l))
        ) {
            throw new Error(`no-op up changed resources:\n${r.stdout}`);
        }
        return r.ms;
    };
    try {
        await upOk(bench.stack);
        await stackCliNoop(); // warm-up, untimed
        await empty.timeCliUp();
        for (let i = 0; i < REPS; i++) {
            samples.stackCli.push(await stackCliNoop());
            samples.emptyCli.push(await empty.timeCliUp());
            samples.stackApi.push(await timeNoopUp(bench));
            samples.emptyApi.push(await empty.timeAutomationUp());
        }
    } finally {
        await empty.dispose();
        await bench.dispose();
    }
    const [sc, ec, sa, ea] = [
        summarize(samples.stackCli),
        summarize(samples.emptyCli),
        summarize(samples.stackApi),
        summarize(samples.emptyApi),
    ];
    heading("No-op `pulumi up` against an empty Pulumi program");
    say(
        "The default stack (6 cluster nodes + standalone, up to date) versus an empty TypeScript program (Pulumi.yaml and an `index.ts` " +
            "that declares and exports nothing, this project's node_modules by symlink) on the same CLI, language host, file backend and " +
            "environment (PULUMI_NODEJS_TRANSPILE_ONLY=true); the runs alternate.\n",
    );
    say(
        markdownTable(
            ["way", "stack no-op", "empty program", "difference"],
            [
                [`CLI: \`pulumi ${CLI_UP_ARGS.join(" ")}\``, formatMs(sc), formatMs(ec), `+${seconds(sc.median - ec.median)} s`],
                ["Automation API: `stack.up()`", formatMs(sa), formatMs(ea), `+${seconds(sa.median - ea.median)} s`],
            ],
        ),
    );
    say(
        `\n${verdict(sc.median - ec.median <= 1000, "target stack no-op at most the empty program + 1.00 s")} with the CLI, what users type ` +
            `(+${seconds(sc.median - ec.median)} s; Automation API +${seconds(sa.median - ea.median)} s).`,
    );
}

/** `type::name` of a URN, without the parent types. */
const shortUrn = (urn: string) => {
    const [types, name] = urn.split("::").slice(-2);
    return `${types.split("$").pop()}::${name}`;
};

async function stateSection(): Promise<void> {
    const bench = await openStack(3, IMAGE);
    let exported: string;
    try {
        await upOk(bench.stack);
        exported = (await run("pulumi", ["stack", "export", "--stack", bench.name], { cwd: PROJECT_DIR, env: bench.env })).stdout;
    } finally {
        await bench.dispose();
    }
    const size = analyzeStateExport(exported);
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    heading("State of the default stack after `up`");
    say(
        markdownTable(
            ["measure", "size"],
            [
                [`\`pulumi stack export \\| wc -c\` (${size.resources} resources)`, `${size.bytes} bytes (${kb(size.bytes)})`],
                [`largest resource: \`${shortUrn(size.largest.urn)}\``, kb(size.largest.bytes)],
                [
                    `\`__provider\` strings (serialized provider code, ${size.providerStrings} of them)`,
                    `${kb(size.providerBytes)} (${((100 * size.providerBytes) / size.bytes).toFixed(0)}% of the state)`,
                ],
                [
                    "Pulumi's bookkeeping: the export without any resource's inputs and outputs (URNs, parents, dependencies, timestamps...)",
                    `${kb(size.bookkeepingBytes)}, of which stack traces ${kb(size.stackTraceBytes)}`,
                ],
                ...size.dataByType.map((t) => [`inputs and outputs of ${t.count} \`${t.type}\``, kb(t.bytes)]),
            ],
        ),
    );
    say(`\n${verdict(size.bytes <= 60 * 1024, "target at most 60 KB")} (KB = 1024 bytes).`);
}

async function scale60Section(): Promise<void> {
    const small = await openStack(10, IMAGE);
    const big = await openStack(30, IMAGE);
    const up20: number[] = [];
    const up60: number[] = [];
    const grow: number[] = [];
    const touchedCounts: number[] = [];
    let existing = 0;
    const notes: string[] = [];
    const containers = async () => {
        const state = (await small.stack.exportStack()).deployment as {
            resources?: { urn: string; type: string; outputs?: { containerId?: string } }[];
        };
        return new Map(
            (state.resources ?? []).filter((r) => r.type.endsWith("EngineContainer")).map((r) => [r.urn, r.outputs?.containerId ?? ""]),
        );
    };
    try {
        for (let i = 0; i < REPS; i++) {
            await small.setMasters(10);
            up20.push(await timeUpFromNothing(small));
            // 20 -> 22 nodes: one more master with its replica (node counts are multiples of the masters).
            const before = await containers();
            await small.setMasters(11);
            const log = stepLog();
            const started = Date.now();
            const result = await upOk(small.stack, log.onEvent);
            await waitStackUsable(small.masters);
            grow.push(Date.now() - started);
            const after = await containers();
            existing = before.size;
            const hit = touched(log.steps, before.keys());
            const recreated = [...before].filter(([urn, id]) => after.has(urn) && after.get(urn) !== id).map(([urn]) => urn);
            // Group the touched containers by what happened to them: "update: cluster-node-0, cluster-node-1, ...".
            const byWhat = new Map<string, string[]>();
            for (const t of hit) byWhat.set(t.ops.join("+"), [...(byWhat.get(t.ops.join("+")) ?? []), t.urn.split("::").pop() ?? t.urn]);
            if (recreated.length > 0)
                byWhat.set(
                    "new container id",
                    recreated.map((u) => u.split("::").pop() ?? u),
                );
            touchedCounts.push(new Set([...hit.map((t) => t.urn), ...recreated]).size);
            if (i === 0)
                notes.push(`resource changes of the first 20 -> 22 \`up\`: ${JSON.stringify(result.summary.resourceChanges ?? {})}`);
            if (byWhat.size > 0)
                notes.push(
                    `run ${i + 1}: ${[...byWhat].map(([what, names]) => `${what} ${names.length}: ${names.sort((a, b) => a.localeCompare(b, "en", { numeric: true })).join(", ")}`).join("; ")}`,
                );
            await timeDestroy(small);
            up60.push(await timeUpFromNothing(big));
            await timeDestroy(big);
        }
    } finally {
        await small.dispose();
        await big.dispose();
    }
    const [s, b, g] = [summarize(up20), summarize(up60), summarize(grow)];
    const worstTouched = Math.max(...touchedCounts);
    heading("Scale: 60 nodes against 20, and adding nodes");
    say(
        "`up` from nothing (Automation API) of 10 masters + 10 replicas and of 30 masters + 30 replicas, alternating; then, on the 20-node stack, " +
            "`up` after raising masters from 10 to 11 (20 -> 22 nodes: with one replica per master, node counts are multiples of the masters), " +
            "counting the existing containers the engine updated, replaced or deleted (per-resource step events) or whose container id changed.\n",
    );
    say(
        markdownTable(
            ["operation", "time: median (min-max)", "target"],
            [
                ["`up` from nothing, 20 nodes", formatMs(s), ""],
                [
                    "`up` from nothing, 60 nodes",
                    formatMs(b),
                    `${verdict(ratio(b, s) <= 3, "at most 3x the 20-node up")} (${ratio(b, s).toFixed(2)}x)`,
                ],
                [
                    "`up` 20 -> 22 nodes",
                    formatMs(g),
                    `${verdict(worstTouched === 0, "no existing container updated")} (${worstTouched} of ${existing} touched, worst run)`,
                ],
            ],
        ),
    );
    if (notes.length > 0) say("\n" + notes.map((n) => `- ${n}`).join("\n"));
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
    heading("Stack through the Pulumi engine (Automation API, `engine` runtime, 6 cluster nodes + standalone)");
    say(
        markdownTable(
            ["operation", "time: median (min-max)", "target"],
            [
                ["`up` from nothing to a usable cluster and standalone node", formatMs(u), verdict(u.median < 15000, "under 15 s")],
                ["no-op `up`", formatMs(n), verdict(n.median < 5000, "under 5 s")],
                ["`destroy`", formatMs(d), ""],
            ],
        ),
    );
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
            perNode.push(
                `${base.nodes}->${nodes} nodes: formation +${((form.median - base.form) / extra).toFixed(0)} ms/node, up +${((up.median - base.up) / extra).toFixed(0)} ms/node`,
            );
        }
        base = { nodes, form: form.median, up: up.median };
    }
    heading("Scale (one replica per master)");
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
                failures.push(`cycle ${cycles}: ${messageOf(err).split("\n")[0]}`);
            }
            await timeDestroy(bench);
        }
    } finally {
        await bench.dispose();
    }
    heading("Reliability of forming");
    say(
        `${cycles} consecutive \`up\`/\`destroy\` cycles (limit: ${RELIABILITY_CYCLES} cycles or ${RELIABILITY_SECONDS} s, whichever came first; took ${seconds(Date.now() - started)} s): ` +
            `${failures.length} did not reach a healthy cluster. ${verdict(failures.length === 0, "target none")}`,
    );
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
                rows.push([
                    `P=${pipeline}`,
                    r.target.name,
                    formatRate(r.set),
                    `${(fracSet * 100).toFixed(0)}%`,
                    formatRate(r.get),
                    `${(fracGet * 100).toFixed(0)}%`,
                ]);
            }
        }
    } finally {
        await rig.dispose();
    }
    heading("Data path (redis-benchmark, 50 clients, no persistence, same redis binary)");
    say(markdownTable(["pipeline", "server reached as", "SET", "of bare", "GET", "of bare"], rows));
    say(
        `\nDefault mode (bridge, through the announced gateway address) at worst ${(defaultWorst * 100).toFixed(0)}% of bare. ${verdict(defaultWorst >= 0.9, "target 90% or better")}`,
    );
}

async function kubernetesSection(): Promise<void> {
    const bins = extractImage(IMAGE);
    let r: Awaited<ReturnType<typeof measureKubernetes>>;
    try {
        r = await measureKubernetes(REPS, IMAGE, bins);
    } finally {
        bins.dispose();
    }
    const p = r.podDeleted;
    const podTarget = r.clusterNodeTimeoutMs + 5000;
    heading("Kubernetes runtime on the local single-node Kubernetes against the same pods by hand (6 cluster nodes + standalone)");
    say(
        "In one run with the cluster started once" +
            (r.clusterStartMs !== undefined ? ` (\`scripts/k8s/up.sh\` ${seconds(r.clusterStartMs)} s, everything built)` : "") +
            ", alternating; each from its first command until every node reports `cluster_state:ok` with all slots, every replica's link is up " +
            "and the standalone node answers (the same check, at the Services' ClusterIPs, for both). By hand: the runtime's own objects " +
            "(scripts/bench/kubernetes.ts renders them with components/runtime/kubernetes/manifests.ts: namespace, Secrets, ConfigMaps, " +
            "PodDisruptionBudgets, claims, Services) with `kubectl apply`, the ClusterIPs read back with `kubectl get services`, the 7 " +
            "one-replica StatefulSets with `kubectl apply`, wait until every node answers, then `redis-cli --cluster create <ClusterIP:port> x6 " +
            "--cluster-replicas 1 --cluster-yes` (the image's redis-cli run on this machine). `pulumi up`: a kubernetes-runtime stack " +
            "(Automation API, no password) from nothing.\n",
    );
    say(
        markdownTable(
            ["method", "time: median (min-max)", "of by hand"],
            [
                ["by hand: `kubectl apply` x2 + `redis-cli --cluster create`", formatMs(r.byHand), "1.00x"],
                ["(of which `redis-cli --cluster create` to ok)", formatMs(r.byHandFormation), ""],
                ["`pulumi up` from nothing", formatMs(r.up), `${ratio(r.up, r.byHand).toFixed(2)}x`],
                ["`pulumi destroy` (namespace gone)", formatMs(r.destroy), ""],
                ["by hand: `kubectl delete namespace` (gone; not in the by-hand time)", formatMs(r.handCleanup), ""],
            ],
        ),
    );
    say(`\n${verdict(r.up.median <= 30000, "target `up` from nothing to cluster ok at most 30 s")} (${seconds(r.up.median)} s).`);
    say(
        `\nMaster's pod deleted (node-0, after the last \`up\`; no \`up\`), once: the new pod answers at its Service with its node id ` +
            `${seconds(p.answers)} s; every node reports \`cluster_state:ok\` ${seconds(p.clusterOk)} s; every replica linked too ` +
            `${seconds(p.healthy)} s (${p.failedOver ? "its replica had taken over" : "it came back as the master it was"}). ` +
            `${verdict(p.clusterOk <= podTarget, `target within cluster-node-timeout + 5 s (${seconds(podTarget)} s)`)}.`,
    );
}

async function reshardSection(): Promise<void> {
    const data = { keys: RESHARD_KEYS, valueBytes: RESHARD_VALUE_BYTES };
    const bins = extractImage(IMAGE);
    const results: { variant: ReshardVariant; r: Awaited<ReturnType<typeof measureReshard>> }[] = [];
    try {
        for (const variant of RESHARD_VARIANTS_RUN) results.push({ variant, r: await measureReshard(REPS, IMAGE, bins, data, variant) });
    } finally {
        bins.dispose();
    }
    const megabytes = ((data.keys * data.valueBytes) / 1e6).toFixed(0);
    const describe = (v: ReshardVariant) =>
        `${v.replicas === 0 ? "no replicas" : `${v.replicas} replica per master`}${v.writer ? ", a client writing" : ", idle"}`;
    const writes = (s: ReshardSummary) =>
        s.writes
            ? `${s.writes.acknowledged} / ${s.writes.failed} / **${s.writes.lost}** (${formatPerSecond(s.writes.perSecond, "writes", 0)})`
            : "-";
    const row = (variant: ReshardVariant, method: string, s: ReshardSummary, of: string) => [
        describe(variant),
        method,
        formatMs(s.step),
        `${Math.round(s.keysMoved.median)} (new master ${(s.newShare.median * 100).toFixed(1)}% of all keys)`,
        formatPerSecond(s.keysPerSecond, "keys", 0),
        formatPerSecond(s.megabytesPerSecond, "MB", 1),
        writes(s),
        of,
    ];
    /** One figure of both methods per variant, in words: "1.2 s (ours) and 3.4 s (by hand) <variant>, ...". */
    const bothMedians = (pick: (s: ReshardSummary) => Summary) =>
        results
            .map(
                ({ variant, r }) =>
                    `${seconds(pick(r["redis-stack"]).median)} s (ours) and ${seconds(pick(r["redis-cli"]).median)} s (by hand) ${describe(variant)}`,
            )
            .join(", ");
    heading(`Resharding 3 -> 4 masters holding ${data.keys} keys of ${data.valueBytes} bytes, against redis-cli`);
    say(
        `Each method on its own 3-master cluster (same image and Redis arguments, AOF on), loaded with the same ` +
            `${data.keys} keys \`k:<n>\` over every slot, values of ${data.valueBytes} pseudo-random bytes (${megabytes} MB of values), ` +
            "written with per-node ioredis pipelines of about 1000 commands; once no node is rewriting its AOF and every replica has " +
            "applied its master's stream, only the step to 4 masters is timed. Ours: masters = 4 in the stack's config, then " +
            "`stack.up()` (Automation API, `engine` runtime; its layout moves replicas: node 3, a replica of node 0, becomes the new " +
            "master and the replicas after it are re-pointed, each with a full sync). By hand: `docker run` of the new master (and its " +
            "replica), wait until they answer, `redis-cli --cluster add-node <new> <existing>`, wait until every node knows it (add-node " +
            "returns before the handshake, and a rebalance before it moves nothing), with replicas `redis-cli --cluster add-node <replica> " +
            "<existing> --cluster-slave --cluster-master-id <new master>` and the same wait, `redis-cli --cluster rebalance <existing> " +
            "--cluster-use-empty-masters` (default pipeline; the image's redis-cli run on the host), and until every replica is linked " +
            "(where our `up` ends too). With a writer: an ioredis cluster client, 4 loops each writing a new key at a time, from just " +
            "before the step to its end; afterwards every acknowledged key is read back (lost = acknowledged but missing or wrong). " +
            "After both: every node reports `cluster_state:ok` with all 16384 slots and every replica linked, DBSIZE over the 4 " +
            "masters adds up to the keys loaded (and written), the new master holds more than 15% of them. Keys moved: the keys of " +
            "every slot whose owner changed. The methods alternate, one at a time, each torn down before the next.\n",
    );
    say(
        markdownTable(
            [
                "variant",
                "method",
                "3 -> 4 step: median (min-max)",
                "keys moved (median)",
                "keys/s",
                "MB/s",
                "writes during the step: acknowledged / failed / lost",
                "of redis-cli",
            ],
            results.flatMap(({ variant, r }) => [
                row(variant, "by hand: `redis-cli --cluster add-node` + `rebalance --cluster-use-empty-masters`", r["redis-cli"], "1.00x"),
                row(
                    variant,
                    "redis-stack: masters 3 -> 4, `stack.up()`",
                    r["redis-stack"],
                    `${ratio(r["redis-stack"].step, r["redis-cli"].step).toFixed(2)}x`,
                ),
            ]),
        ),
    );
    say(
        `\nMB/s counts value bytes only (keys moved x ${data.valueBytes} bytes; MB = 10^6 bytes), not key names or the protocol. ` +
            "Failed writes are ones the client saw fail (unavailability, not loss). Every node reported `cluster_state:ok` " +
            bothMedians((s) => s.settled) +
            " after the step ended (median, not in the times). Loading, not compared: " +
            bothMedians((s) => s.load) +
            ".",
    );
    for (const { variant, r } of results) {
        const x = ratio(r["redis-stack"].step, r["redis-cli"].step);
        say(`\n${describe(variant)}: ${verdict(x <= 0.5, "target at most 0.5x redis-cli's time")} (${x.toFixed(2)}x).`);
        const w = r["redis-stack"].writes;
        if (w) say(`${describe(variant)}: ${verdict(w.lost === 0, "no acknowledged write lost (ours)")} (${w.lost} of ${w.acknowledged}).`);
    }
}

async function backupSection(): Promise<void> {
    const bins = extractImage(IMAGE);
    const rows: string[][] = [];
    const lines: string[] = [];
    try {
        for (const keys of BACKUP_KEYS) {
            const { summaries, restore, loadMs } = await measureBackup(REPS, IMAGE, bins, { keys, valueBytes: RESHARD_VALUE_BYTES });
            const methods: [BackupMethod, string][] = [
                ["redis-cli --rdb", "by hand: `redis-cli --rdb` per master, one after another, then the standalone node"],
                ["takeBackup", "redis-stack: `npm run backup`'s takeBackup, every master at once"],
            ];
            for (const [method, label] of methods) {
                const s = summaries[method];
                rows.push([
                    String(keys),
                    label,
                    formatMs(s.ms),
                    `${(s.bytes / 1e6).toFixed(0)} MB`,
                    formatPerSecond(s.megabytesPerSecond, "MB", 1),
                    `${ratio(s.ms, summaries["redis-cli --rdb"].ms).toFixed(2)}x`,
                ]);
            }
            lines.push(
                `${keys} keys: loaded in ${seconds(loadMs)} s (not compared); restored (as restoreFrom does) into an empty ` +
                    `4-master cluster: ${formatMs(restore.ms)}, ${formatPerSecond(restore.keysPerSecond, "keys", 0)} (${restore.keys} keys with the standalone node's).`,
            );
        }
    } finally {
        bins.dispose();
    }
    heading("A backup of 3 masters holding data (and the standalone node), against redis-cli --rdb");
    say(
        `One 3-master cluster per size (no replicas, AOF on) loaded with keys \`k:<n>\` over every slot, values of ${RESHARD_VALUE_BYTES} ` +
            "pseudo-random bytes, and the standalone node with a tenth as many; then the two methods alternate on the same nodes. " +
            "Both take each node's RDB as a replica's full resynchronisation over the network to a file on this machine.\n",
    );
    say(markdownTable(["keys", "method", "time: median (min-max)", "RDB bytes", "MB/s", "of redis-cli"], rows));
    say(`\n${lines.join(" ")}`);
}

async function main(): Promise<void> {
    const out = path.resolve(process.env.BENCH_OUT ?? path.join(__dirname, "../../docs/BENCHMARKS.md"));
    const existing = () => (fs.existsSync(out) ? fs.readFileSync(out, "utf8") : undefined);
    // Refused now, not after an hour of measuring: a file the report could only be written over whole.
    withGeneratedReport(existing(), "", out);
    const redisVersion = execFileSync("docker", ["run", "--rm", "--network", "none", IMAGE, "redis-server", "--version"], {
        encoding: "utf8",
    }).trim();
    const pulumiVersion = execFileSync("pulumi", ["version"], { encoding: "utf8" }).trim();
    say(
        `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}. ` +
            `Run on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`npm run bench\`; each figure is the median (min-max) of n runs.\n` +
            `Image ${IMAGE} (${redisVersion.split(" ").slice(0, 3).join(" ")}), Pulumi ${pulumiVersion}.`,
    );
    const unknown = [...SECTIONS].filter((name) => !ALL_SECTIONS.includes(name) && !OPT_IN_SECTIONS.includes(name));
    if (unknown.length > 0)
        throw new Error(`BENCH_SECTIONS: unknown ${unknown.join(", ")}; allowed: ${[...ALL_SECTIONS, ...OPT_IN_SECTIONS].join(",")}`);
    const sections: Record<string, () => Promise<void>> = {
        formation: formationSection,
        npmup: npmUpSection,
        noop: noopSection,
        state: stateSection,
        scale60: scale60Section,
        stack: stackSection,
        scale: scaleSection,
        reliability: reliabilitySection,
        datapath: dataPathSection,
        kubernetes: kubernetesSection,
        reshard: reshardSection,
        backup: backupSection,
    };
    for (const name of [...ALL_SECTIONS, ...OPT_IN_SECTIONS]) if (SECTIONS.has(name)) await sections[name]();
    fs.writeFileSync(out, withGeneratedReport(existing(), report.join("\n"), out));
    console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
