// Turning TLS on and off for a running stack through the Pulumi engine, with a writer: every cluster
// node switches live (CONFIG SET), then restarts with the switch in its command line one at a time,
// failover first (never more than one cluster node down, sampled with `docker ps`), keeps its cluster
// identity and its data, and no acknowledged write is lost (counted by test/support/writer.ts, read
// back in the new protocol afterwards).
import { strict as assert } from "assert";
import { X509Certificate } from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { parseInfo } from "../../components/redis/clusterView";
import { engineSuiteStack } from "../support/engineStack";
import { ClusterWriter } from "../support/writer";
import { expiringCa } from "../support/expiringCa";
import { issueLeaf } from "../../components/tls/certificates";
import { bundleCerts } from "../../components/tls/validate";
import { RunningSampler, startedAt } from "../support/runningSampler";

const PASSWORD = `switch-${Math.random().toString(36).slice(2)}-Secret`;

interface NodeOutput {
    name: string;
    id: string;
    role: string;
}

describe("switching a running stack to TLS through the Pulumi engine", function () {
    const suite = engineSuiteStack("tlssw", {
        "redis-stack:basePort": { value: "8300" },
        "redis-stack:standalonePort": { value: "6699" },
        "redis-stack:subnet": { value: "172.30.142.0/24" },
        "redis-stack:password": { value: PASSWORD, secret: true },
    });
    const { prefix, label } = suite;
    let stack: Stack;
    let outputs: OutputMap;

    const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });
    const pulumiCli = suite.cli;
    /** Every node's container: the cluster's and the standalone one. */
    const allNodes = () => [...(outputs.clusterNodes.value as NodeOutput[]).map((n) => n.name), `${prefix}-standalone`];
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
        stack = suite.stack;
        const result = await stack.up();
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
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

    it("node certificates within the renewal window: a plain up issues new ones and every node reloads them live, no restart, 0 acknowledged writes lost", async () => {
        // Stand-in for time passing: the state's node certificates become ones that expire in 10 days
        // (inside the 30-day window), issued by the stack's own CA, through export and import.
        const deployment = JSON.parse(pulumiCli("stack", "export", "--show-secrets", "--stack", suite.name)) as {
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
        const file = path.join(suite.backendDir, "expiring.json");
        fs.writeFileSync(file, JSON.stringify(deployment), { mode: 0o600 });
        pulumiCli("stack", "import", "--file", file, "--stack", suite.name);
        fs.rmSync(file);

        const preview = await stack.preview();
        assert.ok((preview.changeSummary?.update ?? 0) >= 1, `the preview shows the renewal: ${JSON.stringify(preview.changeSummary)}`);

        const before = outputs.clusterNodes.value as NodeOutput[];
        const servedBefore = new Map(before.map((n) => [n.name, servedCert(n.name).serialNumber]));
        const startedBefore = startedAt(allNodes());
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
        assert.deepEqual(startedAt(allNodes()), startedBefore, "no node restarted (same container start times)");
        for (const node of before) assert.equal(after.find((n) => n.name === node.name)?.role, node.role, `${node.name} kept its role`);
    });

    it("a CA within its renewal window: a plain up issues a new CA, trusted next to the old one, and every node reloads live, no restart, 0 acknowledged writes lost", async () => {
        // Stand-in for time passing: the state's CA certificate becomes one for the same key and name
        // that expires in 10 days, so the nodes' files (signed by that key) still verify under it.
        const deployment = JSON.parse(pulumiCli("stack", "export", "--show-secrets", "--stack", suite.name)) as {
            deployment: { resources: { type: string; outputs: Record<string, unknown> }[] };
        };
        const certs = deployment.deployment.resources.find((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:TlsCertificates")!;
        const caKeyPem = JSON.parse((certs.outputs.caKey as { plaintext: string }).plaintext) as string;
        const expiring = new X509Certificate(await expiringCa(certs.outputs.caCert as string, caKeyPem, 10 * 24 * 3600 * 1000));
        certs.outputs.caCert = expiring.toString();
        const file = path.join(suite.backendDir, "expiring-ca.json");
        fs.writeFileSync(file, JSON.stringify(deployment), { mode: 0o600 });
        pulumiCli("stack", "import", "--file", file, "--stack", suite.name);
        fs.rmSync(file);

        const before = outputs.clusterNodes.value as NodeOutput[];
        const startedBefore = startedAt(allNodes());
        // A client as services have it before the renewal: the old CA, the old client certificate.
        const cluster = new Cluster((outputs.clusterTlsSeeds.value as string[]).map(toAddress), {
            redisOptions: { password: PASSWORD, tls: clientTls() },
        });
        const writer = new ClusterWriter(cluster, "ca");
        const started = Date.now();
        const up = await stack.up().catch((err: unknown) => {
            cluster.disconnect();
            throw err;
        });
        console.log(`      CA renewal took ${Date.now() - started} ms`);
        assert.equal(up.summary.result, "succeeded");
        outputs = up.outputs;
        const reader = new Cluster((outputs.clusterTlsSeeds.value as string[]).map(toAddress), {
            redisOptions: { password: PASSWORD, tls: clientTls() },
        });
        let report;
        try {
            report = await writer.stopAndVerify(reader);
        } finally {
            cluster.disconnect();
            reader.disconnect();
        }
        console.log(`      writer during the CA renewal: ${JSON.stringify(report)}`);
        assert.ok(report.acknowledged > 100, "the writer kept writing");
        assert.equal(report.lost, 0, "no acknowledged write was lost");
        assert.deepEqual(startedAt(allNodes()), startedBefore, "no node restarted (same container start times)");
        const trusted = bundleCerts(outputs.tlsCaCert.value as string);
        assert.equal(trusted.length, 2, "tlsCaCert holds the new CA and the one it replaced");
        const newCa = new X509Certificate(trusted[0]);
        assert.notEqual(newCa.serialNumber, expiring.serialNumber, "a new CA");
        for (const node of before)
            assert.ok(servedCert(node.name).verify(newCa.publicKey), `${node.name} serves a certificate the new CA signed`);
        const after = outputs.clusterNodes.value as NodeOutput[];
        for (const node of before)
            assert.equal(after.find((n) => n.name === node.name)?.id, node.id, `${node.name} kept its cluster identity`);
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
