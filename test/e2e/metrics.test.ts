// `redis-stack:metrics` on the engine runtime, through the real Pulumi engine, real nodes and the real
// redis_exporter, with TLS and a password: every node's exporter answers at its metricsTargets entry with
// redis_up 1 (and, on the cluster nodes, cluster state ok and the right roles), as a real Prometheus given the
// targets sees too; it scrapes as its own ACL user,
// which reads no key, changes nothing and cannot read a setting or the slow log's arguments; no password is on any exporter's command line
// or in its environment, its password file is its user's alone; and a removed exporter is back after `up`.
import { strict as assert } from "assert";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Dockerode from "dockerode";
import Redis from "ioredis";
import { METRICS_PASSWORD_FILE, METRICS_USER } from "../../components/topology/metricsExporter";
import { TEST_METRICS_IMAGE } from "../support/fixture";
import { engineSuiteStack } from "../support/engineStack";
import { containerFileEntry, readContainerFile } from "../support/containerFile";
import { docker, labelled } from "../support/dockerCli";
import { poll } from "../support/kubernetes";
import { httpGet, parseMetrics, sampleValue } from "../support/metricsScrape";
import { startPrometheus } from "../support/prometheus";

const PASSWORD = `e2e-${Math.random().toString(36).slice(2)}-Metrics`;
/** Ports and subnet of this suite alone. */
const BASE_PORT = 9400;
const STANDALONE_PORT = 6930;
const METRICS_PORT = 19500;

