// npm run soak: a chaos soak. A stack of its own comes up through the project's `up`; two writers run
// through ioredis for the whole time, one with plain SETs and one that confirms each SET with WAIT 1;
// every SOAK_KILL_INTERVAL_SECONDS a random cluster node (master or replica) is killed with SIGKILL
// (`docker kill`) and the project's `up` heals it. At the end every acknowledged write is read back:
// the acknowledged writes lost, plain and WAIT-confirmed, are the result. The cluster must end ok with
// every node back. Prints a summary and a markdown block for docs/BENCHMARKS.md; destroys its stack.
//
// Settings (environment): SOAK_SECONDS (default 180): how long the chaos runs; SOAK_KILL_INTERVAL_SECONDS
// (default 20): time between kills (each counted from the end of the previous heal).
import Dockerode from "dockerode";
import Redis, { Cluster } from "ioredis";
import { messageOf } from "../components/common/errorMessage";
import { KIND_LABEL, STACK_LABEL } from "../components/runtime/dockerPlacement";
import { waitClusterOk } from "../test/support/clusterState";
import { ScriptStack } from "../test/support/projectScripts";

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const KILL_INTERVAL_MS = Number(process.env.SOAK_KILL_INTERVAL_SECONDS ?? 20) * 1000;
const PASSWORD = `soak-${Math.random().toString(36).slice(2)}-Secret`;
/** How long WAIT may block for the replica's acknowledgement. */
const WAIT_TIMEOUT_MS = 1000;

interface WriterCounts {
    attempted: number;
    acknowledged: string[];
    /** WAIT mode only: SET acknowledged, but no replica confirmed it in time (not counted as acknowledged). */
    unconfirmed: number;
    failed: number;
}

/** Writes `${prefix}:<n>` = n until stopped; with `wait`, a write counts only once WAIT 1 confirms it. */
async function writeLoop(cluster: Cluster, prefix: string, wait: boolean, running: () => boolean, counts: WriterCounts): Promise<void> {
    for (let n = 0; running(); n++) {
        const key = `${prefix}:${n}`;
        counts.attempted++;
        try {
            if (wait) {
                // One pipeline, so WAIT goes to the node that took the SET (the key's slot).
                const replies = await cluster.pipeline().set(key, String(n)).call("WAIT", "1", String(WAIT_TIMEOUT_MS)).exec();
                const [[setErr, setReply], [waitErr, replicas]] = replies as [Error | null, unknown][];
                const failed = setErr ?? waitErr;
                if (failed) throw failed;
                if (setReply !== "OK") throw new Error(`SET answered ${String(setReply)}`);
                if (Number(replicas) >= 1) counts.acknowledged.push(key);
                else counts.unconfirmed++;
            } else if ((await cluster.set(key, String(n))) === "OK") {
                counts.acknowledged.push(key);
            }
        } catch {
            counts.failed++;
            await new Promise((r) => setTimeout(r, 20));
        }
    }
}

async function countLost(cluster: Cluster, keys: readonly string[]): Promise<number> {
    let lost = 0;
    for (let i = 0; i < keys.length; i += 500) {
        const batch = keys.slice(i, i + 500);
        const values = await Promise.all(batch.map((key) => cluster.get(key)));
        values.forEach((value, j) => {
            if (value !== batch[j].split(":").pop()) lost++;
        });
    }
    return lost;
}

