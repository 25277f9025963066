// `redis-stack:metrics` on the local single-node Kubernetes: a redis_exporter sidecar in every node's pod scrapes
// its node over the pod's own socket as the exporter's ACL user; each answers at its Service's metrics port with
// redis_up 1 (and cluster state ok on the cluster nodes), as a real Prometheus scraping them sees too;
// metricsTargets names the Services; the pods carry the scrape annotations, the sidecar runs as the node's user
// with no capability and a read-only root, its password only in a mounted Secret; the stack's NetworkPolicy opens
// the metrics port where the client ports are open; and metricsServiceMonitor is refused at preview while the
// cluster has no ServiceMonitor resource, then declares one (a stand-in CRD without the Prometheus Operator: the
// object is checked, nothing scrapes through it). The same stack schedules backups (backupSchedule, every minute): a
// job made from its CronJob takes one onto the backups' claim as the runner's user, holding the recipe's keys; the
// schedule runs it too, which the next up shows as lastBackup; and that backup, copied off the claim, seeds a new stack
// (restoreFrom) with the keys.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_DIR } from "../support/automation";
import * as fs from "fs";
import * as os from "os";
import { Cluster } from "ioredis";
import { TEST_METRICS_IMAGE, testBackupImage } from "../support/fixture";
import { RdbLoader, assertKeysInMasterFiles } from "../support/rdbLoader";
import { RECIPE_KEYS } from "../support/recipe";
import { clusterRuns, kubectl, kubectlWithInput, poll } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { httpGet, parseMetrics, sampleValue } from "../support/metricsScrape";
import { startPrometheus } from "../support/prometheus";
import { METRICS_CONTAINER } from "../../components/runtime/kubernetes/metricsSidecar";

const PASSWORD = `k8s-${Math.random().toString(36).slice(2)}-Metrics`;
const SERVICE_MONITOR_CRD = "servicemonitors.monitoring.coreos.com";

/** The ServiceMonitor resource as the Prometheus Operator's CRD serves it, without its schema (any spec is kept as given). */
function serviceMonitorCrd() {
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: SERVICE_MONITOR_CRD },
        spec: {
            group: "monitoring.coreos.com",
            scope: "Namespaced",
            names: { kind: "ServiceMonitor", listKind: "ServiceMonitorList", plural: "servicemonitors", singular: "servicemonitor" },
            versions: [
                {
                    name: "v1",
                    served: true,
                    storage: true,
                    schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
                },
            ],
        },
    };
}

interface PodContainer {
    name: string;
    args?: string[];
    env?: unknown[];
    securityContext?: Record<string, unknown>;
    ports?: { name: string; containerPort: number }[];
}