describe("end to end: metrics (a redis_exporter beside every node, engine runtime, TLS)", function () {
    const suite = engineSuiteStack("e2emetrics", {
        "redis-stack:basePort": { value: String(BASE_PORT) },
        "redis-stack:standalonePort": { value: String(STANDALONE_PORT) },
        "redis-stack:subnet": { value: "172.30.190.0/24" },
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:tls": { value: "true" },
        "redis-stack:metrics": { value: "true" },
        "redis-stack:metricsPort": { value: String(METRICS_PORT) },
        "redis-stack:metricsImage": { value: TEST_METRICS_IMAGE },
    });
    const { label } = suite;
    const dockerode = new Dockerode();
    let stack: Stack;
    let outputs: OutputMap;

    const targets = () => outputs.metricsTargets.value as string[];
    const exporters = () => labelled("ps", label).filter((name) => name.endsWith("-metrics"));
    const up = async (what: string) => {
        const started = Date.now();
        const result = await stack.up({ onOutput: suite.log });
        console.log(`      ${what}: up took ${Date.now() - started} ms`);
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    };
    /** A target's samples once it says its node is up (the exporter may start before its node answers). */
    const scrapeUp = (target: string) =>
        poll(`${target} redis_up 1`, 30000, async () => {
            const samples = parseMetrics(await httpGet(`http://${target}/metrics`));
            return sampleValue(samples, "redis_up") === 1 ? samples : undefined;
        });

    before(async function () {
        stack = suite.stack;
        await up("up from nothing with metrics and TLS");
    });

    it("lists a scrape target per node (cluster nodes in order, the standalone node last) at metricsPort + 1 + i and metricsPort", () => {
        const host = "172.30.190.1";
        assert.deepEqual(targets(), [...[1, 2, 3, 4, 5, 6].map((i) => `${host}:${METRICS_PORT + i}`), `${host}:${METRICS_PORT}`]);
        assert.equal(exporters().length, 7);
    });

    it("every exporter reports its node up; the cluster nodes report cluster state ok, three masters and three replicas", async () => {
        const pages = await Promise.all(targets().map(scrapeUp));
        const cluster = pages.slice(0, 6);
        for (const [i, samples] of cluster.entries())
            assert.equal(sampleValue(samples, "redis_cluster_state"), 1, `${targets()[i]} cluster state`);
        const roles = cluster.map((samples) => samples.find((s) => s.name === "redis_instance_info")?.labels.role);
        assert.deepEqual(roles.sort(), ["master", "master", "master", "slave", "slave", "slave"]);
        assert.equal(pages[6].find((s) => s.name === "redis_instance_info")?.labels.redis_mode, "standalone");
        // Its user was allowed every command of a scrape: the exporter logs a refused one as an error.
        for (const name of exporters()) {
            const logs = (await dockerode.getContainer(name).logs({ stdout: true, stderr: true })).toString("utf8");
            assert.doesNotMatch(logs, /NOPERM|level=error/, `${name} logged an error:\n${logs}`);
        }
    });

    it("a real Prometheus given metricsTargets scrapes every node: redis_up 1 for all seven, cluster state ok on the six cluster nodes", async () => {
        const prometheus = await startPrometheus(targets());
        try {
            const up = await prometheus.waitFor("redis_up", (r) => r.length === 7 && r.every((s) => s.value === 1));
            assert.deepEqual(up.map((s) => s.metric.instance).sort(), [...targets()].sort());
            await prometheus.waitFor("redis_cluster_state", (r) => r.length === 6 && r.every((s) => s.value === 1));
            const masters = await prometheus.query('count(redis_instance_info{role="master", redis_mode="cluster"})');
            assert.equal(masters[0]?.value, 3);
        } finally {
            await prometheus.stop();
        }
    });

    it("scrapes as its own user, which reads no key, writes nothing and cannot read a setting; no password on its command line or environment", async () => {
        const name = exporters()[0];
        const info = await dockerode.getContainer(name).inspect();
        const spec = JSON.stringify([info.Config.Cmd, info.Config.Env, info.Config.Entrypoint]);
        const passwords = JSON.parse(await readContainerFile(dockerode, name, METRICS_PASSWORD_FILE)) as Record<string, string>;
        const [password] = Object.values(passwords);
        assert.ok(password && password.length >= 16, "a generated password in the file");
        assert.ok(!spec.includes(password) && !spec.includes(PASSWORD), "no password in Cmd, Env or Entrypoint");
        assert.equal(info.Config.User, "999:999");
        assert.deepEqual([info.HostConfig.CapDrop, info.HostConfig.SecurityOpt], [["ALL"], ["no-new-privileges"]]);
        // The file is the node user's, readable by it alone.
        const file = await containerFileEntry(dockerode, name, METRICS_PASSWORD_FILE);
        assert.deepEqual([file.mode, file.uid, file.gid], [0o400, 999, 999]);

        const node = outputs.clusterNodes.value as { hostAddress: string }[];
        const [host, port] = node[0].hostAddress.split(":");
        const client = new Redis({
            host,
            port: Number(port),
            username: METRICS_USER,
            password,
            tls: {
                ca: outputs.tlsCaCert.value as string,
                cert: outputs.tlsClientCert.value as string,
                key: outputs.tlsClientKey.value as string,
            },
            lazyConnect: true,
            retryStrategy: () => null,
        });
        try {
            await client.connect();
            assert.match(String(await client.info("server")), /redis_version/);
            const refused = async (...command: string[]) => {
                const reply = await client.call(command[0], ...command.slice(1)).then(String, (err: Error) => err.message);
                assert.match(reply, /NOPERM/, command.join(" "));
            };
            await refused("GET", "any-key");
            await refused("SET", "any-key", "v");
            await refused("SCAN", "0");
            await refused("CONFIG", "GET", "requirepass");
            await refused("CLIENT", "KILL", "TYPE", "normal");
            await refused("FLUSHALL");
            await refused("SLOWLOG", "GET");
        } finally {
            client.disconnect();
        }
    });

    it("keeps the exporter's user out of the redisUsers output, and its password out of the state's plaintext", async () => {
        assert.equal(outputs.redisUsers, undefined);
        const file = JSON.parse(await readContainerFile(dockerode, exporters()[0], METRICS_PASSWORD_FILE)) as Record<string, string>;
        const exported = suite.cliExport();
        assert.ok(exported.includes("redis-stack:components/runtime/engine/sidecarProvider") || exported.includes("EngineSidecar"));
        for (const secret of [...Object.values(file), PASSWORD])
            assert.ok(!exported.includes(secret), "a password in plaintext in the state");
    });

    it("brings back an exporter that was removed, with a plain up", async () => {
        const [name] = exporters();
        docker("rm", "-f", "-v", name);
        await up("up after an exporter was removed");
        assert.equal(exporters().length, 7);
        await scrapeUp(targets()[0]);
    });

    it("turned off: every exporter and the exporter's user go, and no node restarts", async () => {
        const nodes = labelled("ps", label).filter((name) => !name.endsWith("-metrics"));
        const started = async () => Promise.all(nodes.map(async (name) => (await dockerode.getContainer(name).inspect()).State.StartedAt));
        const before = await started();
        await stack.setConfig("redis-stack:metrics", { value: "false" });
        await up("up with metrics turned off");
        assert.deepEqual(exporters(), []);
        assert.equal(outputs.metricsTargets, undefined);
        assert.deepEqual(await started(), before, "a node restarted");
        const [host, port] = (outputs.clusterNodes.value as { hostAddress: string }[])[0].hostAddress.split(":");
        const client = new Redis({
            host,
            port: Number(port),
            password: PASSWORD,
            tls: {
                ca: outputs.tlsCaCert.value as string,
                cert: outputs.tlsClientCert.value as string,
                key: outputs.tlsClientKey.value as string,
            },
            lazyConnect: true,
        });
        try {
            await client.connect();
            assert.deepEqual(((await client.call("ACL", "USERS")) as string[]).includes(METRICS_USER), false);
        } finally {
            client.disconnect();
        }
    });
});
