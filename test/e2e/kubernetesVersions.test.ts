// The version matrix on the kubernetes runtime (the local single-node Kubernetes of scripts/k8s/): Redis
// 7.0 and Valkey 8.1 besides the default's 8.0 that every other suite runs (test/support/versions.ts), each imported into the cluster's containerd from the local
// Docker engine, one stack per version: from nothing with the recipe's keys (through ioredis, and the
// image's CLI with -c from a pod); a setting the server takes only at start rolled through the pods under a
// writer, each master failed over first, which needs every peer's fresh bus link to the replaced pod
// (components/redis/busLinks.ts reads the version's CLUSTER LINKS and CLUSTER NODES); then a master's pod
// deleted, back by itself with its node id and keys.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { Cluster } from "ioredis";
import { PROJECT_DIR } from "../support/automation";
import { waitClusterOk } from "../support/clusterState";
import { ask, kubectl, poll } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { POD_AUTH_CONFIG_PATH } from "../../components/runtime/kubernetes/manifests";
import { passwordFromFile } from "../../components/topology/nodeHealth";
import { RECIPE_KEYS } from "../support/recipe";
import { OTHER_VERSIONS, TestedVersion, assertRunsVersion } from "../support/versions";
import { ClusterWriter } from "../support/writer";

const KEYS = Array.from({ length: 100 }, (_, i) => `ver:${i}`);

interface NodeOutput {
    name: string;
    id: string;
    role: string;
    address: string;
}

