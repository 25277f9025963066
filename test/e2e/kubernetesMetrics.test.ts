// `redis-stack:metrics` on the local single-node Kubernetes: a redis_exporter sidecar in every node's pod scrapes
// its node over the pod's own socket as the exporter's ACL user; each answers at its Service's metrics port with
// redis_up 1 (and cluster state ok on the cluster nodes); metricsTargets names the Services; the pods carry the
// scrape annotations, the sidecar runs as the node's user with no capability and a read-only root, its password
// only in a mounted Secret; and the stack's NetworkPolicy opens the metrics port where the client ports are open.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_DIR } from "../support/automation";
import { TEST_METRICS_IMAGE } from "../support/fixture";
import { kubectl, poll } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { httpGet, parseMetrics, sampleValue } from "../support/metricsScrape";
import { METRICS_CONTAINER } from "../../components/runtime/kubernetes/metricsSidecar";

const PASSWORD = `k8s-${Math.random().toString(36).slice(2)}-Metrics`;

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
    });
    const { namespace, log } = suite;
    let stack: Stack;
    let outputs: OutputMap;

    /** Where this machine reaches each exporter: its Service's ClusterIP (access direct) and metrics port, in metricsTargets' order. */
    const reachable = () => {
        const ips = [...(outputs.clusterSeeds.value as string[]).map((s) => s.split(":")[0]), outputs.standaloneHost.value as string];
        return (outputs.metricsTargets.value as string[]).map((t, i) => `${ips[i]}:${t.split(":")[1]}`);
    };

    before(async function () {
        // After the suite's own hook has the cluster running: the exporter's image, which its containerd cannot pull.
        execFileSync("bash", [path.join(PROJECT_DIR, "scripts/k8s/images.sh"), "cluster", TEST_METRICS_IMAGE], {
            stdio: ["ignore", "ignore", "inherit"],
        });
        stack = suite.stack;
        const result = await timed("metrics on Kubernetes: up from nothing", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
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
});
