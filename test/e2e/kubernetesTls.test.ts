// TLS on the kubernetes runtime, on the local single-node Kubernetes: every node serves TLS at its
// Service's ClusterIP with a certificate of its own that names it, the cluster bus and replication
// too; clients reach it with the stack's TLS outputs from the host (ioredis) and with `redis-cli --tls`
// from a pod; plain clients are refused; no key is in plaintext anywhere; a certificate within its
// renewal window is renewed by a plain `up` that replaces the pods one at a time, failover first, with
// no acknowledged write lost.
import { strict as assert } from "assert";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { parseInfo } from "../../components/redis/clusterView";
import { POD_AUTH_CONFIG_PATH } from "../../components/runtime/kubernetes/manifests";
import { REDIS_CLI_TLS_ARGS } from "../../components/tls/nodeTls";
import { type CertificateSubject, type KeyedCertificate, termsCertificate } from "../../components/tls/certificates";
import { recordedTerms } from "../../components/tls/nodeCertificateTerms";
import { stateResourcesHolding } from "../support/automation";
import { kubectl } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { withRawClient } from "../support/rawClient";
import { ClusterWriter } from "../support/writer";
import { expiringCa } from "../support/expiringCa";
import { bundleCerts, signedBy } from "../../components/tls/validate";
import { userCa } from "../support/userCa";
import { servedCertificate } from "../support/servedCertificate";
import { RECIPE_KEYS } from "../support/recipe";

const PASSWORD = `k8s-tls-${Math.random().toString(36).slice(2)}-Secret`;
const DAY = 24 * 3600 * 1000;

interface NodeOutput {
    name: string;
    id: string;
    role: string;
}

/** A secret output of `pulumi stack export --show-secrets`: the value as JSON text. */
type ExportedSecret = { plaintext: string };

