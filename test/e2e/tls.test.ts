// TLS end to end: the Pulumi engine runs index.ts with `redis-stack:tls true` (the `engine` runtime,
// certificates issued in the stack) and the plain port off; clients speak TLS from the host (ioredis,
// both seed kinds) and from a container on the stack's network (redis-cli --tls, cluster mode and
// standalone); plain clients and clients without a certificate are refused; no private key shows in
// the state, `docker inspect`, a command line, a container's log or the CLI's output.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { parseInfo } from "../../components/redis/clusterView";
import { PROJECT_DIR, stateResourcesHolding } from "../support/automation";
import { TEST_IMAGE } from "../support/fixture";
import { engineSuiteStack } from "../support/engineStack";
import { docker } from "../support/dockerCli";
import { RECIPE_KEYS } from "../support/recipe";
import { userCa } from "../support/userCa";
import type { KeyedCertificate } from "../../components/tls/certificates";
import { signedBy } from "../../components/tls/validate";
import { servedCertificate } from "../support/servedCertificate";

const PASSWORD = `tls-${Math.random().toString(36).slice(2)}-Secret`;
const BASE_PORT = 8100;
const STANDALONE_PORT = 6599;
const SUBNET = "172.30.141.0/24";
const ANNOUNCE = "172.30.141.1";

/** The body of a PEM key: what would show if it leaked anywhere, whatever the line breaks around it. */
const keyBody = (pem: string) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");

/** A file out of a container (docker cp to stdout is a tar stream with one entry). */
function fileOf(container: string, file: string): string {
    const tar = execFileSync("docker", ["cp", `${container}:${file}`, "-"]);
    const size = parseInt(tar.subarray(124, 136).toString("ascii").replace(/\0/g, "").trim(), 8);
    return tar.subarray(512, 512 + size).toString("utf8");
}

/** Whether a plain-text TCP client gets a Redis reply from host:port (it does not from a TLS-only port). */
function plainPing(host: string, port: number): Promise<string> {
    return new Promise((resolve) => {
        const socket = net.connect({ host, port });
        let reply = "";
        socket.setTimeout(3000, () => {
            socket.destroy();
            resolve(`timeout, got ${JSON.stringify(reply)}`);
        });
        socket.on("connect", () => socket.write("PING\r\n"));
        socket.on("data", (chunk) => (reply += chunk.toString("latin1")));
        socket.on("error", (err) => resolve(`error: ${err.message}`));
        socket.on("close", () => resolve(`closed, got ${JSON.stringify(reply)}`));
    });
}