function versionSuite(version: TestedVersion): void {
    describe(`${version.title} (${version.image}) on the kubernetes runtime`, function () {
        const password = `k8sver-${Math.random().toString(36).slice(2)}-Secret`;
        const suite = kubernetesSuiteStack(`v${version.tag}`, {
            "redis-stack:image": { value: version.image },
            "redis-stack:serverCommand": { value: version.serverCommand },
            "redis-stack:cliCommand": { value: version.cliCommand },
            "redis-stack:password": { value: password, secret: true },
        });
        const { namespace, log } = suite;
        let stack: Stack;
        let outputs: OutputMap;
        const seeds = () => outputs.clusterSeeds.value as string[];
        const nodes = () => outputs.clusterNodes.value as NodeOutput[];
        const cluster = () =>
            new Cluster(
                seeds().map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
                { redisOptions: { password } },
            );

        before(async function () {
            // After the suite's own hook has the cluster running: the image, which its containerd cannot pull.
            execFileSync("bash", [path.join(PROJECT_DIR, "scripts/k8s/images.sh"), "cluster", version.image], {
                stdio: ["ignore", "ignore", "inherit"],
            });
            stack = suite.stack;
            const result = await timed(`${version.title} on Kubernetes: up from nothing`, () => stack.up({ onOutput: log }));
            assert.equal(result.summary.result, "succeeded");
            outputs = result.outputs;
        });

        it("up from nothing: every node runs the version and reports cluster_state:ok, 3 masters and 3 replicas; the recipe's keys through ioredis and the image's CLI with -c from a pod", async () => {
            for (const seed of seeds()) {
                assertRunsVersion((await ask(seed, password, "INFO", "server")) ?? "", version, seed);
                assert.match((await ask(seed, password, "CLUSTER", "INFO")) ?? "", /cluster_state:ok/, seed);
            }
            assert.equal(nodes().filter((n) => n.role === "master").length, 3);
            assert.equal(nodes().filter((n) => n.role === "replica").length, 3);
            const client = cluster();
            try {
                await Promise.all(KEYS.map((key) => client.set(key, `v-${key}`)));
                for (const master of client.nodes("master")) await master.call("WAIT", "1", "5000");
            } finally {
                client.disconnect();
            }
            // As the recipe did, at one seed with the CLI following MOVED, from the standalone node's pod (the
            // password read from its mounted auth file, never on a command line).
            const [host, port] = seeds()[0].split(":");
            const cli = `${version.cliCommand} -c -h ${host} -p ${port}`;
            const script = `${passwordFromFile(POD_AUTH_CONFIG_PATH)} ${RECIPE_KEYS.map(([key, value]) => `${cli} set ${key} ${value} && ${cli} get ${key}`).join(" && ")}`;
            const lines = kubectl("exec", "standalone-0", "-n", namespace, "--", "sh", "-c", script).split("\n");
            assert.deepEqual(
                lines,
                RECIPE_KEYS.flatMap(([, value]) => ["OK", value]),
            );
        });

        it("a setting the server takes only at start (tcp-backlog) replaces every pod in turn under a writer: no write failed or lost (masters failed over first), node ids and keys kept", async () => {
            const pods = () =>
                Object.fromEntries(
                    (
                        JSON.parse(kubectl("get", "pods", "-n", namespace, "-o", "json")) as {
                            items: { metadata: { name: string; uid: string } }[];
                        }
                    ).items.map((pod) => [pod.metadata.name, pod.metadata.uid]),
                );
            const before = pods();
            const ids = Object.fromEntries(nodes().map((n) => [n.name, n.id]));
            const client = cluster();
            client.on("error", () => undefined);
            const writer = new ClusterWriter(client, "rolling");
            let report;
            try {
                await stack.setConfig('redis-stack:redisConfig["tcp-backlog"]', { value: "256" }, true);
                const result = await timed(`${version.title} on Kubernetes: rolling replacement for tcp-backlog`, () =>
                    stack.up({ onOutput: log }),
                );
                assert.equal(result.summary.result, "succeeded");
                outputs = result.outputs;
                report = await writer.stopAndVerify();
            } finally {
                client.disconnect();
            }
            console.log(`      ${version.title} on Kubernetes: writer during the rolling replacement: ${JSON.stringify(report)}`);
            assert.ok(report.acknowledged > 100, "the writer kept writing");
            assert.equal(report.lost, 0, "no acknowledged write was lost");
            assert.equal(report.failed, 0, "no write failed: every master failed over before its pod went");
            const after = pods();
            for (const pod of Object.keys(before).filter((p) => p.startsWith("node-")))
                assert.notEqual(after[pod], before[pod], `${pod} was replaced`);
            for (const seed of seeds()) assert.match((await ask(seed, password, "CONFIG", "GET", "tcp-backlog")) ?? "", /,256$/, seed);
            assert.deepEqual(Object.fromEntries(nodes().map((n) => [n.name, n.id])), ids, "every node kept its cluster identity");
            await waitClusterOk(seeds(), password, 30000);
            const check = cluster();
            try {
                const values = await Promise.all(KEYS.map((key) => check.get(key)));
                assert.deepEqual(
                    KEYS.filter((key, i) => values[i] !== `v-${key}`),
                    [],
                    "keys missing or changed",
                );
            } finally {
                check.disconnect();
            }
        });

        it("a deleted master's pod comes back by itself with its node id, the cluster is ok again and every key is there, with no up", async () => {
            // A master as it answers now (the rolling replacement failed masters over).
            let master: NodeOutput | undefined;
            for (const node of nodes()) if ((await ask(node.address, password, "ROLE"))?.startsWith("master,")) master ??= node;
            assert.ok(master, "a master");
            const pod = `${/node-\d+$/.exec(master.name)![0]}-0`;
            const uidBefore = kubectl("get", "pod", pod, "-n", namespace, "-o", "jsonpath={.metadata.uid}");
            const started = Date.now();
            kubectl("delete", "pod", pod, "-n", namespace, "--wait=false");
            await poll("the recreated pod answers with its node id", 120000, async () => {
                const uid = kubectl("get", "pod", pod, "-n", namespace, "-o", "jsonpath={.metadata.uid}");
                if (uid === uidBefore || uid === "") return undefined;
                return (await ask(master.address, password, "CLUSTER", "MYID")) === master.id ? true : undefined;
            });
            await waitClusterOk(seeds(), password, 120000);
            console.log(`      ${version.title} on Kubernetes: pod deleted -> cluster_state:ok on every node: ${Date.now() - started} ms`);
            const client = cluster();
            try {
                const values = await Promise.all(KEYS.map((key) => client.get(key)));
                assert.deepEqual(
                    KEYS.filter((key, i) => values[i] !== `v-${key}`),
                    [],
                    "keys missing or changed",
                );
                for (const [key, value] of RECIPE_KEYS) assert.equal(await client.get(key), value, key);
            } finally {
                client.disconnect();
            }
        });
    });
}

describe("the version matrix on the kubernetes runtime (local single-node Kubernetes)", function () {
    for (const version of OTHER_VERSIONS) versionSuite(version);
});
