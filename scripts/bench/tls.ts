// TLS costs, each against its plain baseline in the same run (runs alternate, so drift on the machine
// affects both alike):
//   1. data path: redis-benchmark from the host against one standalone node that serves TLS on its
//      client port and plain text on its plain port (tlsPlainPort), both reached at the announced
//      gateway address: the same server, address and settings, only the protocol differs;
//   2. `up` from nothing to a usable stack through the Pulumi engine (Automation API, `engine`
//      runtime, 6 cluster nodes + standalone), `tls` false versus true.
// Usage: flock /tmp/redis-stack-docker.lock npx ts-node --transpile-only scripts/bench/tls.ts
// Settings (environment): BENCH_REPS (3), REDIS_STACK_TEST_IMAGE, BENCH_OUT (a file for the markdown).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Redis from "ioredis";
import { parseSettings } from "../../components/settings/config";
import { parseInfo } from "../../components/redis/clusterView";
import { authConfigFiles, containerCreateBody } from "../../components/runtime/containerSpec";
import {
    dockerClient,
    ensureContainer,
    ensureNetwork,
    ensureVolume,
    removeContainer,
    removeNetwork,
    removeVolume,
} from "../../components/runtime/dockerEngine";
import { issueCa, issueLeaf } from "../../components/tls/certificates";
import { dockerEndpoint } from "../../components/runtime/dockerPlacement";
import { NodeTls, nodeSubject, plainPortOf, tlsFiles } from "../../components/tls/nodeTls";
import { placedStack } from "../../test/support/placedStack";
import { extractImage } from "./imageBinaries";
import { redisBenchmark } from "./redisBenchmark";
import { BENCH_BASE_PORT, BENCH_STANDALONE_PORT, clusterPorts } from "./ports";
import { openStack, upOk, waitStackUsable } from "./stack";
import { formatMs, markdownTable, summarize } from "./stats";

const REPS = Number(process.env.BENCH_REPS ?? 3);
const IMAGE = process.env.REDIS_STACK_TEST_IMAGE ?? "redis-stack-local/redis:8";
const DAY = 24 * 3600 * 1000;

const lines: string[] = [];
const say = (text: string) => {
    lines.push(text);
    console.log(text);
};

/** Polls every 10 ms until every cluster port reports a healthy cluster over TLS and the standalone node answers. */
async function waitUsableTls(ports: readonly number[], standalonePort: number, tls: NodeTls, timeoutMs = 120000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const options = { host: "127.0.0.1", tls: { ca: tls.ca, cert: tls.cert, key: tls.key }, lazyConnect: true, retryStrategy: () => null };
    for (;;) {
        const clients = [...ports, standalonePort].map((port) => new Redis({ ...options, port }));
        clients.forEach((c) => c.on("error", () => undefined));
        try {
            await Promise.all(clients.map((c) => c.connect()));
            const healthy = await Promise.all(
                clients.slice(0, -1).map(async (c) => {
                    const info = parseInfo(String(await c.call("CLUSTER", "INFO")));
                    const replication = parseInfo(await c.info("replication"));
                    return (
                        info.cluster_state === "ok" &&
                        info.cluster_slots_ok === "16384" &&
                        (replication.role === "master" || replication.master_link_status === "up")
                    );
                }),
            );
            await clients[clients.length - 1].ping();
            if (healthy.every(Boolean)) return;
        } catch {
            // not yet
        } finally {
            clients.forEach((c) => c.disconnect());
        }
        if (Date.now() > deadline) throw new Error("the TLS stack did not become usable in time");
        await new Promise((r) => setTimeout(r, 10));
    }
}