describe("TLS end to end through the Pulumi engine", function () {
    const suite = engineSuiteStack("tls", {
        "redis-stack:basePort": { value: String(BASE_PORT) },
        "redis-stack:standalonePort": { value: String(STANDALONE_PORT) },
        "redis-stack:subnet": { value: SUBNET },
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:tls": { value: "true" },
    });
    const { prefix, log } = suite;
    // The client's files for containers on the stack's network, readable by this user only.
    const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-tls-client-"));
    let stack: Stack;
    let outputs: OutputMap;

    const tls = () => ({
        ca: outputs.tlsCaCert.value as string,
        cert: outputs.tlsClientCert.value as string,
        key: outputs.tlsClientKey.value as string,
    });
    const pulumiCli = suite.cli;
    const nodeNames = () => [...Array(6).keys()].map((i) => `${prefix}-node-${i}`);

    /** redis-cli in a throwaway container on the stack's network, with the client's certificate. */
    function cliOnNetwork(...args: string[]): string {
        return execFileSync(
            "docker",
            [
                "run",
                "--rm",
                "--network",
                outputs.network.value as string,
                "-v",
                `${clientDir}:/tls:ro`,
                "-e",
                "REDISCLI_AUTH",
                "--entrypoint",
                "redis-cli",
                TEST_IMAGE,
                "--tls",
                "--cacert",
                "/tls/ca.crt",
                "--cert",
                "/tls/client.crt",
                "--key",
                "/tls/client.key",
                ...args,
            ],
            { encoding: "utf8", env: { ...process.env, REDISCLI_AUTH: PASSWORD } },
        ).trim();
    }

    before(async function () {
        stack = suite.stack;
        const started = Date.now();
        const result = await stack.up({ onOutput: log });
        console.log(`      up from nothing with TLS took ${Date.now() - started} ms`);
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
        fs.writeFileSync(path.join(clientDir, "ca.crt"), tls().ca);
        fs.writeFileSync(path.join(clientDir, "client.crt"), tls().cert);
        // Readable inside the container, whose redis-cli runs as root; the directory is this user's only.
        fs.writeFileSync(path.join(clientDir, "client.key"), tls().key, { mode: 0o600 });
    });

    after(async function () {
        fs.rmSync(clientDir, { recursive: true, force: true });
    });

    it("exports the CA, a client certificate and key as secrets, TLS seeds and rediss:// URLs", () => {
        assert.match(tls().ca, /^-----BEGIN CERTIFICATE-----/);
        assert.equal(outputs.tlsClientKey.secret, true);
        assert.equal(outputs.tlsClientCert.secret, true);
        const seeds = [...Array(6).keys()].map((i) => `${ANNOUNCE}:${BASE_PORT + i}`);
        assert.deepEqual(outputs.clusterTlsSeeds.value, seeds);
        assert.deepEqual(
            outputs.clusterTlsUrls.value,
            seeds.map((s) => `rediss://${s}`),
        );
        assert.equal(outputs.standaloneTlsUrl.value, `rediss://${ANNOUNCE}:${STANDALONE_PORT}`);
        assert.equal(outputs.standaloneUrl.value, `rediss://${ANNOUNCE}:${STANDALONE_PORT}`);
        assert.equal(outputs.clusterPlainSeeds, undefined);
    });

    it("forms a TLS cluster from nothing: every node reports cluster_state:ok over TLS, with the bus and replication on TLS", async () => {
        for (const seed of outputs.clusterTlsSeeds.value as string[]) {
            const [host, port] = seed.split(":");
            const client = new Redis({ host, port: Number(port), password: PASSWORD, tls: tls() });
            try {
                const info = parseInfo(String(await client.call("CLUSTER", "INFO")));
                assert.equal(info.cluster_state, "ok", seed);
                assert.equal(info.cluster_slots_ok, "16384", seed);
                const config = (await client.call("CONFIG", "GET", "tls-*")) as string[];
                const get = (k: string) => config[config.indexOf(k) + 1];
                assert.equal(get("tls-cluster"), "yes", seed);
                assert.equal(get("tls-replication"), "yes", seed);
                assert.deepEqual(await client.call("CONFIG", "GET", "port"), ["port", "0"], seed);
            } finally {
                client.disconnect();
            }
        }
        const roles = (outputs.clusterNodes.value as { role: string; replicaOf?: string }[]).map((n) => n.role);
        assert.deepEqual(roles.sort(), ["master", "master", "master", "replica", "replica", "replica"]);
    });

    it("ioredis Cluster with tls options writes and reads from the host, through the announced seeds and the loopback seeds with the natMap", async () => {
        const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });
        const clients = [
            new Cluster((outputs.clusterTlsSeeds.value as string[]).map(toAddress), { redisOptions: { password: PASSWORD, tls: tls() } }),
            new Cluster((outputs.loopbackSeeds.value as string[]).map(toAddress), {
                natMap: outputs.natMap.value,
                redisOptions: { password: PASSWORD, tls: tls() },
            }),
        ];
        try {
            for (const [i, cluster] of clients.entries()) {
                for (const key of ["foo", "hello", "weather", `k${i}`]) {
                    assert.equal(await cluster.set(key, `v-${key}-${i}`), "OK");
                    assert.equal(await cluster.get(key), `v-${key}-${i}`);
                }
            }
        } finally {
            clients.forEach((c) => c.disconnect());
        }
        const standalone = new Redis(outputs.standaloneLoopbackUrl.value as string, { password: PASSWORD, tls: tls() });
        try {
            assert.equal(await standalone.set("standalone-key", "tls"), "OK");
            assert.equal(parseInfo(await standalone.info("cluster")).cluster_enabled, "0");
        } finally {
            standalone.disconnect();
        }
    });

    it("redis-cli --tls from a container on the stack's network: cluster mode (-c) follows redirects, and the standalone node answers", () => {
        for (const [key, value] of [
            ["foo", "bar"],
            ["hello", "world"],
            ["weather", "nice"],
        ]) {
            assert.equal(cliOnNetwork("-c", "-h", ANNOUNCE, "-p", String(BASE_PORT), "set", key, value), "OK");
            assert.equal(cliOnNetwork("-c", "-h", ANNOUNCE, "-p", String(BASE_PORT + 2), "get", key), value);
        }
        // By container name too: the certificate names it.
        assert.equal(cliOnNetwork("-h", `${prefix}-standalone`, "-p", String(STANDALONE_PORT), "get", "standalone-key"), "tls");
        assert.match(cliOnNetwork("-h", ANNOUNCE, "-p", String(BASE_PORT), "cluster", "info"), /cluster_state:ok/);
    });

    it("ioredis with tls options from a container on the stack's network: the cluster through the announced seeds, and the standalone node by container name", () => {
        // This host's node binary and libraries, and the project's ioredis, mounted into a container of the
        // node image on the stack's network (no node image is available here).
        const script = [
            "const fs = require('fs');",
            "const { Cluster, default: Redis } = require('ioredis');",
            "const tls = { ca: fs.readFileSync('/tls/ca.crt'), cert: fs.readFileSync('/tls/client.crt'), key: fs.readFileSync('/tls/client.key') };",
            "const password = process.env.REDIS_PASSWORD;",
            "(async () => {",
            `  const cluster = new Cluster(${JSON.stringify((outputs.clusterTlsSeeds.value as string[]).map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })))}, { redisOptions: { password, tls } });`,
            "  for (const key of ['net:a', 'net:b', 'net:c']) { await cluster.set(key, key); if (await cluster.get(key) !== key) throw new Error(key); }",
            "  cluster.disconnect();",
            `  const standalone = new Redis({ host: ${JSON.stringify(`${prefix}-standalone`)}, port: ${STANDALONE_PORT}, password, tls: { ...tls, servername: ${JSON.stringify(`${prefix}-standalone`)} } });`,
            "  console.log('cluster ok, standalone', await standalone.get('standalone-key'));",
            "  standalone.disconnect();",
            "})().catch((err) => { console.error(err.message); process.exit(1); });",
        ].join("\n");
        fs.writeFileSync(path.join(clientDir, "client.js"), script);
        const out = execFileSync(
            "docker",
            [
                "run",
                "--rm",
                "--network",
                outputs.network.value as string,
                "-v",
                `${clientDir}:/tls:ro`,
                "-v",
                `${process.execPath}:/opt/node/node:ro`,
                "-v",
                "/lib/x86_64-linux-gnu:/opt/hostlib:ro",
                "-v",
                `${path.join(PROJECT_DIR, "node_modules")}:/opt/app/node_modules:ro`,
                "-v",
                `${clientDir}:/opt/app/run:ro`,
                "-e",
                "REDIS_PASSWORD",
                "--entrypoint",
                "/opt/hostlib/ld-linux-x86-64.so.2",
                TEST_IMAGE,
                "--library-path",
                "/opt/hostlib",
                "/opt/node/node",
                "/opt/app/run/client.js",
            ],
            { encoding: "utf8", env: { ...process.env, REDIS_PASSWORD: PASSWORD } },
        );
        assert.equal(out.trim(), "cluster ok, standalone tls");
    }).timeout(60000);

    it("refuses plain-text clients on the client ports, clients without a certificate, and has no plain port", async () => {
        for (const port of [BASE_PORT, BASE_PORT + 3, STANDALONE_PORT]) {
            const reply = await plainPing("127.0.0.1", port);
            assert.ok(!reply.includes("PONG") && !reply.includes("NOAUTH"), `plain PING on ${port}: ${reply}`);
        }
        const plain = new Redis({
            host: "127.0.0.1",
            port: BASE_PORT,
            password: PASSWORD,
            lazyConnect: true,
            retryStrategy: () => null,
            maxRetriesPerRequest: 0,
            connectTimeout: 3000,
        });
        plain.on("error", () => undefined);
        await assert.rejects(plain.connect().then(() => plain.ping()));
        plain.disconnect();
        const noCert = new Redis({
            host: "127.0.0.1",
            port: BASE_PORT,
            password: PASSWORD,
            tls: { ca: tls().ca },
            lazyConnect: true,
            retryStrategy: () => null,
            maxRetriesPerRequest: 0,
        });
        noCert.on("error", () => undefined);
        await assert.rejects(noCert.connect().then(() => noCert.ping()));
        noCert.disconnect();
        // Nothing listens at the plain port the scheme would use (client port + 2 x busPortOffset).
        assert.match(await plainPing("127.0.0.1", BASE_PORT + 20000), /ECONNREFUSED/);
    });

    it("a second preview and a refresh report no changes: the certificates stay as issued", async () => {
        const changes = (summary: Record<string, number> | undefined) =>
            Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n > 0));
        const preview = await stack.preview({ onOutput: log });
        assert.deepEqual(changes(preview.changeSummary), {});
        const refresh = await stack.refresh({ onOutput: log });
        assert.deepEqual(changes(refresh.summary.resourceChanges), {});
    });

    it("no private key appears in the exported state, the backend's files, docker inspect, a command line, container logs or the CLI output", () => {
        const nodeKeys = [...nodeNames(), `${prefix}-standalone`].map((name) => fileOf(name, "/etc/redis-stack-tls/node.key"));
        const keys = [...nodeKeys, tls().key].map(keyBody);
        assert.equal(new Set(keys).size, 8, "every node has a key of its own");
        const state = pulumiCli("stack", "export", "--stack", suite.name);
        const files = (fs.readdirSync(suite.backendDir, { recursive: true }) as string[])
            .map((f) => path.join(suite.backendDir, f))
            .filter((f) => fs.statSync(f).isFile())
            .map((f) => fs.readFileSync(f, "utf8").replace(/\\n/g, "").replace(/\s+/g, ""));
        const inspect = docker("inspect", ...nodeNames(), `${prefix}-standalone`);
        const commandLines = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
        const shown = pulumiCli("stack", "output", "--json", "--stack", suite.name);
        const logs = [...nodeNames(), `${prefix}-standalone`]
            .map((name) => execFileSync("docker", ["logs", name], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }))
            .join("\n");
        const compact = (text: string) => text.replace(/\\n/g, "").replace(/\s+/g, "");
        for (const key of keys) {
            assert.ok(!compact(state).includes(key), "exported state holds a private key");
            assert.ok(!files.some((f) => f.includes(key)), "a backend file holds a private key");
            assert.ok(!compact(inspect).includes(key), "docker inspect shows a private key");
            assert.ok(!compact(commandLines).includes(key), "a command line holds a private key");
            assert.ok(!compact(shown).includes(key), "pulumi stack output shows a private key");
            assert.ok(!compact(suite.cliOutput).includes(key), "the CLI printed a private key");
            assert.ok(!compact(logs).includes(key), "a container log holds a private key");
        }
        assert.match(shown, /"tlsClientKey": "\[secret\]"/);
        assert.ok(!commandLines.includes(PASSWORD));
    }).timeout(60000);

    it("tlsPlainPort true (a plain up): plain clients on the plain ports, cluster and standalone, TLS still on the client ports; false again: the plain ports refuse", async () => {
        const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });
        await stack.setConfig("redis-stack:tlsPlainPort", { value: "true" });
        const on = await stack.up({ onOutput: log });
        assert.equal(on.summary.result, "succeeded");
        outputs = on.outputs;
        const plainSeeds = outputs.clusterPlainSeeds.value as string[];
        assert.deepEqual(
            plainSeeds.map((s) => toAddress(s).port),
            [...Array(6).keys()].map((i) => BASE_PORT + i + 20000),
        );
        const plain = new Cluster(plainSeeds.map(toAddress), { redisOptions: { password: PASSWORD } });
        const overTls = new Cluster((outputs.clusterTlsSeeds.value as string[]).map(toAddress), {
            redisOptions: { password: PASSWORD, tls: tls() },
        });
        const standalone = new Redis(outputs.standalonePlainUrl.value as string, { password: PASSWORD });
        try {
            // Keys on every master: plain clients follow MOVED to the plain ports.
            for (let i = 0; i < 30; i++) await plain.set(`plainport:${i}`, String(i));
            for (let i = 0; i < 30; i++) assert.equal(await overTls.get(`plainport:${i}`), String(i), "written in plain, read over TLS");
            assert.equal(await standalone.ping(), "PONG", "the standalone node's plain port");
        } finally {
            plain.disconnect();
            overTls.disconnect();
            standalone.disconnect();
        }
        const onClientPort = await plainPing("127.0.0.1", BASE_PORT);
        assert.ok(!onClientPort.includes("PONG") && !onClientPort.includes("NOAUTH"), `the client port stays TLS only: ${onClientPort}`);

        await stack.setConfig("redis-stack:tlsPlainPort", { value: "false" });
        const off = await stack.up({ onOutput: log });
        assert.equal(off.summary.result, "succeeded");
        outputs = off.outputs;
        for (const port of [BASE_PORT + 20000, STANDALONE_PORT + 20000])
            assert.match(await plainPing("127.0.0.1", port), /ECONNREFUSED/, `nothing listens at ${port}`);
        assert.equal(outputs.clusterPlainSeeds, undefined, "no plain seeds without tlsPlainPort");
    });
});

