// The real thing: the Pulumi engine runs index.ts through the Automation API against a real Docker
// engine (the `engine` runtime), with a temporary file backend and a unique stack name.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { parseSettings } from "../../components/settings/config";
import { PLAN_PREFIX, planReport } from "../../components/formation/planReport";
import { planFormation } from "../../components/redis/form";
import { DEFAULT_TIMEOUTS } from "../../components/common/timeouts";
import { parseInfo } from "../../components/redis/clusterView";
import Dockerode from "dockerode";
import { buildTopology } from "../../components/topology/topology";
import { KIND_LABEL, STACK_LABEL, placeOnDocker } from "../../components/runtime/dockerPlacement";
import { PROJECT_DIR, openEngineStack } from "../support/automation";
import { waitClusterOk } from "../support/clusterState";
import { TEST_IMAGE, placedFormationNodes } from "../support/fixture";
import { engineSuiteStack } from "../support/engineStack";
import { ClusterWriter } from "../support/writer";
import { docker, labelled } from "../support/dockerCli";
import { withRawClient } from "../support/rawClient";
import { RECIPE_KEYS } from "../support/recipe";
import { archivedOwnership, serverPrivileges } from "../support/leastPrivilege";

const PASSWORD = `e2e-${Math.random().toString(36).slice(2)}-Secret`;
const ROTATED_PASSWORD = `${PASSWORD}-rotated`;

interface NodeOutput {
    name: string;
    id: string;
    role: string;
    address: string;
    hostAddress: string;
    replicaOf?: string;
    slots: string[];
}

/** Listens on host:port, as another program holding a port the stack needs would. */
function holdPort(host: string, port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(port, host, () => resolve(server));
    });
}

function changesOf(summary: Record<string, number> | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n > 0));
}

