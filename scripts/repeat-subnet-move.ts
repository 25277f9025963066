// Repeats the e2e suite's hardest sequence on one stack of its own, as many rounds as asked: scale 3 -> 4
// masters, write keys, scale back 4 -> 3, then move the whole stack to the other of two subnets (every
// container replaced, nodes.conf holding the old addresses). Each round checks what the e2e test checks
// (same node ids, cluster ok, every key kept) and, before the move, that no node's nodes.conf holds an
// open-slot marker its live CLUSTER NODES does not show (the stale marker behind the BUSYKEY failure).
//
//   npx ts-node --transpile-only scripts/repeat-subnet-move.ts [rounds, default 10]
//
// Exits non-zero at the first failed round; always destroys its stack.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutputMap } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { PROJECT_DIR, openEngineStack } from "../test/support/automation";
import { waitClusterOk } from "../test/support/clusterState";
import { TEST_IMAGE } from "../test/support/fixture";

const ROUNDS = Number(process.argv[2] ?? 10);
const PASSWORD = `repeat-${Math.random().toString(36).slice(2)}-Secret`;
const SUBNETS = ["172.30.126.0/24", "172.30.127.0/24"];
const KEYS = 300;

interface NodeOutput {
    name: string;
    id: string;
    hostAddress: string;
}

const nodesOf = (outputs: OutputMap) => outputs.clusterNodes.value as NodeOutput[];
const seedsOf = (outputs: OutputMap) => outputs.clusterSeeds.value as string[];
const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });

/** Open-slot markers (`[slot->-id]`, `[slot-<-id]`) on a CLUSTER NODES / nodes.conf line. */
const markersOf = (line: string | undefined) => (line?.match(/\[[0-9]+-[<>]-[0-9a-f]+\]/g) ?? []).sort();

/** Nodes whose nodes.conf holds open-slot markers their live CLUSTER NODES does not (or the reverse). */
async function staleMarkers(nodes: readonly NodeOutput[]): Promise<string[]> {
    const found: string[] = [];
    for (const node of nodes) {
        const [host, port] = node.hostAddress.split(":");
        const client = new Redis({ host, port: Number(port), password: PASSWORD, lazyConnect: true });
        await client.connect();
        const live = markersOf(
            String(await client.call("CLUSTER", "NODES"))
                .split("\n")
                .find((l) => l.includes("myself")),
        );
        client.disconnect();
        // The image has no shell tools: copy the file out.
        const copy = path.join(os.tmpdir(), `${node.name}-nodes.conf`);
        execFileSync("docker", ["cp", `${node.name}:/data/nodes.conf`, copy]);
        const conf = fs.readFileSync(copy, "utf8");
        fs.rmSync(copy);
        const saved = markersOf(conf.split("\n").find((l) => l.includes("myself")));
        if (live.join() !== saved.join()) found.push(`${node.name}: nodes.conf ${saved.join(" ") || "-"}, live ${live.join(" ") || "-"}`);
    }
    return found;
}

async function main(): Promise<void> {
    const stackName = `repeat${Date.now().toString(36)}`;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-repeat-"));
    const stack = await openEngineStack(stackName, backendDir, "repeat-passphrase");
    const log = (line: string) => console.log(`[repeat] ${line}`);
    const up = async (what: string) => {
        const started = Date.now();
        const result = await stack.up();
        log(`${what}: ${Date.now() - started} ms`);
        return result.outputs;
    };
    try {
        await stack.setAllConfig({
            "redis-stack:runtime": { value: "engine" },
            "redis-stack:image": { value: TEST_IMAGE },
            "redis-stack:basePort": { value: "7940" },
            "redis-stack:standalonePort": { value: "6976" },
            "redis-stack:subnet": { value: SUBNETS[0] },
            "redis-stack:password": { value: PASSWORD, secret: true },
        });
        await up("up from nothing");
        for (let round = 1; round <= ROUNDS; round++) {
            await stack.setConfig("redis-stack:masters", { value: "4" });
            let outputs = await up(`round ${round}: 3 -> 4 masters`);
            const cluster = new Cluster(seedsOf(outputs).map(toAddress), { redisOptions: { password: PASSWORD } });
            for (let i = 0; i < KEYS; i++) await cluster.set(`round${round}:${i}`, String(i));
            cluster.disconnect();
            await stack.setConfig("redis-stack:masters", { value: "3" });
            outputs = await up(`round ${round}: 4 -> 3 masters`);
            const stale = await staleMarkers(nodesOf(outputs));
            if (stale.length > 0) log(`round ${round}: nodes.conf differs from the live view: ${stale.join("; ")}`);
            const ids = Object.fromEntries(nodesOf(outputs).map((n) => [n.name, n.id]));
            const subnet = SUBNETS[round % 2];
            await stack.setConfig("redis-stack:subnet", { value: subnet });
            outputs = await up(`round ${round}: move to ${subnet}`);
            const gateway = subnet.replace(/0\/24$/, "1:");
            if (!seedsOf(outputs).every((s) => s.startsWith(gateway)))
                throw new Error(`round ${round}: seeds ${seedsOf(outputs).join(",")}`);
            const after = Object.fromEntries(nodesOf(outputs).map((n) => [n.name, n.id]));
            if (JSON.stringify(after) !== JSON.stringify(ids)) throw new Error(`round ${round}: node ids changed`);
            await waitClusterOk(seedsOf(outputs), PASSWORD, 30000);
            const check = new Cluster(seedsOf(outputs).map(toAddress), { redisOptions: { password: PASSWORD } });
            try {
                for (let r = 1; r <= round; r++) {
                    for (let i = 0; i < KEYS; i++) {
                        const value = await check.get(`round${r}:${i}`);
                        if (value !== String(i)) throw new Error(`round ${round}: round${r}:${i} is ${value}`);
                    }
                }
            } finally {
                check.disconnect();
            }
            log(`round ${round}: passed (same ids, cluster ok, ${round * KEYS} keys kept)`);
        }
        log(`${ROUNDS} rounds passed in a row`);
    } finally {
        await stack.destroy().catch((err: Error) => log(`destroy failed: ${err.message}`));
        await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
        fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), { force: true });
        fs.rmSync(backendDir, { recursive: true, force: true });
    }
}

main().catch((err: Error) => {
    console.error(`[repeat] FAILED: ${err.message}`);
    process.exit(1);
});