async function main(): Promise<void> {
    const stack = new ScriptStack(`soak${Date.now().toString(36)}`, {
        basePort: 7980,
        standalonePort: 6398,
        subnet: "172.30.124.0/24",
        password: PASSWORD,
    });
    const docker = new Dockerode();
    const log = (line: string) => console.log(`[soak] ${line}`);
    try {
        await stack.init();
        log(`stack ${stack.name}: up through the project's scripts`);
        await stack.runScript("up");
        const seeds = (await stack.outputs()).clusterSeeds as string[];
        const clusterNodes = async () =>
            await docker.listContainers({
                all: true,
                filters: { label: [`${STACK_LABEL}=${stack.prefix}`, `${KIND_LABEL}=cluster-node`] },
            });

        const cluster = new Cluster(
            seeds.map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            { redisOptions: { password: PASSWORD } },
        );
        cluster.on("error", () => undefined); // while nodes are down; the writers count the failed commands
        const plain: WriterCounts = { attempted: 0, acknowledged: [], unconfirmed: 0, failed: 0 };
        const confirmed: WriterCounts = { attempted: 0, acknowledged: [], unconfirmed: 0, failed: 0 };
        let running = true;
        // Four loops of each kind; their keys spread over every shard.
        const writers = [
            ...["a", "b", "c", "d"].map((p) => writeLoop(cluster, `plain-${p}`, false, () => running, plain)),
            ...["a", "b", "c", "d"].map((p) => writeLoop(cluster, `wait-${p}`, true, () => running, confirmed)),
        ];

        const kills: string[] = [];
        const heals: number[] = [];
        /** Heals that failed: the next kill waits for a final up, and the soak fails at the end. */
        const healFailures: string[] = [];
        const started = Date.now();
        while (Date.now() - started < SOAK_SECONDS * 1000) {
            await new Promise((r) => setTimeout(r, Math.min(KILL_INTERVAL_MS, Math.max(0, SOAK_SECONDS * 1000 - (Date.now() - started)))));
            if (Date.now() - started >= SOAK_SECONDS * 1000) break;
            const nodes = (await clusterNodes()).filter((c) => c.State === "running");
            const victim = nodes[Math.floor(Math.random() * nodes.length)];
            const name = victim.Names[0].replace(/^\//, "");
            const role = await roleOf(victim);
            log(`killing ${name} (${role}) with SIGKILL`);
            await docker.getContainer(victim.Id).kill({ signal: "SIGKILL" });
            kills.push(`${name} (${role})`);
            const healStarted = Date.now();
            try {
                await stack.runScript("up");
                heals.push(Date.now() - healStarted);
                log(`project's up took ${heals[heals.length - 1]} ms`);
            } catch (err) {
                // Pulumi's diagnostics: every `error:` line but its closing "update failed".
                const message = messageOf(err);
                const errors = [...message.matchAll(/error: (.*)/g)].map((m) => m[1].trim()).filter((e) => e !== "update failed");
                const reason = [...new Set(errors)].join(" | ").slice(0, 1000) || message.slice(0, 1000);
                healFailures.push(`after killing ${name}: ${reason}`);
                log(`project's up FAILED after killing ${name}: ${reason}`);
            }
        }
        running = false;
        await Promise.all(writers);
        if (healFailures.length > 0) {
            log("a heal failed: one more project's up, as a user would run it");
            await stack.runScript("up");
        }

        // The end state: every node back and running, the cluster ok on every node.
        const finalNodes = await clusterNodes();
        const down = finalNodes.filter((c) => c.State !== "running").map((c) => c.Names[0]);
        await waitClusterOk(seeds, PASSWORD, 60000);
        const lostPlain = await countLost(cluster, plain.acknowledged);
        const lostConfirmed = await countLost(cluster, confirmed.acknowledged);
        cluster.disconnect();

        const seconds = Math.round((Date.now() - started) / 1000);
        const healMs = [...heals].sort((a, b) => a - b);
        const summary = [
            `soak of ${seconds} s, ${kills.length} nodes killed with SIGKILL (every ${KILL_INTERVAL_MS / 1000} s after the previous heal), each healed by the project's up`,
            `project's up after a kill: median ${healMs[Math.floor(healMs.length / 2)] ?? "-"} ms, max ${healMs[healMs.length - 1] ?? "-"} ms`,
            `plain SET: ${plain.attempted} attempted, ${plain.acknowledged.length} acknowledged, ${plain.failed} failed, ${lostPlain} acknowledged writes lost`,
            `SET + WAIT 1: ${confirmed.attempted} attempted, ${confirmed.acknowledged.length} confirmed, ${confirmed.unconfirmed} not confirmed by a replica within ${WAIT_TIMEOUT_MS} ms, ${confirmed.failed} failed, ${lostConfirmed} confirmed writes lost`,
            `end: ${finalNodes.length - down.length} of ${finalNodes.length} cluster nodes running, cluster_state:ok on every node`,
            ...healFailures.map((f) => `heal FAILED ${f}`),
        ];
        for (const line of summary) log(line);
        console.log(
            [
                "",
                `### Chaos soak (\`SOAK_SECONDS=${SOAK_SECONDS} npm run soak\`)`,
                "",
                "| measure | plain SET | SET + WAIT 1 |",
                "|---|---|---|",
                `| writes attempted | ${plain.attempted} | ${confirmed.attempted} |`,
                `| acknowledged (WAIT: confirmed by a replica) | ${plain.acknowledged.length} | ${confirmed.acknowledged.length} |`,
                `| failed (unavailable, never acknowledged) | ${plain.failed} | ${confirmed.failed + confirmed.unconfirmed} |`,
                `| **acknowledged writes lost** | **${lostPlain}** | **${lostConfirmed}** |`,
                "",
                `${seconds} s, ${kills.length} SIGKILLs of a random master or replica (${kills.join(", ")}); each healed by \`npm run up\`: median ${healMs[Math.floor(healMs.length / 2)] ?? "-"} ms, max ${healMs[healMs.length - 1] ?? "-"} ms; ${healFailures.length} heals failed${healFailures.length > 0 ? ` (${healFailures.join("; ")})` : ""}. End: every node running, cluster ok.`,
                "",
            ].join("\n"),
        );
        if (down.length > 0) throw new Error(`nodes not running at the end: ${down.join(", ")}`);
        if (lostConfirmed > 0) throw new Error(`${lostConfirmed} WAIT-confirmed writes were lost`);
        if (healFailures.length > 0) throw new Error(`${healFailures.length} heals failed: ${healFailures.join("; ")}`);
    } finally {
        log("destroying the soak stack");
        await stack.runScript("down").catch((err: Error) => log(`down failed: ${err.message}`));
        await stack.remove();
    }
}

/** The node's live role, asked on its loopback client port. */
async function roleOf(container: Dockerode.ContainerInfo): Promise<string> {
    const port = (container.Ports ?? []).find((p) => p.IP === "127.0.0.1")?.PublicPort;
    const client = new Redis({ host: "127.0.0.1", port, password: PASSWORD, lazyConnect: true, retryStrategy: () => null });
    client.on("error", () => undefined);
    try {
        await client.connect();
        return ((await client.call("ROLE")) as string[])[0] === "master" ? "master" : "replica";
    } catch {
        return "unknown";
    } finally {
        client.disconnect();
    }
}

main().catch((err: Error) => {
    console.error(`[soak] FAILED: ${err.message}`);
    process.exit(1);
});