describe("TLS end to end with a supplied CA (tlsCaCert, tlsCaKey), engine runtime", function () {
    const suite = engineSuiteStack("tlsca", {
        "redis-stack:basePort": { value: "8160" },
        "redis-stack:standalonePort": { value: "6611" },
        "redis-stack:subnet": { value: "172.30.145.0/24" },
        "redis-stack:tls": { value: "true" },
    });
    let outputs: OutputMap;
    let ca: KeyedCertificate;

    before(async function () {
        // ECDSA P-384, as a user's PKI may make it; the stack's own CAs are P-256.
        ca = await userCa("P-384", "team CA", new Date(), 30 * 24 * 3600 * 1000);
        await suite.stack.setConfig("redis-stack:tlsCaCert", { value: ca.cert });
        await suite.stack.setConfig("redis-stack:tlsCaKey", { value: ca.key, secret: true });
        const up = await suite.stack.up({ onOutput: suite.log });
        assert.equal(up.summary.result, "succeeded");
        outputs = up.outputs;
    });

    it("each node serves a certificate of its own from the supplied CA, naming its announced address; a cluster client trusting only that CA writes and reads", async () => {
        const clientTls = { ca: ca.cert, cert: outputs.tlsClientCert.value as string, key: outputs.tlsClientKey.value as string };
        assert.equal(outputs.tlsCaCert.value, ca.cert);
        const serials = new Set<string>();
        for (const seed of [
            ...(outputs.clusterTlsSeeds.value as string[]),
            (outputs.standaloneTlsUrl.value as string).slice("rediss://".length),
        ]) {
            const [host, port] = seed.split(":");
            const served = await servedCertificate({ host, port: Number(port) }, clientTls);
            assert.ok(signedBy(served.toString(), ca.cert), `${seed}: signed by the supplied CA (and it names ${host}: Node checked it)`);
            serials.add(served.serialNumber);
        }
        assert.equal(serials.size, 7, "a certificate per node");
        const cluster = new Cluster(
            (outputs.clusterTlsSeeds.value as string[]).map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            { redisOptions: { tls: clientTls } },
        );
        try {
            for (const [key, value] of RECIPE_KEYS) {
                assert.equal(await cluster.set(key, value), "OK");
                assert.equal(await cluster.get(key), value);
            }
        } finally {
            cluster.disconnect();
        }
    });

    it("a second preview reports no changes, and the CA's key is once in the state, encrypted (the stack's config), and not in the CLI output", async () => {
        const preview = await suite.stack.preview({ onOutput: suite.log });
        assert.deepEqual(
            Object.keys(preview.changeSummary).filter((op) => op !== "same"),
            [],
            JSON.stringify(preview.changeSummary),
        );
        const keyLine = ca.key.split("\n")[1];
        assert.ok(!suite.cliExport().includes(keyLine), "state export");
        // The Automation API's export decrypts the secrets. The key is in one resource, where it was once per node
        // certificate: Pulumi's provider for dynamic resources, which records the stack's config (encrypted).
        assert.deepEqual(await stateResourcesHolding(suite.stack, keyLine), ["pulumi:providers:pulumi-nodejs::default"]);
        assert.ok(!suite.cliOutput.includes(keyLine), "CLI output");
    });
});