async function dataPathSection(): Promise<void> {
    const settings = parseSettings({
        image: IMAGE,
        tls: "true",
        tlsPlainPort: "true",
        standalonePort: "6993",
        subnet: "172.30.143.0/24",
        appendOnly: "false",
        basePort: "7960",
    });
    const topology = placedStack(settings, "rs-bench-tls-dp");
    const node = topology.standalone;
    const ca = await issueCa("bench CA", { now: new Date(), validityMs: DAY });
    const times = { now: new Date(), validityMs: DAY };
    const server = await issueLeaf(ca, nodeSubject({ name: node.name, ...dockerEndpoint(node) }), times);
    const client = await issueLeaf(ca, { name: "bench-client", ips: [], dnsNames: [] }, times);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-bench-tls-"));
    fs.writeFileSync(path.join(dir, "ca.crt"), ca.cert);
    fs.writeFileSync(path.join(dir, "client.crt"), client.cert);
    fs.writeFileSync(path.join(dir, "client.key"), client.key, { mode: 0o600 });
    const docker = dockerClient();
    const bare = extractImage(IMAGE);
    const cleanup = async () => {
        await removeContainer(docker, node.name);
        await removeVolume(docker, node.volume);
        if (topology.network) await removeNetwork(docker, topology.network.name);
    };
    await cleanup();
    try {
        await ensureNetwork(docker, topology.network!);
        await ensureVolume(docker, node.volume, { ...node.volumeLabels });
        await ensureContainer(docker, containerCreateBody(node, topology), [
            ...authConfigFiles(undefined),
            ...tlsFiles({ ca: ca.cert, cert: server.cert, key: server.key }),
        ]);
        const plainPort = plainPortOf(node.clientPort, settings.busPortOffset);
        const host = node.announceHost;
        await waitUsableTls([], node.clientPort, { ca: ca.cert, cert: client.cert, key: client.key });
        const tlsArgs = [
            "--tls",
            "--cacert",
            path.join(dir, "ca.crt"),
            "--cert",
            path.join(dir, "client.crt"),
            "--key",
            path.join(dir, "client.key"),
        ];
        const benchmark = (port: number, tls: boolean, pipeline: number) =>
            redisBenchmark(bare.run("redis-benchmark"), { host, port }, pipeline, tls ? tlsArgs : []);
        const rows: string[][] = [];
        for (const pipeline of [1, 16]) {
            const samples = { plain: { set: [] as number[], get: [] as number[] }, tls: { set: [] as number[], get: [] as number[] } };
            for (let i = 0; i < REPS; i++) {
                for (const kind of ["plain", "tls"] as const) {
                    const r = benchmark(kind === "tls" ? node.clientPort : plainPort, kind === "tls", pipeline);
                    samples[kind].set.push(r.set);
                    samples[kind].get.push(r.get);
                }
            }
            for (const op of ["set", "get"] as const) {
                const plain = summarize(samples.plain[op]).median;
                const tls = summarize(samples.tls[op]).median;
                rows.push([
                    `${op.toUpperCase()}, pipeline ${pipeline}`,
                    `${Math.round(plain).toLocaleString("en")}/s`,
                    `${Math.round(tls).toLocaleString("en")}/s`,
                    `${(tls / plain).toFixed(2)}`,
                ]);
            }
        }
        say(
            `### TLS data path (redis-benchmark -c 50 from the host to ${host}, one server: TLS port ${node.clientPort} vs plain port ${plainPort}; median of ${REPS})\n`,
        );
        say(markdownTable(["test", "plain", "TLS", "TLS / plain"], rows));
    } finally {
        await cleanup();
        bare.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function upSection(): Promise<void> {
    const samples: Record<"plain" | "tls", number[]> = { plain: [], tls: [] };
    const bench = await openStack(3, IMAGE);
    try {
        for (let i = 0; i < REPS; i++) {
            for (const kind of ["plain", "tls"] as const) {
                await bench.stack.setConfig("redis-stack:tls", { value: kind === "tls" ? "true" : "false" });
                const started = Date.now();
                const result = await upOk(bench.stack);
                if (kind === "tls") {
                    const tls = {
                        ca: result.outputs.tlsCaCert.value as string,
                        cert: result.outputs.tlsClientCert.value as string,
                        key: result.outputs.tlsClientKey.value as string,
                    };
                    await waitUsableTls(clusterPorts(6), BENCH_STANDALONE_PORT, tls);
                } else {
                    await waitStackUsable(3); // the same finish line, without TLS
                }
                samples[kind].push(Date.now() - started);
                await bench.stack.destroy();
            }
        }
    } finally {
        await bench.dispose();
    }
    const [plain, tls] = [summarize(samples.plain), summarize(samples.tls)];
    say(
        `\n### \`up\` from nothing to a usable stack, TLS vs plain (Automation API, \`engine\` runtime, 6 cluster nodes + standalone, ports ${BENCH_BASE_PORT}..; ${REPS} alternating runs each)\n`,
    );
    say(
        markdownTable(
            ["stack", "time: median (min-max)", "TLS / plain"],
            [
                ["`tls` false", formatMs(plain), ""],
                [
                    "`tls` true (CA and 8 certificates issued, files into every container, formation over TLS)",
                    formatMs(tls),
                    (tls.median / plain.median).toFixed(2),
                ],
            ],
        ),
    );
}

async function main(): Promise<void> {
    say(`## TLS (issue 11), ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores\n`);
    await dataPathSection();
    await upSection();
    if (process.env.BENCH_OUT) fs.writeFileSync(process.env.BENCH_OUT, lines.join("\n") + "\n");
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