describe("kubernetes runtime with TLS (local single-node Kubernetes)", function () {
    const suite = kubernetesSuiteStack("tls", {
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:tls": { value: "true" },
        // Short, so that a master's handover before its pod goes is quick.
        "redis-stack:clusterNodeTimeoutMs": { value: "2000" },
    });
    const { namespace, log } = suite;
    let stack: Stack;
    let outputs: OutputMap;

    const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });
    const seeds = () => outputs.clusterTlsSeeds.value as string[];
    const standalone = () => (outputs.standaloneTlsUrl.value as string).replace("rediss://", "");
    const clientTls = () => ({
        ca: outputs.tlsCaCert.value as string,
        cert: outputs.tlsClientCert.value as string,
        key: outputs.tlsClientKey.value as string,
    });
    /** The certificate a node serves, as a TLS client that checks it against the address it dialled sees it. */
    const servedCert = (address: string) => servedCertificate(toAddress(address), clientTls());
    const podUids = () =>
        kubectl("get", "pods", "-n", namespace, "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.uid} {end}")
            .trim()
            .split(" ")
            .sort();

    before(async function () {
        stack = suite.stack;
        const result = await timed("up from nothing with TLS", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    });

    it("up from nothing: every node serves TLS at its Service's ClusterIP with its own certificate naming that address; the cluster is ok", async () => {
        assert.deepEqual(seeds(), outputs.clusterSeeds.value, "the TLS seeds are the ClusterIP seeds");
        const serials = new Set<string>();
        for (const address of [...seeds(), standalone()]) {
            // The default checkServerIdentity: the certificate must name the ClusterIP dialled.
            const served = await servedCert(address);
            assert.ok(served.checkIP(toAddress(address).host), `${address}'s certificate names its ClusterIP`);
            serials.add(served.serialNumber);
            const client = new Redis({
                ...toAddress(address),
                password: PASSWORD,
                tls: clientTls(),
                lazyConnect: true,
                retryStrategy: () => null,
            });
            try {
                await client.connect();
                if (address !== standalone())
                    assert.equal(parseInfo(String(await client.call("CLUSTER", "INFO"))).cluster_state, "ok", address);
                else assert.equal(await client.ping(), "PONG");
            } finally {
                client.disconnect();
            }
        }
        assert.equal(serials.size, 7, "a certificate per node");
    });

    it("plain-text clients are refused on every node (no plain port is kept)", async () => {
        for (const address of [...seeds(), standalone()]) {
            await assert.rejects(
                withRawClient(address, (c) => c.ping()),
                (err: Error) => !/PONG/.test(err.message),
                `${address} answered a plain-text PING`,
            );
        }
    });

    it("ioredis Cluster with the TLS outputs from the host, and redis-cli --tls -c from a pod, write and read the recipe's keys across the masters", async () => {
        const cluster = new Cluster(seeds().map(toAddress), { redisOptions: { password: PASSWORD, tls: clientTls() } });
        try {
            for (const [key, value] of RECIPE_KEYS) {
                assert.equal(await cluster.set(`host:${key}`, value), "OK");
                assert.equal(await cluster.get(`host:${key}`), value);
            }
        } finally {
            cluster.disconnect();
        }
        // From the standalone node's pod: its mounted CA, certificate and key; the password from its auth file.
        const [host, port] = seeds()[0].split(":");
        const cli = `redis-cli ${REDIS_CLI_TLS_ARGS.join(" ")}`;
        const script =
            `while read -r k v; do [ "$k" = requirepass ] && export REDISCLI_AUTH="$v"; done < ${POD_AUTH_CONFIG_PATH}; ` +
            RECIPE_KEYS.map(
                ([key, value]) => `${cli} -c -h ${host} -p ${port} set ${key} ${value} && ${cli} -c -h ${host} -p ${port} get ${key}`,
            )
                .concat([`${cli} -h ${toAddress(standalone()).host} -p ${toAddress(standalone()).port} set standalone-key here`])
                .join(" && ");
        const lines = kubectl("exec", "standalone-0", "-n", namespace, "--", "sh", "-c", script).split("\n");
        assert.deepEqual(lines, [...RECIPE_KEYS.flatMap(([, value]) => ["OK", value]), "OK"]);
        const node = new Redis({ ...toAddress(standalone()), password: PASSWORD, tls: clientTls() });
        try {
            assert.equal(await node.get("standalone-key"), "here");
        } finally {
            node.disconnect();
        }
    });

    it("no private key in plaintext: not in the state, the pod specs, the StatefulSets or the CLI output", () => {
        const keyMaterial = /PRIVATE KEY/;
        assert.doesNotMatch(suite.cliExport(), keyMaterial, "state export");
        assert.doesNotMatch(kubectl("get", "pods,statefulsets,configmaps", "-n", namespace, "-o", "json"), keyMaterial, "pod specs");
        assert.doesNotMatch(suite.cliOutput, keyMaterial, "CLI output");
    });

    it("node certificates within the renewal window: a plain up issues new ones and replaces every pod in its turn (the rolling path, failover first), 0 acknowledged writes lost, identities kept", async () => {
        // Stand-in for time passing: the terms the state keeps for each node's certificate (which the
        // program signs) end in 10 days, inside the 30-day window, through export and import.
        const deployment = JSON.parse(suite.cli("stack", "export", "--show-secrets", "--stack", suite.name)) as {
            deployment: { resources: { type: string; outputs: Record<string, unknown> }[] };
        };
        const nodeCerts = deployment.deployment.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:NodeCertificate");
        assert.equal(nodeCerts.length, 7);
        for (const resource of nodeCerts) {
            assert.equal(resource.outputs.ca, undefined, "no CA (and no CA key) in a node certificate's state");
            const key = JSON.parse((resource.outputs.key as ExportedSecret).plaintext) as string;
            const { terms } = recordedTerms({ ...(resource.outputs as { subject: CertificateSubject; cert: string }), key })!;
            resource.outputs.cert = await termsCertificate({ ...terms, notAfter: new Date(Date.now() + 10 * DAY).toISOString() });
        }
        const file = path.join(suite.backendDir, "expiring.json");
        fs.writeFileSync(file, JSON.stringify(deployment), { mode: 0o600 });
        suite.cli("stack", "import", "--file", file, "--stack", suite.name);
        fs.rmSync(file);

        const preview = await stack.preview({ onOutput: log });
        assert.ok((preview.changeSummary?.update ?? 0) >= 7, `the preview shows the renewal: ${JSON.stringify(preview.changeSummary)}`);

        const before = outputs.clusterNodes.value as NodeOutput[];
        const servedBefore = new Map<string, string>();
        for (const address of [...seeds(), standalone()]) servedBefore.set(address, (await servedCert(address)).serialNumber);
        const podsBefore = podUids();
        const cluster = new Cluster(seeds().map(toAddress), { redisOptions: { password: PASSWORD, tls: clientTls() } });
        const writer = new ClusterWriter(cluster, "renew");
        let report;
        try {
            const up = await timed("certificate renewal (rolling)", () => stack.up({ onOutput: log }));
            assert.equal(up.summary.result, "succeeded");
            outputs = up.outputs;
            report = await writer.stopAndVerify();
        } finally {
            cluster.disconnect();
        }
        console.log(`      writer during the renewal: ${JSON.stringify(report)}`);
        assert.ok(report.acknowledged > 100, "the writer kept writing");
        assert.equal(report.lost, 0, "no acknowledged write was lost");
        const minValidTo = Date.now() + 80 * DAY;
        for (const address of [...seeds(), standalone()]) {
            const served = await servedCert(address);
            assert.notEqual(served.serialNumber, servedBefore.get(address), `${address} serves a new certificate`);
            assert.ok(new Date(served.validTo).getTime() > minValidTo, `${address}'s new certificate is valid for the full period`);
        }
        const podsAfter = podUids();
        assert.equal(podsAfter.filter((p) => podsBefore.includes(p)).length, 0, "every pod was replaced (Redis reads its files at start)");
        const after = outputs.clusterNodes.value as NodeOutput[];
        for (const node of before)
            assert.equal(after.find((n) => n.name === node.name)?.id, node.id, `${node.name} kept its cluster identity`);
        const preview2 = await stack.preview({ onOutput: log });
        assert.deepEqual(
            Object.entries(preview2.changeSummary ?? {}).filter(([op, n]) => op !== "same" && n > 0),
            [],
            "a preview after the renewal reports no changes",
        );
    });

    it("a CA within its renewal window: two plain ups, each replacing the pods in turn with 0 acknowledged writes lost; the first gives every node the new CA, the second certificates it signed", async () => {
        // Stand-in for time passing: the state's CA becomes one for the same key and name that expires in 10 days.
        const deployment = JSON.parse(suite.cli("stack", "export", "--show-secrets", "--stack", suite.name)) as {
            deployment: { resources: { type: string; outputs: Record<string, unknown> }[] };
        };
        const certs = deployment.deployment.resources.find((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:TlsCertificates")!;
        const caKey = JSON.parse((certs.outputs.caKey as ExportedSecret).plaintext) as string;
        certs.outputs.caCert = await expiringCa(certs.outputs.caCert as string, caKey, 10 * DAY);
        const file = path.join(suite.backendDir, "expiring-ca.json");
        fs.writeFileSync(file, JSON.stringify(deployment), { mode: 0o600 });
        suite.cli("stack", "import", "--file", file, "--stack", suite.name);
        fs.rmSync(file);

        const before = outputs.clusterNodes.value as NodeOutput[];
        const servedBefore = new Map<string, string>();
        for (const address of [...seeds(), standalone()]) servedBefore.set(address, (await servedCert(address)).serialNumber);

        // Step 1, with a client as services have it before the renewal (the old CA, the old client certificate).
        let podsBefore = podUids();
        const first = await rollWithWriter("CA renewal, step 1 (new CA in every node's bundle)", "ca1");
        const [newCa, oldCa] = bundleCerts(outputs.tlsCaCert.value as string).map((pem) => new X509Certificate(pem));
        assert.ok(newCa && oldCa, "tlsCaCert holds the new CA and the one it replaced");
        assert.equal(podUids().filter((p) => podsBefore.includes(p)).length, 0, "step 1 replaced every pod");
        for (const address of [...seeds(), standalone()])
            assert.equal((await servedCert(address)).serialNumber, servedBefore.get(address), `${address} keeps its certificate in step 1`);
        assert.ok((first.preview.changeSummary?.update ?? 0) >= 7, `step 2 is due: ${JSON.stringify(first.preview.changeSummary)}`);

        // Step 2, with a client on the new outputs.
        podsBefore = podUids();
        const second = await rollWithWriter("CA renewal, step 2 (certificates of the new CA)", "ca2");
        assert.equal(podUids().filter((p) => podsBefore.includes(p)).length, 0, "step 2 replaced every pod");
        for (const address of [...seeds(), standalone()])
            assert.ok((await servedCert(address)).verify(newCa.publicKey), `${address} serves a certificate the new CA signed`);
        assert.deepEqual(
            Object.entries(second.preview.changeSummary ?? {}).filter(([op, n]) => op !== "same" && n > 0),
            [],
            "a preview after step 2 reports no changes",
        );
        const after = outputs.clusterNodes.value as NodeOutput[];
        for (const node of before)
            assert.equal(after.find((n) => n.name === node.name)?.id, node.id, `${node.name} kept its cluster identity`);
    });

    it("tlsPlainPort on the running TLS stack: a rolling up adds each node's plain port to its Service; plain clients follow MOVED to plain ports, TLS ones keep working", async () => {
        await stack.setConfig("redis-stack:tlsPlainPort", { value: "true" });
        await rollWithWriter("tlsPlainPort on (rolling)", "plain");
        const plainSeeds = outputs.clusterPlainSeeds.value as string[];
        assert.deepEqual(
            plainSeeds,
            seeds().map((seed) => `${toAddress(seed).host}:${toAddress(seed).port + 20000}`),
        );
        const plain = new Cluster(plainSeeds.map(toAddress), { redisOptions: { password: PASSWORD } });
        try {
            for (const [key, value] of RECIPE_KEYS) {
                assert.equal(await plain.set(`plain:${key}`, value), "OK");
                assert.equal(await plain.get(`plain:${key}`), value);
            }
            // Redirects point plain clients to plain ports: every node the client learnt is one.
            assert.deepEqual(
                plain
                    .nodes("all")
                    .map((n) => `${n.options.host}:${n.options.port}`)
                    .sort(),
                [...plainSeeds].sort(),
            );
        } finally {
            plain.disconnect();
        }
        const standalonePlain = (outputs.standalonePlainUrl.value as string).replace("redis://", "");
        const node = new Redis({ ...toAddress(standalonePlain), password: PASSWORD });
        try {
            assert.equal(await node.get("standalone-key"), "here");
        } finally {
            node.disconnect();
        }
    });

    /** A plain `up` with a writer on the current outputs, asserting it lost nothing; then a preview. */
    async function rollWithWriter(what: string, prefix: string) {
        const cluster = new Cluster(seeds().map(toAddress), { redisOptions: { password: PASSWORD, tls: clientTls() } });
        const writer = new ClusterWriter(cluster, prefix);
        let report;
        try {
            const up = await timed(what, () => stack.up({ onOutput: log }));
            assert.equal(up.summary.result, "succeeded");
            outputs = up.outputs;
            // Read back with the new outputs (a node may now serve a certificate only the new CA vouches for).
            const reader = new Cluster(seeds().map(toAddress), { redisOptions: { password: PASSWORD, tls: clientTls() } });
            try {
                report = await writer.stopAndVerify(reader);
            } finally {
                reader.disconnect();
            }
        } finally {
            cluster.disconnect();
        }
        console.log(`      writer during ${what}: ${JSON.stringify(report)}`);
        assert.ok(report.acknowledged > 100, "the writer kept writing");
        assert.equal(report.lost, 0, "no acknowledged write was lost");
        return { report, preview: await stack.preview({ onOutput: log }) };
    }
});

describe("kubernetes runtime with TLS from a supplied CA (tlsCaCert, tlsCaKey)", function () {
    const suite = kubernetesSuiteStack("tlsca", {
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:tls": { value: "true" },
    });
    const { namespace, log } = suite;
    let outputs: OutputMap;
    let ca: KeyedCertificate;
    const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });

    before(async function () {
        // RSA, as a user's PKI makes it; the stack's own CAs are P-256.
        ca = await userCa("rsa", "team CA", new Date(), 30 * DAY);
        await suite.stack.setConfig("redis-stack:tlsCaCert", { value: ca.cert });
        await suite.stack.setConfig("redis-stack:tlsCaKey", { value: ca.key, secret: true });
        const result = await timed("up from nothing with a supplied CA", () => suite.stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    });

    it("every node serves a certificate of its own that the supplied CA signed, naming its ClusterIP; clients trusting only that CA write and read across the masters", async () => {
        assert.equal(outputs.tlsCaCert.value, ca.cert, "the CA output is the supplied one");
        const clientTls = { ca: ca.cert, cert: outputs.tlsClientCert.value as string, key: outputs.tlsClientKey.value as string };
        assert.ok(signedBy(clientTls.cert, ca.cert), "the client certificate is the supplied CA's");
        const addresses = [
            ...(outputs.clusterTlsSeeds.value as string[]),
            (outputs.standaloneTlsUrl.value as string).replace("rediss://", ""),
        ];
        const serials = new Set<string>();
        for (const address of addresses) {
            // Node's default checks: signed by `ca` (the only one trusted), naming the ClusterIP dialled.
            const served = await servedCertificate(toAddress(address), clientTls);
            assert.ok(signedBy(served.toString(), ca.cert), `${address}: signed by the supplied CA`);
            serials.add(served.serialNumber);
        }
        assert.equal(serials.size, 7, "a certificate per node");
        const cluster = new Cluster((outputs.clusterTlsSeeds.value as string[]).map(toAddress), {
            redisOptions: { password: PASSWORD, tls: clientTls },
        });
        try {
            for (const [key, value] of RECIPE_KEYS) {
                assert.equal(await cluster.set(key, value), "OK");
                assert.equal(await cluster.get(key), value);
            }
            assert.equal(parseInfo(String(await cluster.call("CLUSTER", "INFO"))).cluster_state, "ok");
        } finally {
            cluster.disconnect();
        }
    });

    it("the CA's key is in no Kubernetes object, once in the state, encrypted (the stack's config), and not in the CLI output", async () => {
        const keyBody = ca.key.split("\n")[1];
        assert.ok(!suite.cliExport().includes(keyBody), "state export");
        // The Automation API's export decrypts the secrets. The key is in one resource, where it was once per node
        // certificate: Pulumi's provider for dynamic resources, which records the stack's config (encrypted).
        assert.deepEqual(await stateResourcesHolding(suite.stack, keyBody), ["pulumi:providers:pulumi-nodejs::default"]);
        assert.ok(!suite.cliOutput.includes(keyBody), "CLI output");
        const secrets = JSON.parse(kubectl("get", "secrets", "-n", namespace, "-o", "json")) as {
            items: { data?: Record<string, string> }[];
        };
        const decoded = secrets.items.flatMap((s) => Object.values(s.data ?? {}).map((v) => Buffer.from(v, "base64").toString("utf8")));
        assert.ok(decoded.length > 0, "the nodes' Secrets were read");
        assert.ok(!decoded.some((v) => v.includes(keyBody)), "no Secret holds the CA's key");
        assert.ok(!kubectl("get", "pods,statefulsets,configmaps", "-n", namespace, "-o", "json").includes(keyBody), "pod specs");
    });
});
