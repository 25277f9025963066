// Turning TLS on for a running stack through the Pulumi engine, with a writer: every node restarts at
// once (the cluster bus cannot mix TLS and plain text), keeps its cluster identity and its data, and
// no acknowledged write is lost (counted by test/support/writer.ts, read back over TLS afterwards).
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { parseInfo } from "../../components/redis/clusterView";
import { STACK_LABEL } from "../../components/topology";
import { PROJECT_DIR, openEngineStack } from "../support/automation";
import { TEST_IMAGE } from "../support/fixture";
import { ClusterWriter } from "../support/writer";

const PASSWORD = `switch-${Math.random().toString(36).slice(2)}-Secret`;

function docker(...args: string[]): string {
    return execFileSync("docker", args, { encoding: "utf8" }).trim();
}

function labelled(kind: "ps" | "network" | "volume", label: string): string[] {
    const args =
        kind === "ps"
            ? ["ps", "-a", "--filter", `label=${label}`, "--format", "{{.Names}}"]
            : [kind, "ls", "--filter", `label=${label}`, "--format", "{{.Name}}"];
    return docker(...args)
        .split("\n")
        .filter((l) => l !== "");
}

interface NodeOutput {
    name: string;
    id: string;
    role: string;
}

describe("switching a running stack to TLS through the Pulumi engine", function () {
    const stackName = `tlssw${Date.now().toString(36)}`;
    const prefix = `redis-stack-${stackName}`;
    const label = `${STACK_LABEL}=${prefix}`;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-tlssw-"));
    let stack: Stack;
    let outputs: OutputMap;

    const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });

    before(async function () {
        stack = await openEngineStack(stackName, backendDir, "tlssw-passphrase");
        await stack.setAllConfig({
            "redis-stack:runtime": { value: "engine" },
            "redis-stack:image": { value: TEST_IMAGE },
            "redis-stack:basePort": { value: "8300" },
            "redis-stack:standalonePort": { value: "6699" },
            "redis-stack:subnet": { value: "172.30.142.0/24" },
            "redis-stack:password": { value: PASSWORD, secret: true },
        });
        const result = await stack.up();
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    });

    after(async function () {
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(stackName).catch(() => undefined);
        }
        fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), { force: true });
        fs.rmSync(backendDir, { recursive: true, force: true });
        for (const c of labelled("ps", label)) docker("rm", "-f", c);
        for (const v of labelled("volume", label)) docker("volume", "rm", "-f", v);
        for (const n of labelled("network", label)) docker("network", "rm", n);
    });

    it("plain -> TLS with a writer: a plain up, every node keeps its id and data, 0 acknowledged writes lost", async () => {
        const before = outputs.clusterNodes.value as NodeOutput[];
        const seeds = (outputs.clusterSeeds.value as string[]).map(toAddress);
        const plain = new Cluster(seeds, { redisOptions: { password: PASSWORD } });
        const writer = new ClusterWriter(plain, "switch");
        // Writes acknowledged before the switch starts, so there is something to lose.
        const deadline = Date.now() + 30000;
        while (Number((await plain.get("switch:0:50")) ?? -1) !== 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

        await stack.setConfig("redis-stack:tls", { value: "true" });
        const started = Date.now();
        const up = await stack.up();
        const tookMs = Date.now() - started;
        assert.equal(up.summary.result, "succeeded");
        outputs = up.outputs;
        // The plain client cannot reach TLS-only ports: its pending writes fail (never acknowledged).
        plain.disconnect();
        const tls = {
            ca: outputs.tlsCaCert.value as string,
            cert: outputs.tlsClientCert.value as string,
            key: outputs.tlsClientKey.value as string,
        };
        const reader = new Cluster((outputs.clusterTlsSeeds.value as string[]).map(toAddress), {
            redisOptions: { password: PASSWORD, tls },
        });
        let report;
        try {
            report = await writer.stopAndVerify(reader);
        } finally {
            reader.disconnect();
        }
        console.log(`      switch to TLS took ${tookMs} ms; writer: ${JSON.stringify(report)}`);
        assert.ok(report.acknowledged > 50, "the writer wrote before the switch");
        assert.equal(report.lost, 0, "no acknowledged write was lost");

        const after = outputs.clusterNodes.value as NodeOutput[];
        for (const node of before)
            assert.equal(after.find((n) => n.name === node.name)?.id, node.id, `${node.name} kept its cluster identity`);
        for (const seed of outputs.clusterTlsSeeds.value as string[]) {
            const client = new Redis({ ...toAddress(seed), password: PASSWORD, tls });
            try {
                assert.equal(parseInfo(String(await client.call("CLUSTER", "INFO"))).cluster_state, "ok", seed);
            } finally {
                client.disconnect();
            }
        }
        const preview = await stack.preview();
        assert.deepEqual(
            Object.entries(preview.changeSummary ?? {}).filter(([op, n]) => op !== "same" && n > 0),
            [],
            "a preview after the switch reports no changes",
        );
    });
});