describe("kubernetes runtime with metrics (an exporter sidecar in every node's pod)", function () {
    const suite = kubernetesSuiteStack("metrics", {
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:metrics": { value: "true" },
        "redis-stack:metricsImage": { value: TEST_METRICS_IMAGE },
        "redis-stack:metricsServiceMonitor": { value: "true" },
        "redis-stack:backupSchedule": { value: "* * * * *" },
        "redis-stack:backupRetention": { value: "2" },
        "redis-stack:backupImage": { value: testBackupImage() },
    });
    const { namespace, log } = suite;
    let stack: Stack;
    let outputs: OutputMap;

    /** Where this machine reaches each exporter: its Service's ClusterIP (access direct) and metrics port, in metricsTargets' order. */
    const reachable = () => {
        const ips = [...(outputs.clusterSeeds.value as string[]).map((s) => s.split(":")[0]), outputs.standaloneHost.value as string];
        return (outputs.metricsTargets.value as string[]).map((t, i) => `${ips[i]}:${t.split(":")[1]}`);
    };

    /** The Prometheus Operator's ServiceMonitor resource, as a CRD this suite installs where the cluster has none (and removes). */
    let installedCrd = false;
    let refusalWithoutCrd = "";

    before(async function () {
        // After the suite's own hook has the cluster running: the exporter's image, which its containerd cannot pull.
        for (const image of [TEST_METRICS_IMAGE, testBackupImage()])
            execFileSync("bash", [path.join(PROJECT_DIR, "scripts/k8s/images.sh"), "cluster", image], {
                stdio: ["ignore", "ignore", "inherit"],
            });
        stack = suite.stack;
        if (kubectl("get", "crd", "-o", "name").includes(`customresourcedefinition.apiextensions.k8s.io/${SERVICE_MONITOR_CRD}`))
            throw new Error(`the local cluster already has ${SERVICE_MONITOR_CRD} (left by an earlier run?): delete it first`);
        refusalWithoutCrd = await stack.preview({ onOutput: log }).then(
            () => "",
            (err: Error) => err.message,
        );
        kubectlWithInput(JSON.stringify(serviceMonitorCrd()), "apply", "-f", "-");
        installedCrd = true;
        kubectl("wait", "--for", "condition=established", "--timeout=60s", `crd/${SERVICE_MONITOR_CRD}`);
        const result = await timed("metrics on Kubernetes: up from nothing", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    });

    after(function () {
        // After the suite's own `after` (registered first) destroyed the stack and its ServiceMonitor; where that hook
        // stopped the cluster it started, the CRD went with it.
        if (installedCrd && clusterRuns()) kubectl("delete", "crd", SERVICE_MONITOR_CRD, "--ignore-not-found", "--wait=false");
    });

    it("refused metricsServiceMonitor at preview while the cluster had no ServiceMonitor resource, creating nothing", () => {
        assert.match(
            refusalWithoutCrd,
            /metricsServiceMonitor: got true, but the cluster has no ServiceMonitor resource \(monitoring\.coreos\.com\/v1/,
        );
    });

    it("declares a ServiceMonitor that selects every node's Service, each of which has the metrics port", () => {
        const monitor = JSON.parse(kubectl("get", "servicemonitor", "redis-stack", "-n", namespace, "-o", "json")) as {
            spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
        };
        assert.deepEqual(monitor.spec.endpoints, [{ port: "metrics", path: "/metrics" }]);
        const selector = Object.entries(monitor.spec.selector.matchLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(",");
        const services = JSON.parse(kubectl("get", "services", "-n", namespace, "-l", selector, "-o", "json")) as {
            items: { metadata: { name: string }; spec: { ports: { name: string }[] } }[];
        };
        const withMetrics = services.items
            .filter((svc) => svc.spec.ports.some((p) => p.name === "metrics"))
            .map((svc) => svc.metadata.name);
        assert.deepEqual(withMetrics.sort(), ["node-0", "node-1", "node-2", "node-3", "node-4", "node-5", "standalone"]);
    });

    it("lists every node's Service at its metrics port (cluster nodes in order, the standalone node last)", () => {
        const services = [...(outputs.clusterServices.value as string[]), outputs.standaloneService.value as string];
        assert.deepEqual(
            outputs.metricsTargets.value,
            services.map((s, i) => `${s}.${namespace}.svc:${i === 6 ? 9121 : 9122 + i}`),
        );
    });

    it("every sidecar reports its node up over the pod's socket; the cluster nodes report cluster state ok, three masters", async () => {
        const pages = await Promise.all(
            reachable().map((target) =>
                poll(`${target} redis_up 1`, 60000, async () => {
                    const samples = parseMetrics(await httpGet(`http://${target}/metrics`));
                    return sampleValue(samples, "redis_up") === 1 ? samples : undefined;
                }),
            ),
        );
        for (const samples of pages.slice(0, 6)) assert.equal(sampleValue(samples, "redis_cluster_state"), 1);
        const roles = pages.slice(0, 6).map((samples) => samples.find((s) => s.name === "redis_instance_info")?.labels.role);
        assert.equal(roles.filter((r) => r === "master").length, 3);
        assert.equal(pages[6].find((s) => s.name === "redis_instance_info")?.labels.redis_mode, "standalone");
    });

    it("a real Prometheus scraping every Service's metrics port sees redis_up 1 for all seven nodes and cluster state ok on six", async () => {
        const prometheus = await startPrometheus(reachable());
        try {
            await prometheus.waitFor("redis_up", (r) => r.length === 7 && r.every((s) => s.value === 1), 60000);
            await prometheus.waitFor("redis_cluster_state", (r) => r.length === 6 && r.every((s) => s.value === 1));
        } finally {
            await prometheus.stop();
        }
    });

    it("runs the sidecar as the node's user, with no capability and a read-only root, its password only in a mounted Secret; the pods carry the scrape annotations", () => {
        const pods = JSON.parse(kubectl("get", "pods", "-n", namespace, "-o", "json")) as {
            items: { metadata: { name: string; annotations?: Record<string, string> }; spec: { containers: PodContainer[] } }[];
        };
        assert.equal(pods.items.length, 7);
        for (const pod of pods.items) {
            const sidecar = pod.spec.containers.find((c) => c.name === METRICS_CONTAINER);
            assert.ok(sidecar, `${pod.metadata.name} has the metrics sidecar`);
            const port = sidecar.ports?.[0].containerPort;
            assert.equal(pod.metadata.annotations?.["prometheus.io/scrape"], "true");
            assert.equal(pod.metadata.annotations?.["prometheus.io/port"], String(port));
            assert.deepEqual(sidecar.securityContext, {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
            });
            assert.equal(sidecar.env, undefined);
            assert.ok(!JSON.stringify(pod).includes(PASSWORD));
            assert.ok(sidecar.args?.includes("-redis.addr=unix:///run/redis-stack/redis.sock"));
        }
        const logs = kubectl("logs", "-n", namespace, pods.items[0].metadata.name, "-c", METRICS_CONTAINER);
        assert.doesNotMatch(logs, /NOPERM|level=error/, `the exporter logged an error:\n${logs}`);
    });

    it("opens the metrics port in the stack's NetworkPolicy to the client ports' peers, and the bus still to the stack's pods only", () => {
        const policy = JSON.parse(kubectl("get", "networkpolicy", "redis-stack", "-n", namespace, "-o", "json")) as {
            spec: { ingress: { from?: unknown[]; ports: { port: string }[] }[] };
        };
        const clientRule = policy.spec.ingress.find((rule) => rule.ports.some((p) => p.port === "client"));
        assert.deepEqual(
            clientRule?.ports.map((p) => p.port),
            ["client", "plain", "metrics"],
        );
        const busRule = policy.spec.ingress.find((rule) => rule.ports.some((p) => p.port === "bus"));
        assert.ok(!busRule?.ports.some((p) => p.port === "metrics"));
    });

    /** The backups' claim as this machine holds it: the local cluster's hostPath provisioner keeps it in a directory here. */
    const claimDir = () => {
        const volume = kubectl("get", "pvc", "backups", "-n", namespace, "-o", "jsonpath={.spec.volumeName}");
        return kubectl("get", "pv", volume, "-o", "jsonpath={.spec.hostPath.path}");
    };
    /** The whole backups (with a manifest) under `dir`, oldest first. */
    const whole = (dir: string) =>
        fs
            .readdirSync(dir)
            .filter((name) => fs.existsSync(path.join(dir, name, "manifest.json")))
            .sort();

    describe("scheduled backups (backupSchedule)", () => {
        const loader = new RdbLoader();

        after(() => loader.removeAll());

        it("a job made from its CronJob takes a backup onto its claim as the runner's user: every master's RDB and the standalone node's, holding the keys", async () => {
            const cluster = new Cluster(
                (outputs.clusterSeeds.value as string[]).map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
                { redisOptions: { password: PASSWORD } },
            );
            try {
                for (const [key, value] of RECIPE_KEYS) await cluster.set(key, value);
            } finally {
                cluster.disconnect();
            }
            assert.equal(outputs.backupLocation.value, `persistentvolumeclaim/backups in namespace ${namespace}`);
            kubectl("create", "job", "backup-now", "--from=cronjob/backups", "-n", namespace);
            try {
                kubectl("wait", "--for=condition=complete", "--timeout=120s", "job/backup-now", "-n", namespace);
            } catch (err) {
                // eslint-disable-next-line preserve-caught-error -- its message and the job's log say it all
                throw new Error(`${(err as Error).message}\n${kubectl("logs", "job/backup-now", "-n", namespace, "--all-containers")}`);
            }
            const dir = claimDir();
            const newest = whole(dir).pop()!;
            assert.equal(fs.statSync(path.join(dir, newest)).uid, 999, "the runner's user's");
            const manifest = await assertKeysInMasterFiles(loader, path.join(dir, newest), RECIPE_KEYS);
            assert.deepEqual([manifest.masters.length, manifest.standalone?.node], [3, `${manifest.stack}-standalone`]);
        });

        it("the schedule runs it too (at most two kept), and the next up shows when as lastBackup, changing nothing", async () => {
            const last = await poll("the CronJob's first scheduled job to succeed", 120000, async () => {
                const status = kubectl("get", "cronjob", "backups", "-n", namespace, "-o", "jsonpath={.status.lastSuccessfulTime}");
                return status !== "" ? status : undefined;
            });
            const result = await timed("metrics and backups on Kubernetes: up again", () => stack.up({ onOutput: log }));
            assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"]);
            assert.ok(String(result.outputs.lastBackup.value) >= last, `${String(result.outputs.lastBackup.value)} at or after ${last}`);
            assert.ok(whole(claimDir()).length <= 2);
        });
    });

    describe("restoreFrom: a scheduled backup copied off its claim seeds a new stack", () => {
        const copied = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-k8s-restore-"));
        // Before the new stack's own hook: the newest backup copied out, as a user would with kubectl cp.
        before(() => {
            const dir = claimDir();
            fs.cpSync(path.join(dir, whole(dir).pop()!), copied, { recursive: true });
        });
        const restored = kubernetesSuiteStack("restore", {
            "redis-stack:password": { value: PASSWORD, secret: true },
            "redis-stack:replicasPerMaster": { value: "0" },
            "redis-stack:restoreFrom": { value: copied },
        });
        after(() => fs.rmSync(copied, { recursive: true, force: true }));

        it("holds the recipe's keys after up from nothing (3 masters without replicas, restored by slot at the new ClusterIPs)", async () => {
            const result = await timed("restoreFrom on Kubernetes: up from nothing", () => restored.stack.up({ onOutput: restored.log }));
            assert.equal(result.summary.result, "succeeded");
            const cluster = new Cluster(
                (result.outputs.clusterSeeds.value as string[]).map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
                { redisOptions: { password: PASSWORD } },
            );
            try {
                for (const [key, value] of RECIPE_KEYS) assert.equal(await cluster.get(key), value, key);
            } finally {
                cluster.disconnect();
            }
        });
    });
});
