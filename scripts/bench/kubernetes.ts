// The kubernetes runtime on the local single-node Kubernetes (scripts/k8s/), against the same pods
// formed by hand, in one run with the cluster started once (issue 10):
// - by hand: `kubectl apply` of the objects the runtime creates (the same manifests: ./manifests.ts
//   renders them for both), the Services' ClusterIPs read back for the nodes to announce, wait until
//   every node answers, then `redis-cli --cluster create` from this machine (ClusterIPs are routable here);
// - `pulumi up` from nothing of a kubernetes-runtime stack (Automation API), then `pulumi destroy`;
// both timed from their first command to the same finish line (health.ts), alternating; and once, a
// master's pod deleted until the cluster is healthy again.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { parseSettings } from "../../components/settings/config";
import { renderSettingsFile } from "../../components/settings/redisSettings";
import { NodeSpec, authConfig, buildTopology } from "../../components/topology/topology";
import {
    KubernetesPlacement,
    kubernetesPlacement,
    claimSpec,
    disruptionBudgetSpec,
    objectName,
    podAuthConfig,
    podLabels,
    serviceSpec,
    stackLabels,
    statefulSetSpec,
    AUTH_SECRET_KEY,
    SETTINGS_CONFIG_KEY,
} from "../../components/runtime/kubernetes/manifests";
import { PROJECT_DIR, openEngineStack } from "../../test/support/automation";
import { waitClusterOk } from "../../test/support/clusterState";
import {
    K8S_CACHE,
    KUBECONFIG,
    ask,
    clusterRuns,
    kubectl,
    kubernetesCliEnv,
    poll,
    startLocalCluster,
    stopLocalCluster,
} from "../../test/support/kubernetes";
import { Address, waitAnsweringAt, waitClusterHealthyAt } from "./health";
import { ImageBinaries } from "./imageBinaries";
import { run } from "./run";
import { Summary, summarize } from "./stats";

const KUBECTL = path.join(K8S_CACHE, "bin/kubectl");
const MASTERS = 3;
const WAIT_MS = 120000;

export interface KubernetesResults {
    readonly byHand: Summary;
    /** Of the by-hand runs: from `redis-cli --cluster create` to the finish line. */
    readonly byHandFormation: Summary;
    readonly up: Summary;
    readonly destroy: Summary;
    /** Deleting a by-hand namespace until it is gone (untimed in `byHand`). */
    readonly handCleanup: Summary;
    readonly podDeleted: { readonly answers: number; readonly clusterOk: number; readonly healthy: number; readonly failedOver: boolean };
    readonly clusterNodeTimeoutMs: number;
    /** `scripts/k8s/up.sh`, when this run started the cluster. */
    readonly clusterStartMs?: number;
}

const addressOf = (hostPort: string): Address => {
    const [host, port] = hostPort.split(":");
    return { host, port: Number(port) };
};

/** The finish line: every cluster node healthy (health.ts) and the standalone node answers. */
async function waitUsable(seeds: readonly Address[], standalone: Address): Promise<void> {
    await waitClusterHealthyAt(seeds, seeds.length - MASTERS, WAIT_MS);
    await waitAnsweringAt([standalone], WAIT_MS);
}

function kubernetesSettings(image: string) {
    return parseSettings({ runtime: "kubernetes", image, masters: String(MASTERS) });
}

/** The runtime's objects for every node, as `kubectl apply` takes them: first what the StatefulSets need, then (given the Services' IPs) the StatefulSets. */
function handManifests(namespace: string, image: string) {
    const settings = kubernetesSettings(image);
    const topology = buildTopology(settings, namespace);
    const placement: KubernetesPlacement = kubernetesPlacement(namespace, settings);
    const nodes: NodeSpec[] = [...topology.clusterNodes, topology.standalone];
    const component = (node: NodeSpec) => (node.role === "standalone" ? "standalone" : "cluster");
    const meta = (name: string, labels: Record<string, string> = stackLabels(placement)) => ({ name, namespace, labels });
    const first = [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
        ...["cluster", "standalone"].flatMap((c) => [
            {
                apiVersion: "v1",
                kind: "Secret",
                metadata: meta(`${c}-auth`),
                type: "Opaque",
                stringData: { [AUTH_SECRET_KEY]: podAuthConfig(authConfig(undefined)) },
            },
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: meta(`${c}-settings`),
                data: { [SETTINGS_CONFIG_KEY]: renderSettingsFile(settings.redisConfig) },
            },
        ]),
        ...Array.from({ length: MASTERS }, (_, shard) => ({
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: meta(`cluster-shard-${shard}`),
            spec: disruptionBudgetSpec(shard, placement),
        })),
        ...nodes.flatMap((node) => [
            {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: meta(`${objectName(node)}-data`, podLabels(node, placement)),
                spec: claimSpec(placement),
            },
            {
                apiVersion: "v1",
                kind: "Service",
                metadata: meta(objectName(node), podLabels(node, placement)),
                spec: serviceSpec(node, placement),
            },
        ]),
    ];
    const statefulSets = (clusterIps: ReadonlyMap<string, string>) =>
        nodes.map((node) => ({
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: meta(objectName(node), podLabels(node, placement)),
            spec: statefulSetSpec(
                node,
                image,
                { ip: clusterIps.get(objectName(node)) ?? "", externalHost: "" },
                { authSecret: `${component(node)}-auth`, claim: `${objectName(node)}-data`, settings: `${component(node)}-settings` },
                placement,
            ),
        }));
    return { nodes, first, statefulSets, clusterNodeTimeoutMs: settings.clusterNodeTimeoutMs };
}

