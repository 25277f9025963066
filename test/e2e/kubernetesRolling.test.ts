// The kubernetes runtime's settings, resources and rolling pod replacement, for real: one stack on the
// local single-node Kubernetes of scripts/k8s/, taken through a sequence of `up`s by the Automation API.
// `redisConfig` reaches the running pods with CONFIG SET (same pods), `refresh` notices a drifted value,
// a setting Redis takes only at start replaces the pods one at a time, each master failed over first,
// while a writer counts its acknowledged writes; `resources` are in every pod's spec.
import { strict as assert } from "assert";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { Cluster } from "ioredis";
import { waitClusterOk } from "../support/clusterState";
import { kubeConnection, kubeRequest } from "../../components/runtime/kubernetes/kubeApi";
import { KUBECONFIG, ask, kubectl } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { ClusterWriter } from "../support/writer";

const PASSWORD = `k8s-${Math.random().toString(36).slice(2)}-Secret`;
const RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } };
const PODS = ["node-0-0", "node-1-0", "node-2-0", "node-3-0", "node-4-0", "node-5-0", "standalone-0"];
const CLUSTER_PODS = PODS.filter((p) => p.startsWith("node-"));

interface NodeOutput {
    name: string;
    id: string;
    role: string;
    address: string;
    replicaOf?: string;
}

interface PodSeen {
    uid: string;
    terminating: boolean;
    ready: boolean;
    startedAt?: string;
    restarts: number;
}

/** One look at the stack's pods. */
interface Sample {
    at: number;
    pods: Record<string, PodSeen | undefined>;
    /** Each cluster pod's node's own answer to ROLE (`master`/`slave`), where it answered. */
    roles: Record<string, string | undefined>;
}

