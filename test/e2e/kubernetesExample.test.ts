// The example service (examples/service) as a pod on the local Kubernetes, against a stack on the
// kubernetes runtime, the way docs/kubernetes.md tells a user to run it: its image built by
// scripts/k8s/example-image.sh and imported into the cluster, a ConfigMap and a Secret made from the
// stack's outputs, examples/service/job.yaml applied in the stack's namespace.
import { strict as assert } from "assert";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { PROJECT_DIR } from "../support/automation";
import { importExampleImage, kubectl, kubectlWithInput, poll } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";

const PASSWORD = `k8s-${Math.random().toString(36).slice(2)}-Example`;
const NAME = "redis-stack-example";
const JOB_DONE_MS = 120000;

interface NodeOutput {
    address: string;
    role: string;
    slots: string[];
}

describe("kubernetes runtime: the example service runs as a pod against the stack", function () {
    const suite = kubernetesSuiteStack(
        "ex",
        { "redis-stack:password": { value: PASSWORD, secret: true } },
        {
            // What this test made in the namespace goes first (it is not the stack's), then the stack.
            beforeDestroy: () => {
                try {
                    kubectl("delete", "job,configmap,secret", NAME, "-n", suite.namespace, "--ignore-not-found", "--cascade=foreground");
                } catch {
                    /* the cluster is gone */
                }
            },
        },
    );
    const { namespace, log } = suite;
    let stack: Stack;
    let outputs: OutputMap;
    const inNamespace = (...args: string[]) => kubectl(...args, "-n", namespace);

    before(async function () {
        stack = suite.stack;
        await timed("scripts/k8s/example-image.sh import", async () => importExampleImage());
        const result = await timed("up from nothing", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    });

    let logs = "";

    it("runs to completion (exit code 0) with its settings from a ConfigMap and the password from a mounted Secret", async () => {
        // The steps of docs/kubernetes.md: the ConfigMap from the outputs, the Secret from the password on stdin
        // (as `pulumi stack output redisPassword --show-secrets` prints it, newline included).
        const seeds = outputs.clusterSeeds.value as string[];
        inNamespace(
            "create",
            "configmap",
            NAME,
            `--from-literal=clusterSeeds=${seeds.join(",")}`,
            `--from-literal=standaloneUrl=${outputs.standaloneUrl.value as string}`,
        );
        kubectlWithInput(`${PASSWORD}\n`, "create", "secret", "generic", NAME, "-n", namespace, "--from-file=password=/dev/stdin");
        const started = Date.now();
        inNamespace("apply", "-f", path.join(PROJECT_DIR, "examples/service/job.yaml"));

        const outcome = await poll("the example Job finishes", JOB_DONE_MS, async () => {
            const status = JSON.parse(inNamespace("get", "job", NAME, "-o", "json")) as {
                status?: { succeeded?: number; failed?: number };
            };
            if (status.status?.succeeded) return "succeeded";
            if (status.status?.failed) return "failed";
            return undefined;
        });
        console.log(`      the example Job ran in ${Date.now() - started} ms`);
        logs = inNamespace("logs", `job/${NAME}`);
        assert.equal(outcome, "succeeded", `the example Job failed; its logs:\n${logs}`);
        const pods = JSON.parse(inNamespace("get", "pods", "-l", `job-name=${NAME}`, "-o", "json")) as {
            items: { status: { containerStatuses: { state: { terminated?: { exitCode: number } } }[] } }[];
        };
        assert.equal(pods.items.length, 1);
        assert.equal(pods.items[0].status.containerStatuses[0].state.terminated?.exitCode, 0);
    });

    it("wrote and read its keys through the cluster, on three different masters, and the standalone node", async () => {
        const masters = (outputs.clusterNodes.value as NodeOutput[]).filter((n) => n.role === "master");
        const ownerOf = (slot: number) =>
            masters.find((m) =>
                m.slots.some((range) => {
                    const [from, to] = range.split("-").map(Number);
                    return slot >= from && slot <= (to ?? from);
                }),
            )?.address;
        const seen = new Set<string>();
        for (const [key, value, slot] of [
            ["foo", "bar", 12182],
            ["hello", "world", 866],
            ["weather", "nice", 8949],
        ] as const) {
            const line = new RegExp(`cluster {4}${key} = ${value} \\(slot ${slot}\\) on master (\\S+)`).exec(logs);
            assert.ok(line, `no line for ${key} in the logs:\n${logs}`);
            assert.equal(line[1], ownerOf(slot), `${key}: the master the pod used is not the one the stack reports for slot ${slot}`);
            seen.add(line[1]);
        }
        assert.equal(seen.size, 3, `the keys went to ${[...seen].join(", ")}`);
        assert.match(logs, /standalone greeting = hello from the standalone node/);

        // And the keys are there for any other client.
        const cluster = new Cluster(
            (outputs.clusterSeeds.value as string[]).map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            { redisOptions: { password: PASSWORD } },
        );
        const standalone = new Redis(outputs.standaloneUrl.value as string, { password: PASSWORD });
        try {
            assert.deepEqual(await Promise.all(["foo", "hello", "weather"].map((k) => cluster.get(k))), ["bar", "world", "nice"]);
            assert.equal(await standalone.get("greeting"), "hello from the standalone node");
        } finally {
            cluster.disconnect();
            standalone.disconnect();
        }
    });

    it("saw the password requirement: a cluster node and the standalone node refused it without the password", () => {
        const seed = (outputs.clusterSeeds.value as string[])[0];
        const standalone = (outputs.standaloneUrl.value as string).replace("redis://", "");
        assert.match(logs, new RegExp(`password {3}${seed.replace(/\./g, "\\.")} without it answers NOAUTH`));
        assert.match(logs, new RegExp(`password {3}${standalone.replace(/\./g, "\\.")} without it answers NOAUTH`));
        // The password reached the pod as a file only: in no Job or pod spec, not in its logs.
        assert.ok(!inNamespace("get", "jobs,pods,configmaps", "-o", "json").includes(PASSWORD));
        assert.ok(!logs.includes(PASSWORD));
        assert.ok(!suite.cliOutput.includes(PASSWORD));
    });

    it("what the test made is removed: the Job, its pod, the ConfigMap and the Secret", async () => {
        inNamespace("delete", "job,configmap,secret", NAME, "--cascade=foreground", "--wait=true");
        await poll("the example pod is gone", JOB_DONE_MS, async () =>
            inNamespace("get", "pods", "-l", `job-name=${NAME}`, "-o", "name") === "" ? true : undefined,
        );
        assert.equal(
            inNamespace("get", "jobs,configmaps,secrets", "-o", "name")
                .split("\n")
                .filter((n) => n.includes(NAME)).length,
            0,
        );
    });
});
