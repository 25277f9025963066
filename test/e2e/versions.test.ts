// The version matrix on the engine runtime: the core of what the suites check on the default Redis 8.0, run on
// Redis 7.0 and Valkey 8.1 (test/support/versions.ts; Valkey through the stack's serverCommand and cliCommand),
// one stack per version shared by its tests in order: from nothing with the recipe's keys, a killed master
// healed by `up`, scale 3 -> 4 -> 3 with every key kept, a password change with no restart, a setting Redis
// takes only at start rolled through the nodes, the live switch to TLS under a writer, TLS from nothing, and
// last a new stack on Redis 7.0 (7.0.15 here, what stacks made before the default moved to 8.0 run) moved by a
// rolling image change: to Valkey 8.1 in Valkey's suite, to the default's Redis 8.0 in Redis 7.0's.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { OutputMap, Stack, UpResult } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { clusterCheckCommand } from "../../components/nodes/clusterCheck";
import { REDIS_CLI_TLS_ARGS } from "../../components/contracts/nodeFiles";
import { parseInfo } from "../../components/redis/clusterView";
import { parseSettings } from "../../components/settings/config";
import { waitClusterOk } from "../support/clusterState";
import { docker, labelled } from "../support/dockerCli";
import { engineSuiteStack } from "../support/engineStack";
import { placedStack } from "../support/placedStack";
import { poll } from "../support/kubernetes";
import { withRawClient } from "../support/rawClient";
import { RECIPE_KEYS } from "../support/recipe";
import { RunningSampler, startedAt } from "../support/runningSampler";
import { timed } from "../support/suiteStack";
import { OTHER_VERSIONS, REDIS_7, SUITE_VERSION, TestedVersion, assertRunsVersion } from "../support/versions";
import { ClusterWriter } from "../support/writer";

/** Keys over every slot besides the recipe's: a scale step moves some of them, a failover keeps them (WAIT). */
const KEYS = Array.from({ length: 300 }, (_, i) => `ver:${i}`);

interface NodeOutput {
    name: string;
    id: string;
    role: string;
    address: string;
    hostAddress: string;
    replicaOf?: string;
    slots: string[];
}

interface TlsFiles {
    readonly ca: string;
    readonly cert: string;
    readonly key: string;
}

const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });
const changed = (up: UpResult) =>
    Object.fromEntries(Object.entries(up.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0));

/** Each version's ports and subnet: used by no other test (8800-8999, 6800-6849, 172.30.180.0/24 up). */
const PLACES: Record<string, { basePort: number; standalonePort: number; subnet: string }> = {
    redis7: { basePort: 8800, standalonePort: 6810, subnet: "172.30.180.0/24" },
    valkey8: { basePort: 8820, standalonePort: 6811, subnet: "172.30.181.0/24" },
};