const list = (items: readonly unknown[]) => JSON.stringify({ apiVersion: "v1", kind: "List", items });

/**
 * One by-hand run: `kubectl apply` (namespace, Secrets, ConfigMaps, budgets, claims, Services), read the
 * ClusterIPs, `kubectl apply` the StatefulSets, wait until every node answers, `redis-cli --cluster create`,
 * wait for the finish line. Returns the total and the formation part; the namespace is deleted after (untimed).
 */
async function timeByHand(
    namespace: string,
    image: string,
    bins: ImageBinaries,
    dir: string,
): Promise<{ total: number; formation: number; cleanup: number }> {
    const m = handManifests(namespace, image);
    const firstFile = path.join(dir, `${namespace}-objects.json`);
    const setsFile = path.join(dir, `${namespace}-statefulsets.json`);
    fs.writeFileSync(firstFile, list(m.first));
    const kube = (...args: string[]) => run(KUBECTL, ["--kubeconfig", KUBECONFIG, ...args]);
    try {
        const started = Date.now();
        await kube("apply", "-f", firstFile);
        const services = JSON.parse((await kube("get", "services", "-n", namespace, "-o", "json")).stdout) as {
            items: { metadata: { name: string }; spec: { clusterIP: string } }[];
        };
        const ips = new Map(services.items.map((s) => [s.metadata.name, s.spec.clusterIP]));
        fs.writeFileSync(setsFile, list(m.statefulSets(ips)));
        await kube("apply", "-f", setsFile);
        const addresses = m.nodes.map((n) => ({ host: ips.get(objectName(n)) ?? "", port: n.clientPort }));
        const seeds = addresses.slice(0, -1);
        await waitAnsweringAt(addresses, WAIT_MS);
        const forming = Date.now();
        const [cli, cliArgs] = bins.run("redis-cli");
        const { stdout } = await run(cli, [
            ...cliArgs,
            "--cluster",
            "create",
            ...seeds.map((a) => `${a.host}:${a.port}`),
            "--cluster-replicas",
            "1",
            "--cluster-yes",
        ]);
        if (!/All 16384 slots covered/.test(stdout)) throw new Error(`redis-cli --cluster create failed:\n${stdout}`);
        await waitUsable(seeds, addresses[addresses.length - 1]);
        const done = Date.now();
        const cleanup = await deleteNamespace(namespace);
        return { total: done - started, formation: done - forming, cleanup };
    } finally {
        await deleteNamespace(namespace).catch(() => undefined);
    }
}

/** Deletes a namespace and waits until it is gone; returns how long that took. */
async function deleteNamespace(namespace: string): Promise<number> {
    const started = Date.now();
    await run(KUBECTL, [
        "--kubeconfig",
        KUBECONFIG,
        "delete",
        "namespace",
        namespace,
        "--ignore-not-found",
        `--timeout=${WAIT_MS / 1000}s`,
    ]);
    return Date.now() - started;
}

interface PulumiBench {
    readonly stack: Stack;
    readonly namespace: string;
    dispose(): Promise<void>;
}

