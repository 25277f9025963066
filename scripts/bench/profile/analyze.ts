// Summaries for scripts/bench/profile.sh: where a `pulumi up` spends its time.
//   analyze.ts engine-log <file>       milestones of a `pulumi up --logtostderr --logflow -v=9` log
//   analyze.ts cpu <file.cpuprofile>... busy time per component of each node process
//   analyze.ts trace <file>            commands of a bash xtrace (PS4 with $EPOCHREALTIME) that took over 40 ms
import * as fs from "fs";

const ms = (s: number) => `${Math.round(s * 1000)}`.padStart(6) + " ms";

/** First log line matching each milestone, in order of time. */
const MILESTONES: [string, RegExp][] = [
    ["language host stopped after the metadata query", /Waiting for language runtime metadata/],
    ["program connected: registers the Stack", /RegisterResource received: t=pulumi:pulumi:Stack/],
    ["program's index.ts starts", /Running program /],
    ["first component registered (modules loaded, config read, preflight done)", /Registering resource: t=redis-stack:/],
    ["dynamic provider plugin answers", /Handshake: .*pulumi-resource-pulumi-nodejs/],
    ["first Check/Diff/Create of a dynamic resource", /Provider\[.*\]\.(Check|Diff|Create)\(.*dynamic/],
    ["program exits", /langhost\[nodejs\]\.Run\(.*success/],
];

function engineLog(file: string): void {
    const lines = fs
        .readFileSync(file, "utf8")
        .split("\n")
        .flatMap((l) => {
            try {
                const j = JSON.parse(l) as { time: string; msg?: string };
                // Nanosecond timestamps: Date.parse would drop everything under a millisecond.
                const [, whole, fraction] = /^(.*?)(\.\d+)?Z$/.exec(j.time) ?? [];
                return [{ t: Date.parse(`${whole}Z`) / 1000 + Number(`0${fraction ?? ""}`), msg: j.msg ?? "" }];
            } catch {
                return [];
            }
        });
    if (lines.length === 0) throw new Error(`${file}: no JSON log lines`);
    const t0 = lines[0].t;
    const found = MILESTONES.flatMap(([name, re]) => {
        const hit = lines.find((l) => re.test(l.msg));
        return hit ? [{ name, t: hit.t }] : [];
    });
    const lastDynamic = [...lines].reverse().find((l) => /Provider\[.*\]\.(Check|Diff|Create|Update)\(.*dynamic.*success/.test(l.msg));
    if (lastDynamic) found.push({ name: "last dynamic-resource call done", t: lastDynamic.t });
    found.push({ name: "end of log", t: lines[lines.length - 1].t });
    found.sort((a, b) => a.t - b.t);
    let prev = t0;
    console.log(`engine log ${file}: ${ms(lines[lines.length - 1].t - t0)} from the CLI's first line`);
    for (const m of found) {
        console.log(`  at ${ms(m.t - t0)} (+${ms(m.t - prev).trim()})  ${m.name}`);
        prev = m.t;
    }
}

interface CpuProfile {
    nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
}

/** A sample counts for a component when any frame on its stack matches (so components overlap). */
const COMPONENTS: [string, (f: { functionName: string; url: string }) => boolean][] = [
    ["module loading (require, compile)", (f) => f.functionName === "Module._load"],
    ["TypeScript (ts-node, typescript, swc)", (f) => /ts-node|\/typescript\/|@swc/.test(f.url)],
    ["closure serialization (@pulumi/pulumi runtime/closure)", (f) => f.url.includes("runtime/closure/")],
    ["this project's code (index.ts, components/)", (f) => /\/(index\.ts|components\/)/.test(f.url) && !f.url.includes("node_modules")],
    ["preflightHost", (f) => f.functionName === "preflightHost"],
    ["gRPC and protobuf", (f) => /@grpc|google-protobuf/.test(f.url)],
];

function cpu(files: string[]): void {
    for (const file of files) {
        const p = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
        const byId = new Map(p.nodes.map((n) => [n.id, n]));
        const parent = new Map<number, number>();
        for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
        const totals = new Map(COMPONENTS.map(([name]) => [name, 0]));
        let busy = 0;
        p.samples.forEach((id, i) => {
            const dt = p.timeDeltas[i] ?? 0;
            if (byId.get(id)?.callFrame.functionName === "(idle)") return;
            busy += dt;
            const hit = new Set<string>();
            for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
                const frame = byId.get(cur)?.callFrame;
                if (frame) for (const [name, match] of COMPONENTS) if (match(frame)) hit.add(name);
            }
            for (const name of hit) totals.set(name, (totals.get(name) ?? 0) + dt);
        });
        console.log(`cpu ${file}: ${ms((p.endTime - p.startTime) / 1e6)} profiled, ${ms(busy / 1e6).trim()} busy`);
        for (const [name, us] of totals) if (us > 0) console.log(`  ${ms(us / 1e6)}  ${name}`);
    }
}

function trace(file: string): void {
    const lines = fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => /^\++ \d+\.\d+ /.test(l));
    const time = (l: string) => Number(l.split(" ")[1]);
    console.log(
        `trace ${file}: ${ms(time(lines[lines.length - 1]) - time(lines[0]))} from the first traced command to the start of the last`,
    );
    for (let i = 0; i + 1 < lines.length; i++) {
        const took = time(lines[i + 1]) - time(lines[i]);
        if (took > 0.04) console.log(`  ${ms(took)}  ${lines[i].replace(/^\++ \S+ /, "").slice(0, 140)}`);
    }
}

const [mode, ...files] = process.argv.slice(2);
if (mode === "engine-log") engineLog(files[0]);
else if (mode === "cpu") cpu(files);
else if (mode === "trace") trace(files[0]);
else throw new Error("usage: analyze.ts engine-log <file> | cpu <files...> | trace <file>");