function versionSuite(version: TestedVersion): void {
    describe(`${version.title} (${version.image}) on the engine runtime`, function () {
        const place = PLACES[version.tag];
        const announce = place.subnet.replace(/\.0\/24$/, ".1");
        let password = `ver-${Math.random().toString(36).slice(2)}-Secret`;
        const suite = engineSuiteStack(`ver${version.tag}`, {
            "redis-stack:image": { value: version.image },
            "redis-stack:serverCommand": { value: version.serverCommand },
            "redis-stack:cliCommand": { value: version.cliCommand },
            "redis-stack:basePort": { value: String(place.basePort) },
            "redis-stack:standalonePort": { value: String(place.standalonePort) },
            "redis-stack:subnet": { value: place.subnet },
            "redis-stack:password": { value: password, secret: true },
        });
        const { label, log } = suite;
        let stack: Stack;
        let outputs: OutputMap;

        const seeds = () => outputs.clusterSeeds.value as string[];
        const nodes = () => outputs.clusterNodes.value as NodeOutput[];
        const clusterNames = () => nodes().map((n) => n.name);
        const tlsFiles = (): TlsFiles => ({
            ca: outputs.tlsCaCert.value as string,
            cert: outputs.tlsClientCert.value as string,
            key: outputs.tlsClientKey.value as string,
        });
        const cluster = (tls?: TlsFiles) =>
            new Cluster((tls ? (outputs.clusterTlsSeeds.value as string[]) : seeds()).map(toAddress), {
                redisOptions: { password, ...(tls ? { tls } : {}) },
            });
        const up = async (what: string) => {
            const result = await timed(`${version.title}: ${what}`, () => stack.up({ onOutput: log }));
            assert.equal(result.summary.result, "succeeded");
            outputs = result.outputs;
            return result;
        };
        /** A node's role as it answers itself (failovers swap roles), at its host port. */
        const liveRole = async (node: NodeOutput) => {
            const client = new Redis({ ...toAddress(node.hostAddress), password, lazyConnect: true, retryStrategy: () => null });
            try {
                await client.connect();
                return ((await client.call("ROLE")) as string[])[0];
            } finally {
                client.disconnect();
            }
        };
        const keysIntact = async (tls?: TlsFiles) => {
            const client = cluster(tls);
            try {
                for (const [key, value] of RECIPE_KEYS) assert.equal(await client.get(key), value, key);
                const values = await Promise.all(KEYS.map((key) => client.get(key)));
                assert.deepEqual(
                    KEYS.filter((key, i) => values[i] !== `v-${key}`),
                    [],
                    "keys missing or changed",
                );
            } finally {
                client.disconnect();
            }
        };
        /** The image's CLI in a node's container, as a user runs it there (password from the environment). */
        const cliInNode = (node: NodeOutput, ...args: string[]) =>
            execFileSync("docker", ["exec", "-e", "REDISCLI_AUTH", node.name, version.cliCommand, ...args], {
                encoding: "utf8",
                env: { ...process.env, REDISCLI_AUTH: password },
            }).trim();

        before(async function () {
            stack = suite.stack;
            await up("up from nothing");
        });

        it("up from nothing: every node runs the version, the cluster is ok with 3 masters and 3 replicas, the recipe's keys go through ioredis and the image's CLI with -c, docker ps shows every node healthy", async () => {
            for (const node of nodes()) {
                const client = new Redis({ ...toAddress(node.hostAddress), password });
                try {
                    assertRunsVersion(await client.info("server"), version, node.name);
                    assert.equal(parseInfo(String(await client.call("CLUSTER", "INFO"))).cluster_state, "ok", node.name);
                } finally {
                    client.disconnect();
                }
            }
            assert.equal(nodes().filter((n) => n.role === "master").length, 3);
            assert.equal(nodes().filter((n) => n.role === "replica" && n.replicaOf).length, 3);
            const client = cluster();
            try {
                for (const [key, value] of RECIPE_KEYS) assert.equal(await client.set(key, value), "OK");
                await Promise.all(KEYS.map((key) => client.set(key, `v-${key}`)));
                // On the replicas too, so that a failover keeps every key.
                for (const master of client.nodes("master")) await master.call("WAIT", "1", "5000");
            } finally {
                client.disconnect();
            }
            const [host, port] = nodes()[0].address.split(":");
            for (const [key, value] of RECIPE_KEYS) assert.equal(cliInNode(nodes()[0], "-c", "-h", host, "-p", port, "get", key), value);
            // The health checks run /bin/sh and the image's CLI.
            const names = [...clusterNames(), `${suite.prefix}-standalone`];
            await poll("every node healthy in docker ps", 60000, async () =>
                names.every((n) => docker("inspect", "-f", "{{.State.Health.Status}}", n) === "healthy") ? true : undefined,
            );
        });

        it("clusterCheck's command, as the docker runtime runs it, reports every slot covered through the image's own CLI", () => {
            const settings = parseSettings({
                image: version.image,
                serverCommand: version.serverCommand,
                cliCommand: version.cliCommand,
                basePort: String(place.basePort),
                standalonePort: String(place.standalonePort),
                subnet: place.subnet,
            });
            const node = placedStack(settings, suite.prefix).clusterNodes[0];
            const report = execFileSync("bash", ["-c", clusterCheckCommand(node, true)], {
                encoding: "utf8",
                env: { ...process.env, REDISCLI_AUTH: password },
            });
            assert.match(report, /\[OK\] All 16384 slots covered/, report);
        });

        it("a master killed (SIGKILL): up brings it back with its node id, the cluster is ok on every node, no key is lost", async () => {
            const ids = Object.fromEntries(nodes().map((n) => [n.name, n.id]));
            let victim: NodeOutput | undefined;
            for (const node of nodes()) if ((await liveRole(node)) === "master") victim = victim ?? node;
            assert.ok(victim, "a master");
            docker("kill", victim.name);
            await up("up after a killed master");
            assert.equal(docker("inspect", "-f", "{{.State.Running}}", victim.name), "true");
            await waitClusterOk(seeds(), password, 60000);
            assert.deepEqual(Object.fromEntries(nodes().map((n) => [n.name, n.id])), ids, "every node kept its cluster identity");
            await keysIntact();
        });

        it("scale 3 -> 4 -> 3 masters: a plain up each time, every key kept", async () => {
            await stack.setConfig("redis-stack:masters", { value: "4" });
            await up("up from 3 to 4 masters");
            assert.equal(nodes().filter((n) => n.role === "master").length, 4);
            assert.ok(
                nodes()
                    .filter((n) => n.role === "master")
                    .every((n) => n.slots.length > 0),
                "every master holds slots",
            );
            assert.equal(labelled("ps", label).length, 9);
            await waitClusterOk(seeds(), password, 30000);
            await keysIntact();

            await stack.setConfig("redis-stack:masters", { value: "3" });
            await up("up from 4 to 3 masters");
            assert.equal(nodes().filter((n) => n.role === "master").length, 3);
            assert.equal(labelled("ps", label).length, 7, "the two extra nodes' containers are gone");
            await waitClusterOk(seeds(), password, 30000);
            await keysIntact();
        });

        it("a password change: no container restarts, every node takes the new password and refuses the old one", async () => {
            const names = labelled("ps", label);
            const startedBefore = startedAt(names);
            const old = password;
            password = `${old}-rotated`;
            await stack.setConfig("redis-stack:password", { value: password, secret: true });
            await up("password change");
            assert.deepEqual(startedAt(names), startedBefore, "no container restarted");
            for (const port of [...nodes().map((n) => toAddress(n.hostAddress).port), place.standalonePort]) {
                await withRawClient({ host: "127.0.0.1", port }, async (client) => {
                    await assert.rejects(client.call("AUTH", old), /WRONGPASS/, `port ${port} still takes the old password`);
                    assert.equal(await client.call("AUTH", password), "OK", `port ${port} refuses the new password`);
                });
            }
            await waitClusterOk(seeds(), password, 10000);
            await keysIntact();
        });

        it("a setting Redis takes only at start (tcp-backlog) rolls through the nodes one at a time, each restarted, every key kept, and a preview after shows nothing to do", async () => {
            const names = clusterNames();
            const startedBefore = startedAt(names);
            // Immutable at runtime on every version here (`databases` is not a fit: 8.0 and Valkey 8.1 force it
            // to 1 in cluster mode).
            await stack.setConfig('redis-stack:redisConfig["tcp-backlog"]', { value: "256" }, true);
            const sampler = new RunningSampler(label, names);
            let result: UpResult;
            try {
                result = await up("rolling settings change");
            } finally {
                const running = await sampler.stop();
                assert.ok(
                    running.minRunning >= names.length - 1,
                    `never more than one cluster node down (fewest running: ${running.minRunning})`,
                );
            }
            assert.ok((changed(result).update ?? 0) >= 7, JSON.stringify(changed(result)));
            const startedAfter = startedAt(names);
            for (const name of names) assert.ok(startedAfter.get(name)! > startedBefore.get(name)!, `${name} restarted`);
            for (const node of nodes()) {
                const client = new Redis({ ...toAddress(node.hostAddress), password });
                try {
                    assert.equal(((await client.call("CONFIG", "GET", "tcp-backlog")) as string[])[1], "256", node.name);
                } finally {
                    client.disconnect();
                }
            }
            await waitClusterOk(seeds(), password, 30000);
            await keysIntact();
            const preview = await stack.preview({ onOutput: log });
            assert.deepEqual(
                Object.entries(preview.changeSummary ?? {}).filter(([op, n]) => op !== "same" && n > 0),
                [],
                "nothing left to roll",
            );
        });

        it("plain -> TLS with a writer: every node switches live and restarts one at a time, keeps its id, 0 acknowledged writes lost, the cluster is ok over TLS", async () => {
            const ids = Object.fromEntries(nodes().map((n) => [n.name, n.id]));
            // Fail fast instead of queueing: once the ports serve TLS this client can only fail (never acknowledge).
            const plain = new Cluster(seeds().map(toAddress), {
                enableOfflineQueue: false,
                clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
                redisOptions: { password, maxRetriesPerRequest: 1 },
            });
            plain.on("error", () => undefined);
            const writer = new ClusterWriter(plain, "switch");
            // Writes acknowledged before the switch starts, so there is something to lose.
            await poll("the writer's first writes", 30000, async () => ((await plain.get("switch:0:50")) === "50" ? true : undefined));
            await stack.setConfig("redis-stack:tls", { value: "true" });
            const names = clusterNames();
            const sampler = new RunningSampler(label, names);
            try {
                await up("switch to TLS");
            } finally {
                const running = await sampler.stop();
                assert.ok(
                    running.minRunning >= names.length - 1,
                    `never more than one cluster node down (fewest running: ${running.minRunning})`,
                );
            }
            plain.disconnect();
            const reader = cluster(tlsFiles());
            let report;
            try {
                report = await writer.stopAndVerify(reader);
            } finally {
                reader.disconnect();
            }
            console.log(`      ${version.title}: writer during the switch to TLS: ${JSON.stringify(report)}`);
            assert.ok(report.acknowledged > 50, "the writer wrote before the switch");
            assert.equal(report.lost, 0, "no acknowledged write was lost");
            assert.deepEqual(Object.fromEntries(nodes().map((n) => [n.name, n.id])), ids, "every node kept its cluster identity");
            for (const seed of outputs.clusterTlsSeeds.value as string[]) {
                const client = new Redis({ ...toAddress(seed), password, tls: tlsFiles() });
                try {
                    assert.equal(parseInfo(String(await client.call("CLUSTER", "INFO"))).cluster_state, "ok", seed);
                } finally {
                    client.disconnect();
                }
            }
            await keysIntact(tlsFiles());
        });

        it("TLS from nothing: after destroy, up forms a TLS cluster; ok over TLS, plain clients refused, the recipe's keys through ioredis and the image's CLI with --tls -c", async () => {
            const destroyed = await timed(`${version.title}: destroy`, () => stack.destroy({ onOutput: log }));
            assert.equal(destroyed.summary.result, "succeeded");
            assert.deepEqual(labelled("ps", label), []);
            assert.deepEqual(labelled("volume", label), []);
            await up("up from nothing with TLS");
            assert.deepEqual(
                outputs.clusterTlsSeeds.value,
                [0, 1, 2, 3, 4, 5].map((i) => `${announce}:${place.basePort + i}`),
            );
            for (const seed of outputs.clusterTlsSeeds.value) {
                const client = new Redis({ ...toAddress(seed), password, tls: tlsFiles() });
                try {
                    assertRunsVersion(await client.info("server"), version, seed);
                    assert.equal(parseInfo(String(await client.call("CLUSTER", "INFO"))).cluster_state, "ok", seed);
                } finally {
                    client.disconnect();
                }
            }
            await assert.rejects(
                withRawClient(seeds()[0], (client) => client.call("PING")),
                "a plain client is refused by a TLS port",
            );
            const client = cluster(tlsFiles());
            try {
                for (const [key, value] of RECIPE_KEYS) assert.equal(await client.set(key, value), "OK");
            } finally {
                client.disconnect();
            }
            // In a node's container, with the node's own files (a client certificate the CA signed).
            const [host, port] = nodes()[0].address.split(":");
            for (const [key, value] of RECIPE_KEYS)
                assert.equal(cliInNode(nodes()[0], ...REDIS_CLI_TLS_ARGS, "-c", "-h", host, "-p", port, "get", key), value);
        });

        /** The config of a version's image and programs. */
        const programs = (v: TestedVersion) => ({
            "redis-stack:image": { value: v.image },
            "redis-stack:serverCommand": { value: v.serverCommand },
            "redis-stack:cliCommand": { value: v.cliCommand },
        });
        // Where the stack ends: the version itself, or for Redis 7.0's own suite the default's version.
        const target = version === REDIS_7 ? SUITE_VERSION : version;
        it(`a stack on ${REDIS_7.title} (${REDIS_7.image}) moved to ${target.title} (${target.image}) by a plain up (image and programs in one change): rolled one node at a time under a writer, 0 acknowledged writes lost, ids and keys kept`, async () => {
            // A new stack on 7.0, plain, as most existing ones are.
            await stack.destroy({ onOutput: log });
            await stack.setAllConfig({ ...programs(REDIS_7), "redis-stack:tls": { value: "false" } });
            await up(`up from nothing on ${REDIS_7.image}`);
            const seeded = cluster();
            try {
                for (const [key, value] of RECIPE_KEYS) await seeded.set(key, value);
                await Promise.all(KEYS.map((key) => seeded.set(key, `v-${key}`)));
                for (const master of seeded.nodes("master")) await master.call("WAIT", "1", "5000");
            } finally {
                seeded.disconnect();
            }
            const ids = Object.fromEntries(nodes().map((n) => [n.name, n.id]));
            const client = cluster();
            client.on("error", () => undefined);
            const writer = new ClusterWriter(client, "upgrade");
            let report;
            try {
                await stack.setAllConfig(programs(target));
                const names = clusterNames();
                const sampler = new RunningSampler(label, names);
                try {
                    await up(`rolling image change from ${REDIS_7.image} to ${target.title}`);
                } finally {
                    const running = await sampler.stop();
                    assert.ok(
                        running.minRunning >= names.length - 1,
                        `never more than one cluster node down (fewest running: ${running.minRunning})`,
                    );
                }
                report = await writer.stopAndVerify();
            } finally {
                client.disconnect();
            }
            console.log(`      ${target.title}: writer during the move from ${REDIS_7.image}: ${JSON.stringify(report)}`);
            assert.ok(report.acknowledged > 100, "the writer kept writing");
            assert.equal(report.lost, 0, "no acknowledged write was lost");
            for (const node of [...nodes().map((n) => n.hostAddress), `127.0.0.1:${place.standalonePort}`]) {
                const direct = new Redis({ ...toAddress(node), password });
                try {
                    assertRunsVersion(await direct.info("server"), target, node);
                } finally {
                    direct.disconnect();
                }
            }
            assert.deepEqual(Object.fromEntries(nodes().map((n) => [n.name, n.id])), ids, "every node kept its cluster identity");
            await waitClusterOk(seeds(), password, 30000);
            await keysIntact();
        });

        // Only where the stack ended on the default's 8.0: 7.0 cannot read what 8.0 wrote, the image change no node can take.
        if (target === SUITE_VERSION) {
            it(`an image the nodes' data cannot move to (${SUITE_VERSION.title} back to ${REDIS_7.title}): up fails at the first node, naming it, and replaces no other node (the standalone's turn comes last); they keep serving every key; the previous image again, up brings that node back`, async () => {
                const names = clusterNames();
                const standalone = `${suite.prefix}-standalone`;
                const startedBefore = startedAt([...names, standalone]);
                await stack.setAllConfig(programs(REDIS_7));
                const sampler = new RunningSampler(label, names);
                let failure = "";
                try {
                    await timed(`image change back to ${REDIS_7.title}`, () => stack.up({ onOutput: log }));
                } catch (err) {
                    failure = (err as Error).message;
                } finally {
                    const running = await sampler.stop();
                    assert.ok(
                        running.minRunning >= names.length - 1,
                        `never more than one cluster node down (fewest running: ${running.minRunning})`,
                    );
                }
                const stopped = /was not replaced: the replacement of (\S+) failed earlier in this run/.exec(failure);
                assert.ok(stopped, `the up failed and the other nodes' replacements name the one that failed:\n${failure.slice(-3000)}`);
                const failed = stopped[1];
                assert.ok(names.includes(failed), `${failed} is one of the cluster nodes`);
                // The failed node's container is gone (one that does not start is removed) or restarting; the others untouched.
                const startedNow = (name: string) => {
                    try {
                        return startedAt([name]).get(name);
                    } catch {
                        return undefined;
                    }
                };
                assert.deepEqual(
                    [...names, standalone].filter((n) => startedNow(n) !== startedBefore.get(n)),
                    [failed],
                    "only the node that failed was touched, the standalone node neither",
                );
                // The others say the cluster is ok (a replica down), and serve every key.
                const others = nodes().filter((n) => n.name !== failed);
                await waitClusterOk(
                    others.map((n) => n.address),
                    password,
                    30000,
                );
                await keysIntact();

                await stack.setAllConfig(programs(SUITE_VERSION));
                await up(`the previous image (${SUITE_VERSION.title}) again`);
                await waitClusterOk(seeds(), password, 30000);
                await keysIntact();
                for (const node of nodes()) {
                    const direct = new Redis({ ...toAddress(node.hostAddress), password });
                    try {
                        assertRunsVersion(await direct.info("server"), SUITE_VERSION, node.name);
                    } finally {
                        direct.disconnect();
                    }
                }
            });
        }
    });
}

describe("the version matrix on the engine runtime", function () {
    for (const version of OTHER_VERSIONS) versionSuite(version);
});