describe("end to end through the Pulumi engine", function () {
    const suite = engineSuiteStack("e2e", {
        "redis-stack:basePort": { value: "7400" },
        "redis-stack:standalonePort": { value: "6779" },
        "redis-stack:subnet": { value: "172.30.104.0/24" },
        "redis-stack:password": { value: PASSWORD, secret: true },
    });
    const { prefix, label, log } = suite;
    let stack: Stack;
    let outputs: OutputMap;
    const timings: Record<string, number> = {};

    async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
        const started = Date.now();
        try {
            return await run();
        } finally {
            timings[what] = Date.now() - started;
            console.log(`      ${what} took ${timings[what]} ms`);
        }
    }

    before(async function () {
        stack = suite.stack;
        const result = await timed("up from nothing", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    });

    after(async function () {
        try {
            docker("rmi", `${TEST_IMAGE}-rolled`);
        } catch {
            /* never tagged */
        }
    });

    const seeds = () => outputs.clusterSeeds.value as string[];
    const pulumiEnv = () => ({ ...process.env, ...suite.cliEnv });
    const pulumiCli = suite.cli;
    const nodes = () => outputs.clusterNodes.value as NodeOutput[];

    it("up from nothing: every node reports cluster_state:ok, 3 masters and 3 replicas cover all slots", async () => {
        for (const seed of seeds()) {
            const [host, port] = seed.split(":");
            const c = new Redis({ host, port: Number(port), password: PASSWORD });
            const info = parseInfo(String(await c.call("CLUSTER", "INFO")));
            c.disconnect();
            assert.equal(info.cluster_state, "ok", seed);
            assert.equal(info.cluster_slots_ok, "16384", seed);
        }
        assert.equal(nodes().filter((n) => n.role === "master").length, 3);
        assert.equal(nodes().filter((n) => n.role === "replica" && n.replicaOf).length, 3);
        assert.deepEqual(
            nodes()
                .filter((n) => n.role === "master")
                .flatMap((n) => n.slots),
            ["0-5460", "5461-10922", "10923-16383"],
        );
    });

    it("the recipe's keys go through the exported endpoints with ioredis Cluster and redis-cli -c", async () => {
        const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });
        const password = outputs.redisPassword.value as string;
        // The announced seeds as they are, and loopback seeds with the natMap.
        const clients = [
            new Cluster(seeds().map(toAddress), { redisOptions: { password } }),
            new Cluster((outputs.loopbackSeeds.value as string[]).map(toAddress), {
                natMap: outputs.natMap.value,
                redisOptions: { password },
            }),
        ];
        try {
            for (const cluster of clients) {
                for (const [key, value] of RECIPE_KEYS) {
                    assert.equal(await cluster.set(key, value), "OK");
                    assert.equal(await cluster.get(key), value);
                }
            }
        } finally {
            clients.forEach((c) => c.disconnect());
        }
        const [host, port] = nodes()[0].address.split(":");
        for (const [key, value] of RECIPE_KEYS) {
            const out = execFileSync(
                "docker",
                ["exec", "-e", "REDISCLI_AUTH", nodes()[0].name, "redis-cli", "-c", "-h", host, "-p", port, "get", key],
                { encoding: "utf8", env: { ...process.env, REDISCLI_AUTH: PASSWORD } },
            );
            assert.equal(out.trim(), value);
        }
    });

    it("the standalone node answers on its exported URL, with the password", async () => {
        assert.equal(outputs.standaloneUrl.value, "redis://172.30.104.1:6779");
        assert.equal(outputs.standaloneLoopbackUrl.value, "redis://127.0.0.1:6779");
        for (const url of [outputs.standaloneUrl.value, outputs.standaloneLoopbackUrl.value] as string[]) {
            const standalone = new Redis(url, { password: PASSWORD });
            try {
                assert.equal(await standalone.set("standalone-key", url), "OK");
                assert.equal(parseInfo(await standalone.info("cluster")).cluster_enabled, "0");
            } finally {
                standalone.disconnect();
            }
        }
    });

    it("a second preview and a refresh right after report no changes, and the preview prints no formation plan", async () => {
        const preview = await timed("no-op preview", () => stack.preview({ onOutput: log }));
        assert.deepEqual(changesOf(preview.changeSummary), {});
        assert.ok(!preview.stdout.includes(PLAN_PREFIX), preview.stdout);
        const refresh = await timed("refresh", () => stack.refresh({ onOutput: log }));
        assert.deepEqual(changesOf(refresh.summary.resourceChanges), {});
    });

    it("the password never appears in plaintext in the exported state or the outputs", async () => {
        assert.equal(outputs.redisPassword.secret, true);
        // Not stack.exportStack(): the Automation API exports with --show-secrets.
        const state = pulumiCli("stack", "export", "--stack", suite.name);
        assert.ok(!state.includes(PASSWORD), "exported state contains the password");
        assert.match(state, /"ciphertext"/, "the password is stored encrypted");
        const leaking = (fs.readdirSync(suite.backendDir, { recursive: true }) as string[])
            .map((f) => path.join(suite.backendDir, f))
            .filter((f) => fs.statSync(f).isFile() && fs.readFileSync(f).includes(PASSWORD));
        assert.deepEqual(leaking, [], "no file of the state backend contains the password");
        const shown = pulumiCli("stack", "output", "--json", "--stack", suite.name);
        assert.ok(!shown.includes(PASSWORD), "pulumi stack output shows the password");
        assert.match(shown, /"redisPassword": "\[secret\]"/);
    }).timeout(60000);

    it("the example service reads the outputs and uses both the cluster and the standalone node", () => {
        const out = execFileSync("npx", ["ts-node", "--transpile-only", "examples/service/index.ts"], {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            env: { ...pulumiEnv(), STACK: suite.name },
        });
        assert.match(out, /cluster {4}foo = bar \(slot 12182\)/);
        assert.match(out, /cluster {4}hello = world \(slot 866\)/);
        assert.match(out, /cluster {4}weather = nice \(slot 8949\)/);
        assert.match(out, /standalone greeting = hello from the standalone node/);
    }).timeout(60000);

    it("a container removed behind Pulumi's back: refresh reports it, up brings it back and it rejoins with its data", async () => {
        const victim = nodes()[0];
        docker("rm", "-f", victim.name);
        const refresh = await stack.refresh({ onOutput: log });
        assert.ok(
            (refresh.summary.resourceChanges?.delete ?? 0) >= 1 || (refresh.summary.resourceChanges?.update ?? 0) >= 1,
            `refresh saw no change: ${JSON.stringify(refresh.summary.resourceChanges)}`,
        );
        const up = await timed("up after a removed container", () => stack.up({ onOutput: log }));
        assert.equal(up.summary.result, "succeeded");
        assert.deepEqual(labelled("ps", label).includes(victim.name), true);
        await waitClusterOk(seeds(), PASSWORD, 30000);
        const back = (up.outputs.clusterNodes.value as NodeOutput[]).find((n) => n.name === victim.name)!;
        assert.equal(back.id, victim.id, "the node kept its cluster identity (nodes.conf on its volume)");
        const node = new Redis({ host: "127.0.0.1", port: Number(back.hostAddress.split(":")[1]), password: PASSWORD });
        try {
            assert.ok(Number(await node.dbsize()) >= 1, "the node has its data back");
        } finally {
            node.disconnect();
        }
        const cluster = new Cluster([{ host: "127.0.0.1", port: 7401 }], {
            natMap: outputs.natMap.value,
            redisOptions: { password: PASSWORD },
        });
        try {
            for (const [key, value] of RECIPE_KEYS) assert.equal(await cluster.get(key), value);
        } finally {
            cluster.disconnect();
        }
    });

    async function liveRole(node: NodeOutput): Promise<"master" | "replica"> {
        const client = new Redis({ host: "127.0.0.1", port: Number(node.hostAddress.split(":")[1]), password: PASSWORD });
        try {
            return ((await client.call("ROLE")) as string[])[0] === "master" ? "master" : "replica";
        } finally {
            client.disconnect();
        }
    }

    it("a new image replaces the nodes one at a time, replicas first, masters after a failover, and a writer loses no acknowledged write", async () => {
        const rolledImage = `${TEST_IMAGE}-rolled`;
        docker("tag", TEST_IMAGE, rolledImage);
        const standalone = new Redis(outputs.standaloneUrl.value as string, { password: PASSWORD });
        await standalone.set("rolling-standalone-key", "kept");
        standalone.disconnect();
        // Live roles: earlier tests may have swapped a master and its replica since the outputs were read.
        const before = await Promise.all(nodes().map(async (n) => ({ ...n, role: await liveRole(n) })));
        const engine = new Dockerode();
        const clusterFilter = { filters: { label: [label, `${KIND_LABEL}=cluster-node`] }, all: true };
        // Watch the containers while the update runs: how many run at the lowest point.
        let fewestRunning = Infinity;
        let watching = true;
        const watcher = (async () => {
            while (watching) {
                const listed = await engine.listContainers(clusterFilter);
                fewestRunning = Math.min(fewestRunning, listed.filter((c) => c.State === "running").length);
                await new Promise((r) => setTimeout(r, 50));
            }
        })();
        const cluster = new Cluster(
            seeds().map((seed) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) })),
            { redisOptions: { password: PASSWORD } },
        );
        const writer = new ClusterWriter(cluster, "rolling");
        let report;
        try {
            await stack.setConfig("redis-stack:image", { value: rolledImage });
            const up = await timed("rolling image update", () => stack.up({ onOutput: log }));
            assert.equal(up.summary.result, "succeeded");
            assert.equal(up.summary.resourceChanges?.replace ?? 0, 0, "containers are recreated in place, not replaced by Pulumi");
            outputs = up.outputs;
            report = await writer.stopAndVerify();
        } finally {
            watching = false;
            await watcher;
            cluster.disconnect();
        }
        console.log(`      writer during the rolling update: ${JSON.stringify(report)}`);
        assert.ok(report.acknowledged > 100, "the writer kept writing");
        assert.equal(report.lost, 0, "no acknowledged write was lost");
        assert.equal(fewestRunning, 5, "exactly one node was down at a time");

        const containers = await Promise.all(before.map((n) => engine.getContainer(n.name).inspect()));
        assert.ok(
            containers.every((c) => c.Config.Image === rolledImage),
            "every node runs the new image",
        );
        const byRecreation = containers
            .map((c, i) => ({ created: Date.parse(c.Created), node: before[i] }))
            .sort((a, b) => a.created - b.created);
        assert.deepEqual(
            byRecreation.slice(0, 3).map((n) => n.node.role),
            ["replica", "replica", "replica"],
            "replicas went first",
        );
        const after = nodes();
        for (const node of before) {
            assert.equal(after.find((n) => n.name === node.name)?.id, node.id, `${node.name} kept its cluster identity`);
        }
        for (const master of before.filter((n) => n.role === "master")) {
            assert.equal(
                after.find((n) => n.name === master.name)?.role,
                "replica",
                `${master.name} failed over to its replica before it was replaced`,
            );
        }
        assert.equal(after.filter((n) => n.role === "master").length, 3);
        assert.equal(after.filter((n) => n.role === "replica" && n.replicaOf).length, 3);
        await waitClusterOk(seeds(), PASSWORD, 30000);
        const standaloneAfter = new Redis(outputs.standaloneUrl.value as string, { password: PASSWORD });
        try {
            assert.equal(
                await standaloneAfter.get("rolling-standalone-key"),
                "kept",
                "the standalone node kept its data across its recreation",
            );
        } finally {
            standaloneAfter.disconnect();
        }
    }).timeout(300000);

    it("security: every node (new masters after failovers too) and the standalone node need the password; ports bind to loopback and the gateway only; no command line or log shows the password", async () => {
        const endpoints = [
            ...nodes().map((n) => ({ name: n.name, port: Number(n.hostAddress.split(":")[1]) })),
            { name: "standalone", port: 6779 },
        ];
        for (const { name, port } of endpoints) {
            await withRawClient({ host: "127.0.0.1", port }, async (client) => {
                await assert.rejects(client.get("foo"), /NOAUTH/, `${name} answers without a password`);
                await assert.rejects(client.call("AUTH", "not-the-Password-1"), /WRONGPASS/, `${name} accepts a wrong password`);
                await assert.rejects(client.get("foo"), /NOAUTH/, `${name} answers after a wrong password`);
            });
        }
        // Replicas authenticate to their masters with masterauth, also to those they failed over to.
        for (const replica of nodes().filter((n) => n.role === "replica")) {
            const client = new Redis({ host: "127.0.0.1", port: Number(replica.hostAddress.split(":")[1]), password: PASSWORD });
            assert.equal(parseInfo(await client.info("replication")).master_link_status, "up", replica.name);
            client.disconnect();
        }
        const engine = new Dockerode();
        for (const name of labelled("ps", label)) {
            const info = await engine.getContainer(name).inspect();
            const hostIps = Object.values(info.HostConfig.PortBindings ?? {})
                .flat()
                .map((b) => (b as { HostIp: string }).HostIp);
            assert.ok(
                hostIps.length > 0 && hostIps.every((ip) => ip === "127.0.0.1" || ip === "172.30.104.1"),
                `${name} publishes on ${hostIps}`,
            );
            assert.ok(
                !JSON.stringify([info.Config.Cmd, info.Args, info.Config.Env]).includes(PASSWORD),
                `${name}'s command line or environment shows the password`,
            );
            assert.ok(!docker("logs", name).includes(PASSWORD), `${name}'s log shows the password`);
        }
        assert.ok(
            !execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).includes(PASSWORD),
            "a host process's command line shows the password",
        );
    });

    it("least privilege: every node's redis-server runs as uid 999 with no capability and no new privileges; its auth and settings files are its own, 0400; its data is its own", () => {
        const containers = labelled("ps", label);
        assert.equal(containers.length, 7, containers.join(", "));
        for (const name of containers) {
            const server = serverPrivileges(name);
            assert.deepEqual(server.uids, ["999", "999", "999", "999"], `${name}'s uids`);
            assert.deepEqual(server.gids, ["999", "999", "999", "999"], `${name}'s gids`);
            assert.equal(server.capEff, "0000000000000000", `${name}'s effective capabilities`);
            assert.equal(server.noNewPrivs, "1", `${name} may gain privileges`);
            for (const file of ["/etc/redis-stack-auth.conf", "/etc/redis-stack-settings.conf"]) {
                assert.deepEqual(archivedOwnership(name, file), [`-r-------- 999/999 ${file.slice("/etc/".length)}`], `${name}: ${file}`);
            }
            const data = archivedOwnership(name, "/data");
            assert.ok(data.length > 1, `${name}: /data holds ${data.join("; ")}`);
            assert.deepEqual(
                data.filter((entry) => entry.split(" ")[1] !== "999/999"),
                [],
                `${name}: every data file is the node's user's`,
            );
        }
    });

    it("scaling out onto a host port that is taken is refused before anything changes, and the running cluster is untouched", async () => {
        const blocker = await holdPort("127.0.0.1", 7407); // the loopback client port node 7 would get with 4 masters
        try {
            const containersBefore = labelled("ps", label).sort();
            await stack.setConfig("redis-stack:masters", { value: "4" });
            await assert.rejects(stack.up({ onOutput: log }), (err: Error) => {
                assert.match(err.message, /127\.0\.0\.1:7407 \(client port of redis-stack-e2e\w+-node-7\)/);
                assert.match(err.message, /redis-stack:basePort/);
                return true;
            });
            assert.deepEqual(labelled("ps", label).sort(), containersBefore, "no container was created or removed");
            await waitClusterOk(seeds(), PASSWORD, 10000);
        } finally {
            await stack.setConfig("redis-stack:masters", { value: "3" });
            await new Promise((r) => blocker.close(r));
        }
    });

    it("a preview of raising masters to 4 prints the plan the formation would apply, slot moves included, and changes nothing", async () => {
        const containersBefore = labelled("ps", label).sort();
        await stack.setConfig("redis-stack:masters", { value: "4" });
        let out: string;
        try {
            out = (await timed("preview of 3 -> 4 masters", () => stack.preview({ onOutput: log }))).stdout;
        } finally {
            await stack.setConfig("redis-stack:masters", { value: "3" });
        }
        // The same plan, observed and computed here from the live cluster (which roles earlier tests swapped decides it).
        const settings = parseSettings({
            image: TEST_IMAGE,
            basePort: "7400",
            standalonePort: "6779",
            subnet: "172.30.104.0/24",
            masters: "4",
        });
        const topology = placeOnDocker(buildTopology(settings, prefix), settings, prefix);
        const planned = await planFormation({
            nodes: placedFormationNodes(topology),
            slotPlan: [...topology.slotPlan],
            password: PASSWORD,
            connectTimeoutMs: DEFAULT_TIMEOUTS.planProbeMs,
        });
        const moved = planned.steps.reduce((sum, step) => sum + (step.kind === "move-slots" ? step.slots.length : 0), 0);
        assert.ok(moved >= 4096, `the plan moves at least the new master's share: ${moved} slots`);
        assert.deepEqual(planned.unreachable, [`${prefix}-node-6`, `${prefix}-node-7`]);
        const diagnostics = out.slice(out.indexOf("Diagnostics:"));
        let at = 0;
        for (const line of planReport(planned)) {
            const found = diagnostics.indexOf(line, at);
            assert.ok(found >= at, `preview output lacks, or has out of order: ${line}\n${out}`);
            at = found + line.length;
        }
        assert.match(diagnostics, /\d+\. move \d+ slots \([\d,-]+\) with their keys from \S+ to \S+\n/);
        assert.deepEqual(labelled("ps", label).sort(), containersBefore, "the preview created or removed no container");
        await waitClusterOk(seeds(), PASSWORD, 10000);
    });

    it("raising masters to 4 and lowering them back to 3 is a plain up each time, and no key is lost", async () => {
        const keysIntact = async (result: { outputs: OutputMap }) => {
            const seedsNow = (result.outputs.clusterSeeds.value as string[]).map((seed) => ({
                host: seed.split(":")[0],
                port: Number(seed.split(":")[1]),
            }));
            const cluster = new Cluster(seedsNow, { redisOptions: { password: PASSWORD } });
            try {
                for (const [key, value] of RECIPE_KEYS) assert.equal(await cluster.get(key), value);
            } finally {
                cluster.disconnect();
            }
        };
        const roles = (result: { outputs: OutputMap }) => (result.outputs.clusterNodes.value as NodeOutput[]).map((n) => n.role);
        const writer = new Cluster(
            seeds().map((seed) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) })),
            { redisOptions: { password: PASSWORD } },
        );
        for (const [key, value] of RECIPE_KEYS) await writer.set(key, value);
        writer.disconnect();

        await stack.setConfig("redis-stack:masters", { value: "4" });
        const out = await timed("up from 3 to 4 masters", () => stack.up({ onOutput: log }));
        // What the formation printed, in the up's output: how the slot move went.
        const moveSummary = /moved [\d,]+ slots with [\d,]+ keys in [\d.]+ s/;
        assert.match(out.stdout, moveSummary, "the up shows the slots and keys it moved");
        assert.equal(roles(out).filter((r) => r === "master").length, 4);
        assert.equal(roles(out).length, 8);
        assert.equal(labelled("ps", label).length, 9);
        await keysIntact(out);

        await stack.setConfig("redis-stack:masters", { value: "3" });
        const back = await timed("up from 4 to 3 masters", () => stack.up({ onOutput: log }));
        assert.match(back.stdout, moveSummary, "the up shows the slots and keys it moved");
        assert.equal(roles(back).filter((r) => r === "master").length, 3);
        assert.equal(labelled("ps", label).length, 7, "the two extra nodes' containers are gone");
        await waitClusterOk(seeds(), PASSWORD, 30000);
        await keysIntact(back);
        outputs = back.outputs;
    });

    it("changing the password is a plain up: no container restarts, every node takes the new one and refuses the old, replication stays up, a restarted node keeps it", async () => {
        const idsOf = async () =>
            Object.fromEntries(
                await Promise.all(
                    labelled("ps", label).map(async (name) => [name, (await new Dockerode().getContainer(name).inspect()).Id]),
                ),
            );
        const idsBefore = await idsOf();
        await stack.setConfig("redis-stack:password", { value: ROTATED_PASSWORD, secret: true });
        const up = await timed("password change", () => stack.up({ onOutput: log }));
        assert.equal(up.summary.result, "succeeded");
        outputs = up.outputs;
        assert.deepEqual(await idsOf(), idsBefore, "no container was recreated");
        const ports = [...nodes().map((n) => Number(n.hostAddress.split(":")[1])), 6779];
        for (const port of ports) {
            await withRawClient({ host: "127.0.0.1", port }, async (client) => {
                await assert.rejects(client.call("AUTH", PASSWORD), /WRONGPASS/, `port ${port} still takes the old password`);
                assert.equal(await client.call("AUTH", ROTATED_PASSWORD), "OK", `port ${port} refuses the new password`);
            });
        }
        await waitClusterOk(seeds(), ROTATED_PASSWORD, 10000);
        // A restarted replica reads the rewritten auth config: it takes the new password and syncs with it.
        const replica = nodes().find((n) => n.role === "replica")!;
        docker("restart", "-t", "1", replica.name);
        await waitClusterOk(seeds(), ROTATED_PASSWORD, 30000);
        const client = new Redis({ host: "127.0.0.1", port: Number(replica.hostAddress.split(":")[1]), password: ROTATED_PASSWORD });
        try {
            for (let i = 0; parseInfo(await client.info("replication")).master_link_status !== "up"; i++) {
                assert.ok(i < 500, `${replica.name} did not resync with the new password`);
                await new Promise((r) => setTimeout(r, 20));
            }
        } finally {
            client.disconnect();
        }
        assert.ok(
            !pulumiCli("stack", "export", "--stack", suite.name).includes(ROTATED_PASSWORD),
            "the new password is not in plaintext in the state",
        );
    });

    it("moving the stack to another subnet re-forms the same cluster at the new addresses (nodes.conf holds the old ones), with its data", async () => {
        const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });
        const before = new Cluster(seeds().map(toAddress), { redisOptions: { password: ROTATED_PASSWORD } });
        await before.set("subnet-key", "kept");
        before.disconnect();
        const idsBefore = Object.fromEntries(nodes().map((n) => [n.name, n.id]));
        await stack.setConfig("redis-stack:subnet", { value: "172.30.110.0/24" });
        const up = await timed("subnet change", () => stack.up({ onOutput: log }));
        assert.equal(up.summary.result, "succeeded");
        outputs = up.outputs;
        assert.ok(
            seeds().every((s) => s.startsWith("172.30.110.1:")),
            `seeds ${seeds()}`,
        );
        assert.deepEqual(Object.fromEntries(nodes().map((n) => [n.name, n.id])), idsBefore, "same cluster identities");
        await waitClusterOk(seeds(), ROTATED_PASSWORD, 30000);
        const after = new Cluster(seeds().map(toAddress), { redisOptions: { password: ROTATED_PASSWORD } });
        try {
            assert.equal(await after.get("subnet-key"), "kept");
        } finally {
            after.disconnect();
        }
    });

    it("destroy leaves no container, network or volume carrying the stack's label", async () => {
        assert.ok(labelled("ps", label).length === 7);
        const result = await timed("destroy", () => stack.destroy({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(labelled("ps", label), []);
        assert.deepEqual(labelled("network", label), []);
        assert.deepEqual(labelled("volume", label), []);
        assert.ok(
            suite.cliOutput.length > 0 && !suite.cliOutput.includes(PASSWORD),
            "the Pulumi output of this suite never shows the password",
        );
        assert.ok(!suite.cliOutput.includes(ROTATED_PASSWORD), "nor the new one");
    });
});

describe("end to end: invalid config", function () {
    const stackName = `e2ebad${Date.now().toString(36)}`;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-bad-"));
    let stack: Stack;

    before(async () => {
        stack = await openEngineStack(stackName, backendDir, "e2e-passphrase");
        await stack.setAllConfig({
            "redis-stack:runtime": { value: "engine" },
            "redis-stack:masters": { value: "2" },
            "redis-stack:networkMode": { value: "mesh" },
        });
    });
    after(async () => {
        await stack?.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
        fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), { force: true });
        fs.rmSync(backendDir, { recursive: true, force: true });
    });

    it("fails preview and up with the key, the value and what is allowed, and creates nothing", async () => {
        for (const run of [() => stack.preview(), () => stack.up()]) {
            await assert.rejects(run(), (err: Error) => {
                assert.match(err.message, /masters: got "2"; allowed: a whole number from 3 to 100/);
                assert.match(err.message, /networkMode: got "mesh"; allowed: bridge or host/);
                return true;
            });
        }
        assert.deepEqual(labelled("ps", `${STACK_LABEL}=redis-stack-${stackName}`), []);
        const state = await stack.exportStack();
        const resources = (state.deployment as { resources?: Array<{ type: string }> }).resources ?? [];
        assert.deepEqual(
            resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
            [],
        );
    });
});

