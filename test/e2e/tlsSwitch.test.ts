// Turning TLS on and off for a running stack through the Pulumi engine, with a writer: every cluster
// node switches live (CONFIG SET), then restarts with the switch in its command line one at a time,
// failover first (never more than one cluster node down, sampled with `docker ps`), keeps its cluster
// identity and its data, and no acknowledged write is lost (counted by test/support/writer.ts, read
// back in the new protocol afterwards).
import { strict as assert } from "assert";
import { X509Certificate } from "crypto";
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
import { issueLeaf } from "../../components/tls/certificates";
import { docker, labelled } from "../support/dockerCli";
import { RunningSampler, startedAt } from "../support/runningSampler";

const PASSWORD = `switch-${Math.random().toString(36).slice(2)}-Secret`;

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
    const pulumiEnv = () => ({ ...process.env, PULUMI_BACKEND_URL: `file://${backendDir}`, PULUMI_CONFIG_PASSPHRASE: "tlssw-passphrase" });
    const pulumiCli = (...args: string[]) =>
        execFileSync("pulumi", args, { cwd: PROJECT_DIR, encoding: "utf8", env: pulumiEnv(), maxBuffer: 64 * 1024 * 1024 });
    const clientTls = () => ({
        ca: outputs.tlsCaCert.value as string,
        cert: outputs.tlsClientCert.value as string,
        key: outputs.tlsClientKey.value as string,
    });
    /** The certificate a node's container serves (docker cp to stdout is a tar stream with one entry). */
    const servedCert = (container: string) => {
        const tar = execFileSync("docker", ["cp", `${container}:/etc/redis-stack-tls/node.crt`, "-"]);
        const size = parseInt(tar.subarray(124, 136).toString("ascii").replace(/\0/g, "").trim(), 8);
        return new X509Certificate(tar.subarray(512, 512 + size).toString("utf8"));
    };

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

    /** Runs `up` while sampling the cluster nodes' containers; asserts at most one was down at a time and each restarted in its own turn. */
    const rollingUp = async (what: string) => {
        const names = (outputs.clusterNodes.value as NodeOutput[]).map((n) => n.name);
        const startedBefore = startedAt(names);
        const sampler = new RunningSampler(label, names);
        const started = Date.now();
        let up;
        try {
            up = await stack.up();
        } finally {
            const running = await sampler.stop();
            console.log(`      ${what} took ${Date.now() - started} ms; cluster nodes running: ${JSON.stringify(running)}`);
            assert.ok(
                running.minRunning >= names.length - 1,
                `never more than one cluster node down (fewest running: ${running.minRunning})`,
            );
        }
        assert.equal(up.summary.result, "succeeded");
        const startedAfter = startedAt(names);
        for (const name of names)
            assert.ok(startedAfter.get(name)! > startedBefore.get(name)!, `${name} restarted with the switch in its command line`);
        assert.equal(new Set(startedAfter.values()).size, names.length, "each node restarted at its own time");
        return up;
    };

    it("plain -> TLS with a writer: a plain up, every node switches live and then restarts one at a time, keeps its id and data, 0 acknowledged writes lost", async () => {
        const before = outputs.clusterNodes.value as NodeOutput[];
        const seeds = (outputs.clusterSeeds.value as string[]).map(toAddress);
        // Fail fast instead of queueing: once the ports serve TLS this client can only fail (never acknowledge).
        const plain = new Cluster(seeds, {
            enableOfflineQueue: false,
            clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
            redisOptions: { password: PASSWORD, maxRetriesPerRequest: 1 },
        });
        plain.on("error", () => undefined);
        const writer = new ClusterWriter(plain, "switch");
        // Writes acknowledged before the switch starts, so there is something to lose.
        const deadline = Date.now() + 30000;
        while (Date.now() < deadline && Number((await plain.get("switch:0:50").catch(() => null)) ?? -1) !== 50)
            await new Promise((r) => setTimeout(r, 20));

        await stack.setConfig("redis-stack:tls", { value: "true" });
        const up = await rollingUp("switch to TLS");
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
        console.log(`      writer during the switch to TLS: ${JSON.stringify(report)}`);
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

    it("node certificates within the renewal window: a plain up issues new ones and rolls them one node at a time, failover first, 0 acknowledged writes lost", async () => {
        // Stand-in for time passing: the state's node certificates become ones that expire in 10 days
        // (inside the 30-day window), issued by the stack's own CA, through export and import.
        const deployment = JSON.parse(pulumiCli("stack", "export", "--show-secrets", "--stack", stackName)) as {
            deployment: { resources: { type: string; outputs: Record<string, unknown> }[] };
        };
        const certs = deployment.deployment.resources.find((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:TlsCertificates")!;
        const plaintext = (value: unknown) => JSON.parse((value as { plaintext: string }).plaintext) as unknown;
        const ca = { cert: certs.outputs.caCert as string, key: plaintext(certs.outputs.caKey) as string };
        const nodeCerts = certs.outputs.nodeCerts as Record<string, string>;
        const nodeKeys = plaintext(certs.outputs.nodeKeys) as Record<string, string>;
        const subjects = certs.outputs.nodes as { name: string; ips: string[]; dnsNames: string[] }[];
        const soon = { now: new Date(), validityMs: 10 * 24 * 3600 * 1000 };
        for (const subject of subjects) {
            const issued = await issueLeaf(ca, subject, soon);
            nodeCerts[subject.name] = issued.cert;
            nodeKeys[subject.name] = issued.key;
        }
        (certs.outputs.nodeKeys as { plaintext: string }).plaintext = JSON.stringify(nodeKeys);
        const file = path.join(backendDir, "expiring.json");
        fs.writeFileSync(file, JSON.stringify(deployment), { mode: 0o600 });
        pulumiCli("stack", "import", "--file", file, "--stack", stackName);
        fs.rmSync(file);

        const preview = await stack.preview();
        assert.ok((preview.changeSummary?.update ?? 0) >= 1, `the preview shows the renewal: ${JSON.stringify(preview.changeSummary)}`);

        const before = outputs.clusterNodes.value as NodeOutput[];
        const servedBefore = new Map(before.map((n) => [n.name, servedCert(n.name).serialNumber]));
        const cluster = new Cluster((outputs.clusterTlsSeeds.value as string[]).map(toAddress), {
            redisOptions: { password: PASSWORD, tls: clientTls() },
        });
        const writer = new ClusterWriter(cluster, "rotate");
        let report;
        try {
            const started = Date.now();
            const up = await stack.up();
            console.log(`      certificate rotation took ${Date.now() - started} ms`);
            assert.equal(up.summary.result, "succeeded");
            assert.equal(up.summary.resourceChanges?.replace ?? 0, 0, "nodes are recreated in place, not replaced");
            outputs = up.outputs;
            report = await writer.stopAndVerify();
        } finally {
            cluster.disconnect();
        }
        console.log(`      writer during the rotation: ${JSON.stringify(report)}`);
        assert.ok(report.acknowledged > 100, "the writer kept writing");
        assert.equal(report.lost, 0, "no acknowledged write was lost");
        const minValidTo = Date.now() + 80 * 24 * 3600 * 1000;
        for (const node of before) {
            const served = servedCert(node.name);
            assert.notEqual(served.serialNumber, servedBefore.get(node.name), `${node.name} serves a new certificate`);
            assert.ok(new Date(served.validTo).getTime() > minValidTo, `${node.name}'s new certificate is valid for the full period`);
        }
        const after = outputs.clusterNodes.value as NodeOutput[];
        for (const node of before)
            assert.equal(after.find((n) => n.name === node.name)?.id, node.id, `${node.name} kept its cluster identity`);
        for (const master of before.filter((n) => n.role === "master"))
            assert.equal(after.find((n) => n.name === master.name)?.role, "replica", `${master.name} failed over before its restart`);
    });

    it("TLS -> plain with a writer: a plain up, every node switches live and then restarts one at a time, keeps its id and data, 0 acknowledged writes lost", async () => {
        const before = outputs.clusterNodes.value as NodeOutput[];
        const tlsCluster = new Cluster((outputs.clusterTlsSeeds.value as string[]).map(toAddress), {
            enableOfflineQueue: false,
            clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
            redisOptions: { password: PASSWORD, tls: clientTls(), maxRetriesPerRequest: 1 },
        });
        tlsCluster.on("error", () => undefined);
        const writer = new ClusterWriter(tlsCluster, "unswitch");
        const deadline = Date.now() + 30000;
        while (Date.now() < deadline && Number((await tlsCluster.get("unswitch:0:50").catch(() => null)) ?? -1) !== 50)
            await new Promise((r) => setTimeout(r, 20));

        await stack.setConfig("redis-stack:tls", { value: "false" });
        const up = await rollingUp("switch to plain");
        outputs = up.outputs;
        tlsCluster.disconnect();
        const reader = new Cluster((outputs.clusterSeeds.value as string[]).map(toAddress), { redisOptions: { password: PASSWORD } });
        let report;
        try {
            report = await writer.stopAndVerify(reader);
            for (const seed of outputs.clusterSeeds.value as string[]) {
                const client = new Redis({ ...toAddress(seed), password: PASSWORD });
                try {
                    assert.equal(parseInfo(String(await client.call("CLUSTER", "INFO"))).cluster_state, "ok", seed);
                } finally {
                    client.disconnect();
                }
            }
        } finally {
            reader.disconnect();
        }
        console.log(`      writer during the switch to plain: ${JSON.stringify(report)}`);
        assert.ok(report.acknowledged > 50, "the writer wrote before the switch");
        assert.equal(report.lost, 0, "no acknowledged write was lost");
        const after = outputs.clusterNodes.value as NodeOutput[];
        for (const node of before)
            assert.equal(after.find((n) => n.name === node.name)?.id, node.id, `${node.name} kept its cluster identity`);
        assert.equal(outputs.clusterTlsSeeds, undefined, "no TLS seeds without TLS");
    });
});