async function openKubernetesStack(image: string): Promise<PulumiBench> {
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-bench-k8s-"));
    const name = `benchk8s${Date.now().toString(36)}`;
    const namespace = `rs-${name}`;
    // The CLI finds the pulumi-resource-kubernetes that scripts/k8s/ built on PATH.
    const stack = await openEngineStack(name, backendDir, "bench", kubernetesCliEnv());
    await stack.setAllConfig({
        "redis-stack:runtime": { value: "kubernetes" },
        "redis-stack:image": { value: image },
        "redis-stack:masters": { value: String(MASTERS) },
        "redis-stack:kubeconfig": { value: KUBECONFIG },
        "redis-stack:namespace": { value: namespace },
    });
    return {
        stack,
        namespace,
        async dispose() {
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(name, { force: true }).catch(() => undefined);
            fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${name}.yaml`), { force: true });
            fs.rmSync(backendDir, { recursive: true, force: true });
            await deleteNamespace(namespace).catch(() => undefined);
        },
    };
}

/** `up` from nothing to the finish line at the stack's outputs; returns the time and those addresses. */
async function timeUp(b: PulumiBench): Promise<{ ms: number; seeds: Address[] }> {
    const started = Date.now();
    const result = await b.stack.up();
    if (result.summary.result !== "succeeded") throw new Error(`up ${result.summary.result}`);
    const seeds = (result.outputs.clusterSeeds.value as string[]).map(addressOf);
    const standalone = addressOf(String(result.outputs.standaloneUrl.value).replace(/^redis:\/\//, ""));
    await waitUsable(seeds, standalone);
    return { ms: Date.now() - started, seeds };
}

async function timeDestroy(b: PulumiBench): Promise<number> {
    const started = Date.now();
    const result = await b.stack.destroy();
    if (result.summary.result !== "succeeded") throw new Error(`destroy ${result.summary.result}`);
    return Date.now() - started;
}

/**
 * node-0's pod (a master after `up`) deleted with no `up`: until the new pod answers at the node's Service
 * with its node id, until every node reports cluster_state:ok, and until the full finish line.
 */
async function timePodDeleted(b: PulumiBench, seeds: readonly Address[]) {
    const node = seeds[0];
    const at = `${node.host}:${node.port}`;
    const id = await ask(at, undefined, "CLUSTER", "MYID");
    const role = await ask(at, undefined, "ROLE");
    if (id === undefined || !role?.startsWith("master")) throw new Error(`node-0 (${at}) is not a master answering: ${role}`);
    const pod = "node-0-0";
    const uidBefore = kubectl("get", "pod", pod, "-n", b.namespace, "-o", "jsonpath={.metadata.uid}");
    const started = Date.now();
    kubectl("delete", "pod", pod, "-n", b.namespace, "--wait=false");
    await poll("the recreated pod answers with its node id", WAIT_MS, async () => {
        const uid = kubectl("get", "pod", pod, "-n", b.namespace, "-o", "jsonpath={.metadata.uid}");
        if (uid === uidBefore || uid === "") return undefined;
        const now = await ask(at, undefined, "CLUSTER", "MYID");
        if (now === undefined) return undefined;
        if (now !== id) throw new Error(`node-0 came back with id ${now}, not ${id}`);
        return now;
    });
    const answers = Date.now() - started;
    await waitClusterOk(
        seeds.map((s) => `${s.host}:${s.port}`),
        undefined,
        WAIT_MS,
    );
    const clusterOk = Date.now() - started;
    await waitClusterHealthyAt(seeds, seeds.length - MASTERS, WAIT_MS);
    const healthy = Date.now() - started;
    const failedOver = !(await ask(at, undefined, "ROLE"))?.startsWith("master");
    return { answers, clusterOk, healthy, failedOver };
}

/** The whole measurement: starts the local cluster when it does not run (and stops it after), alternates by hand and `pulumi up`. */
export async function measureKubernetes(reps: number, image: string, bins: ImageBinaries): Promise<KubernetesResults> {
    let clusterStartMs: number | undefined;
    if (!clusterRuns()) {
        const started = Date.now();
        startLocalCluster();
        clusterStartMs = Date.now() - started;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-bench-k8s-hand-"));
    if (reps < 1) throw new Error(`BENCH_REPS: got ${reps}; allowed: 1 or more`);
    const runId = Date.now().toString(36);
    const samples = {
        hand: [] as number[],
        handForm: [] as number[],
        cleanup: [] as number[],
        up: [] as number[],
        destroy: [] as number[],
    };
    let bench: PulumiBench | undefined;
    try {
        bench = await openKubernetesStack(image);
        let podDeleted: KubernetesResults["podDeleted"] | undefined;
        for (let i = 0; i < reps; i++) {
            const h = await timeByHand(`rs-bench-hand-${runId}-${i}`, image, bins, dir);
            samples.hand.push(h.total);
            samples.handForm.push(h.formation);
            samples.cleanup.push(h.cleanup);
            const { ms, seeds } = await timeUp(bench);
            samples.up.push(ms);
            if (i === reps - 1) podDeleted = await timePodDeleted(bench, seeds);
            samples.destroy.push(await timeDestroy(bench));
        }
        if (podDeleted === undefined) throw new Error("the pod deletion was not measured");
        return {
            byHand: summarize(samples.hand),
            byHandFormation: summarize(samples.handForm),
            up: summarize(samples.up),
            destroy: summarize(samples.destroy),
            handCleanup: summarize(samples.cleanup),
            podDeleted,
            clusterNodeTimeoutMs: kubernetesSettings(image).clusterNodeTimeoutMs,
            ...(clusterStartMs !== undefined ? { clusterStartMs } : {}),
        };
    } finally {
        await bench?.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
        if (clusterStartMs !== undefined) stopLocalCluster();
    }
}