describe("end to end: a password set without --secret", function () {
    const stackName = `e2eplain${Date.now().toString(36)}`;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-plain-"));
    after(() => {
        fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), { force: true });
        fs.rmSync(backendDir, { recursive: true, force: true });
    });

    it("is refused by preview and up, naming the key and the command, never the value, and nothing is created", async () => {
        const stack = await openEngineStack(stackName, backendDir, "e2e-passphrase");
        await stack.setAllConfig({ "redis-stack:runtime": { value: "engine" }, "redis-stack:password": { value: "plain-Secret-77" } });
        for (const run of [() => stack.preview(), () => stack.up()]) {
            await assert.rejects(run(), (err: Error) => {
                assert.match(
                    err.message,
                    /password: set in plaintext in the stack's config file; allowed: a secret, set with pulumi config set --secret/,
                );
                assert.ok(!err.message.includes("plain-Secret-77"));
                return true;
            });
        }
        const resources = ((await stack.exportStack()).deployment as { resources?: Array<{ type: string }> }).resources ?? [];
        assert.deepEqual(
            resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
            [],
        );
        await stack.workspace.removeStack(stackName, { force: true });
    });
});

describe("end to end: refused before anything is created", function () {
    const stackName = `e2eref${Date.now().toString(36)}`;
    const label = `${STACK_LABEL}=redis-stack-${stackName}`;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-refused-"));
    const config = {
        "redis-stack:runtime": { value: "engine" },
        "redis-stack:image": { value: TEST_IMAGE },
        "redis-stack:basePort": { value: "7600" },
        "redis-stack:standalonePort": { value: "6879" },
        "redis-stack:subnet": { value: "172.30.106.0/24" },
    };
    const nothingCreated = async (stack: Stack) => {
        assert.deepEqual(labelled("ps", label), []);
        assert.deepEqual(labelled("network", label), []);
        assert.deepEqual(labelled("volume", label), []);
        const state = await stack.exportStack();
        const resources = (state.deployment as { resources?: Array<{ type: string }> }).resources ?? [];
        assert.deepEqual(
            resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
            [],
        );
    };

    after(async () => {
        const stack = await openEngineStack(stackName, backendDir, "e2e-passphrase");
        await stack.destroy().catch(() => undefined);
        await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
        fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), { force: true });
        fs.rmSync(backendDir, { recursive: true, force: true });
    });

    it("a host port already in use: preview and up name the port, its node and the settings to change", async () => {
        const stack = await openEngineStack(stackName, backendDir, "e2e-passphrase");
        await stack.setAllConfig(config);
        const blocker = await holdPort("127.0.0.1", 6879);
        try {
            for (const run of [() => stack.preview(), () => stack.up()]) {
                await assert.rejects(run(), (err: Error) => {
                    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:6879 \\(client port of redis-stack-${stackName}-standalone\\)`));
                    assert.match(err.message, /redis-stack:standalonePort/);
                    return true;
                });
            }
        } finally {
            await new Promise((r) => blocker.close(r));
        }
        await nothingCreated(stack);
    });

    it("an unreachable Docker engine: up says so and how to fix it", async () => {
        const stack = await openEngineStack(stackName, backendDir, "e2e-passphrase", { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
        await assert.rejects(
            stack.up(),
            /the Docker engine is not reachable \(ENOENT\); start Docker \(npm run setup does\) or set DOCKER_HOST/,
        );
        await nothingCreated(stack);
    });
});