describe("kubernetes runtime: settings in place, resources, rolling replacement failover first (local Kubernetes)", function () {
    const suite = kubernetesSuiteStack("roll", { "redis-stack:password": { value: PASSWORD, secret: true } });
    const { namespace, log } = suite;
    let stack: Stack;
    let outputs: OutputMap;
    // Read in this process, not by a kubectl per look: the watcher below looks every 50 ms through a rolling
    // replacement, and each kubectl took about 85 ms of CPU (15 s in this file, measured with process accounting).
    async function podsNow(): Promise<Record<string, PodSeen | undefined>> {
        const list = await kubeRequest(kubeConnection(KUBECONFIG), "GET", `/api/v1/namespaces/${namespace}/pods`);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const items = (list as { items: any[] }).items;
        const seen: Record<string, PodSeen | undefined> = {};
        for (const pod of items) {
            const container = pod.status?.containerStatuses?.[0];
            seen[pod.metadata.name as string] = {
                uid: pod.metadata.uid,
                terminating: Boolean(pod.metadata.deletionTimestamp),
                ready: ((pod.status?.conditions ?? []) as { type: string; status: string }[]).some(
                    (c) => c.type === "Ready" && c.status === "True",
                ),
                startedAt: container?.state?.running?.startedAt,
                restarts: container?.restartCount ?? 0,
            };
        }
        return seen;
    }

    const seeds = () => outputs.clusterSeeds.value as string[];
    const nodes = () => outputs.clusterNodes.value as NodeOutput[];
    const standalone = () => (outputs.standaloneUrl.value as string).replace("redis://", "");
    const everyNode = () => [...seeds(), standalone()];
    const podOf = (address: string) => (address === standalone() ? "standalone-0" : `node-${seeds().indexOf(address)}-0`);
    const configGet = async (address: string, name: string) => {
        const reply = await ask(address, PASSWORD, "CONFIG", "GET", name);
        return reply?.split(",")[1];
    };

    /** The whole map, as a user sets an object-valued key: key by key with --path (a JSON string is refused by Pulumi's type check). */
    async function setRedisConfig(settings: Record<string, string>): Promise<void> {
        await stack.removeConfig("redis-stack:redisConfig");
        await stack.setAllConfig(
            Object.fromEntries(Object.entries(settings).map(([k, v]) => [`redis-stack:redisConfig["${k}"]`, { value: v }])),
            true,
        );
    }

    before(async function () {
        stack = suite.stack;
        await stack.setAllConfig(
            {
                "redis-stack:resources.requests.cpu": { value: RESOURCES.requests.cpu },
                "redis-stack:resources.requests.memory": { value: RESOURCES.requests.memory },
                "redis-stack:resources.limits.cpu": { value: RESOURCES.limits.cpu },
                "redis-stack:resources.limits.memory": { value: RESOURCES.limits.memory },
            },
            true,
        );
        await setRedisConfig({ maxmemory: "64mb" });
        const result = await timed("up from nothing with redisConfig and resources", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    });

    it("gives every pod the declared requests and limits, and every node the settings from the start", async () => {
        for (const pod of PODS) {
            const resources = JSON.parse(
                kubectl("get", "pod", pod, "-n", namespace, "-o", "jsonpath={.spec.containers[0].resources}"),
            ) as object;
            assert.deepEqual(resources, RESOURCES, pod);
        }
        for (const address of everyNode()) assert.equal(await configGet(address, "maxmemory"), String(64 * 2 ** 20), address);
    });

    it("applies a maxmemory change with CONFIG SET: the same pods, never restarted, and the new value on every node", async () => {
        const before = await podsNow();
        await setRedisConfig({ maxmemory: "100mb" });
        const result = await timed("up with a new maxmemory", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
        const after = await podsNow();
        for (const pod of PODS) {
            assert.equal(after[pod]?.uid, before[pod]?.uid, `${pod} is the same pod`);
            assert.equal(after[pod]?.startedAt, before[pod]?.startedAt, `${pod}'s container was not restarted`);
            assert.equal(after[pod]?.restarts, before[pod]?.restarts, `${pod}'s container was not restarted`);
        }
        for (const address of everyNode()) assert.equal(await configGet(address, "maxmemory"), String(100 * 2 ** 20), address);
        // A pod that starts later reads the same value from the settings ConfigMap.
        assert.match(
            kubectl("get", "configmap", "cluster-settings", "-n", namespace, "-o", "jsonpath={.data.settings\\.conf}"),
            /maxmemory "100mb"/,
        );
    });

    it("refresh notices a node whose maxmemory drifted (CONFIG SET by hand), and up puts it back in place", async () => {
        const drifted = seeds()[1];
        assert.equal(await ask(drifted, PASSWORD, "CONFIG", "SET", "maxmemory", "50mb"), "OK");
        const before = await podsNow();
        await stack.refresh({ onOutput: log });
        let previewOutput = "";
        await stack.preview({ onOutput: (line) => (previewOutput += line) });
        const updated = [
            ...new Set([...previewOutput.matchAll(/~\s+pulumi-nodejs:dynamic\/redis-stack:NodePod (\S+) update/g)].map((m) => m[1])),
        ];
        assert.deepEqual(updated, [`redis-stack-cluster-node-1-pod`], `the drifted node's NodePod shows an update:\n${previewOutput}`);
        const result = await stack.up({ onOutput: log });
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
        assert.equal(await configGet(drifted, "maxmemory"), String(100 * 2 ** 20));
        assert.equal((await podsNow())[podOf(drifted)]?.uid, before[podOf(drifted)]?.uid, "put back in place, same pod");
    });

    it("replaces the pods one at a time for a setting Redis takes only at start (tcp-backlog), each master failed over first, 0 acknowledged writes lost", async () => {
        const before = await podsNow();
        const originalNodes = nodes();
        const originalMasters = originalNodes.filter((n) => n.role === "master");
        const originalReplicaOf = (master: string) => originalNodes.find((n) => n.replicaOf === master)!;
        const mastersBefore = new Set(originalMasters.map((n) => podOf(n.address)));
        assert.equal(mastersBefore.size, 3);
        // Watch the pods and every node's role while the update runs.
        const samples: Sample[] = [];
        let watching = true;
        const watcher = (async () => {
            while (watching) {
                // The pods first, then the roles: a master's pod seen going was deleted before its replica was asked.
                const pods = await podsNow().catch(() => undefined);
                const roles = await Promise.all(seeds().map(async (seed) => (await ask(seed, PASSWORD, "ROLE"))?.split(",")[0]));
                if (pods) samples.push({ at: Date.now(), pods, roles: Object.fromEntries(seeds().map((s, i) => [podOf(s), roles[i]])) });
                await new Promise((r) => setTimeout(r, 50));
            }
        })();
        const cluster = new Cluster(
            seeds().map((seed) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) })),
            { redisOptions: { password: PASSWORD } },
        );
        cluster.on("error", () => undefined);
        const writer = new ClusterWriter(cluster, "rolling");
        let report;
        try {
            // Taken only at start on every version (`databases` is not a fit: Redis 8 forces it to 1 on cluster nodes).
            await setRedisConfig({ maxmemory: "100mb", "tcp-backlog": "256" });
            let upOutput = "";
            const result = await timed("rolling replacement for tcp-backlog", () =>
                stack.up({
                    onOutput: (line) => {
                        upOutput += line;
                        log(line);
                    },
                }),
            );
            // How long each node's replacement took, turn waits included (Pulumi's elapsed time per resource).
            console.log(`      ${[...upOutput.matchAll(/NodePod (\S+) updated \((\d+)s\)/g)].map((m) => `${m[1]} ${m[2]}s`).join(", ")}`);
            assert.equal(result.summary.result, "succeeded");
            outputs = result.outputs;
            report = await writer.stopAndVerify();
        } finally {
            watching = false;
            await watcher;
            cluster.disconnect();
        }
        console.log(`      writer during the rolling replacement: ${JSON.stringify(report)}; ${samples.length} samples of the pods`);
        assert.ok(report.acknowledged > 100, "the writer kept writing");
        assert.equal(report.lost, 0, "no acknowledged write was lost");

        const after = await podsNow();
        for (const pod of PODS) assert.notEqual(after[pod]?.uid, before[pod]?.uid, `${pod} was replaced`);
        for (const address of everyNode()) assert.equal(await configGet(address, "tcp-backlog"), "256", address);
        // Each restarted node shortens its own node timeout while its peers renew their links to it (busLinks.ts): set back.
        for (const seed of seeds()) assert.equal(await configGet(seed, "cluster-node-timeout"), "5000", seed);

        // One at a time: no sample shows two cluster pods out of service (terminating, gone or not ready).
        const outOfService = (s: Sample) => CLUSTER_PODS.filter((p) => !s.pods[p] || s.pods[p].terminating || !s.pods[p].ready);
        const worst = samples.reduce((most, s) => (outOfService(s).length > most.length ? outOfService(s) : most), [] as string[]);
        assert.ok(worst.length <= 1, `at most one cluster pod out of service at a time; saw ${worst.join(", ")} at once`);
        // Each master's replica was a master by the time its pod was first seen going: the failover came first.
        // (Without it, the replica would take over only after cluster-node-timeout, and writes to its slots would fail meanwhile.)
        const goneAt = (pod: string) =>
            samples.findIndex((s) => !s.pods[pod] || s.pods[pod].terminating || s.pods[pod].uid !== before[pod]!.uid);
        const order = [...CLUSTER_PODS].sort((x, y) => goneAt(x) - goneAt(y));
        console.log(`      pods replaced in this order: ${order.join(", ")} (masters before: ${[...mastersBefore].join(", ")})`);
        for (const master of originalMasters) {
            const pod = podOf(master.address);
            const replicaPod = podOf(originalReplicaOf(master.name).address);
            const promotedAt = samples.findIndex((s) => s.roles[replicaPod] === "master");
            assert.ok(goneAt(pod) > 0, `${pod} was seen going`);
            assert.ok(
                promotedAt >= 0 && promotedAt <= goneAt(pod),
                `${pod} (a master) failed over to ${replicaPod} before its pod went (promoted at sample ${promotedAt}, pod went at ${goneAt(pod)})`,
            );
        }
        assert.equal(report.failed, 0, "no write failed: no master was away without a failover");
        await waitClusterOk(seeds(), PASSWORD, 30000);
        assert.equal(nodes().filter((n) => n.role === "master").length, 3);
    });
});
