// Bad input on the kubernetes runtime is refused before anything is created: by `preview` and `up`
// against the local single-node Kubernetes, each with a message naming what was tried and what is
// allowed; the stack's state holds no resource and the cluster no namespace of the stack. And the
// other way round: a namespace this stack created is its own again after `destroy` with retainData.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { PROJECT_DIR, openEngineStack } from "../support/automation";
import { TEST_IMAGE } from "../support/fixture";
import {
    KUBECONFIG,
    buildKubernetesToolchain,
    clusterRuns,
    kubectl,
    kubernetesCliEnv,
    startLocalCluster,
    stopLocalCluster,
} from "../support/kubernetes";

function namespaceExists(name: string): boolean {
    return kubectl("get", "namespace", name, "--ignore-not-found", "-o", "name") !== "";
}

async function resourcesInState(stack: Stack): Promise<string[]> {
    const state = await stack.exportStack();
    const resources = (state.deployment as { resources?: Array<{ type: string; urn: string }> }).resources ?? [];
    return resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.urn);
}

describe("kubernetes runtime: bad input refused before anything is created (local single-node Kubernetes)", function () {
    const stamp = Date.now().toString(36);
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-k8s-preflight-"));
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-k8s-preflight-files-"));
    const stacks: Stack[] = [];
    const namespaces: string[] = [];
    let startedCluster = false;

    before(async function () {
        buildKubernetesToolchain();
        if (!clusterRuns()) {
            startLocalCluster();
            startedCluster = true;
        }
    });

    after(async function () {
        for (const stack of stacks) {
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
            fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stack.name}.yaml`), { force: true });
        }
        for (const ns of namespaces) {
            try {
                kubectl("delete", "namespace", ns, "--ignore-not-found", "--wait=false");
            } catch {
                /* the cluster is gone */
            }
        }
        fs.rmSync(backendDir, { recursive: true, force: true });
        fs.rmSync(workDir, { recursive: true, force: true });
        if (startedCluster) stopLocalCluster();
    });

    /** A kubernetes stack with a namespace of its own (recorded for cleanup) and the given settings on top. */
    async function kubernetesStack(name: string, settings: Record<string, string>): Promise<{ stack: Stack; namespace: string }> {
        const stackName = `e2ek8spre${name}${stamp}`;
        const namespace = settings.namespace ?? `rs-${stackName}`;
        namespaces.push(namespace);
        const stack = await openEngineStack(stackName, backendDir, "e2e-passphrase", kubernetesCliEnv());
        stacks.push(stack);
        const config: Record<string, { value: string }> = {
            "redis-stack:runtime": { value: "kubernetes" },
            "redis-stack:image": { value: TEST_IMAGE },
            "redis-stack:kubeconfig": { value: KUBECONFIG },
            "redis-stack:namespace": { value: namespace },
        };
        for (const [key, value] of Object.entries(settings)) config[`redis-stack:${key}`] = { value };
        await stack.setAllConfig(config);
        return { stack, namespace };
    }

    /** preview and up both fail with every pattern; then nothing is in the state nor in the cluster. */
    async function assertRefused(stack: Stack, namespace: string, patterns: RegExp[], namespaceExisted = false): Promise<void> {
        for (const run of [() => stack.preview(), () => stack.up()]) {
            await assert.rejects(run(), (err: Error) => {
                for (const pattern of patterns) assert.match(err.message, pattern);
                return true;
            });
        }
        assert.deepEqual(await resourcesInState(stack), []);
        assert.equal(namespaceExists(namespace), namespaceExisted, `namespace ${namespace}`);
        if (!namespaceExisted) return;
        assert.equal(kubectl("get", "all,pvc,secret,pdb", "-n", namespace, "-l", "app.kubernetes.io/name=redis-stack", "-o", "name"), "");
    }

    it("a missing kubeconfig: names the file tried and the setting it came from", async () => {
        const missing = path.join(workDir, "no-such-kubeconfig");
        const { stack, namespace } = await kubernetesStack("nokc", { kubeconfig: missing });
        await assertRefused(stack, namespace, [
            new RegExp(
                `no kubeconfig for runtime kubernetes; nothing was created or changed. Tried ${missing} \\(from redis-stack:kubeconfig\\)`,
            ),
        ]);
    });

    it("an API server that does not answer: names its URL, the context and the kubeconfig", async () => {
        // The local cluster's kubeconfig pointed at a port of this machine nothing listens on.
        const doc = yaml.load(fs.readFileSync(KUBECONFIG, "utf8")) as { clusters: { cluster: { server: string } }[] };
        doc.clusters[0].cluster.server = "https://127.0.0.1:1";
        const file = path.join(workDir, "unreachable.kubeconfig");
        fs.writeFileSync(file, yaml.dump(doc), { mode: 0o600 });
        const context = kubectl("config", "current-context");
        const { stack, namespace } = await kubernetesStack("down", { kubeconfig: file });
        await assertRefused(stack, namespace, [
            new RegExp(
                `the Kubernetes API server https://127\\.0\\.0\\.1:1 \\(context ${context} of ${file}\\) does not answer: .*ECONNREFUSED`,
            ),
        ]);
    });

    it("an unknown storage class: lists the cluster's storage classes", async () => {
        const classes = kubectl("get", "storageclass", "-o", "jsonpath={.items[*].metadata.name}").split(" ").join(", ");
        const { stack, namespace } = await kubernetesStack("sc", { storageClass: "no-such-class" });
        await assertRefused(stack, namespace, [
            new RegExp(
                `storageClass: got "no-such-class"; allowed: a StorageClass of the cluster \\(${classes}\\), or unset for its default`,
            ),
        ]);
    });

    it("a namespace that exists and is not this stack's: refused, and left as it was", async () => {
        const foreign = `e2e-foreign-${stamp}`;
        namespaces.push(foreign);
        kubectl("create", "namespace", foreign);
        const { stack } = await kubernetesStack("ns", { namespace: foreign });
        await assertRefused(
            stack,
            foreign,
            [new RegExp(`namespace: got "${foreign}", which exists and it was not created by this stack`)],
            true,
        );
        assert.equal(kubectl("get", "namespace", foreign, "-o", "jsonpath={.metadata.annotations}"), "");
    });

    it("Docker-only settings (networkMode, publishAddress, subnet) are refused on kubernetes", async () => {
        const { stack, namespace } = await kubernetesStack("net", {
            networkMode: "host",
            publishAddress: "127.0.0.1",
            subnet: "10.250.0.0/24",
        });
        await assertRefused(stack, namespace, [
            /networkMode: got "host"; allowed: unset with runtime kubernetes/,
            /publishAddress: got "127.0.0.1"; allowed: unset with runtime kubernetes/,
            /subnet: got "10.250.0.0\/24"; allowed: unset with runtime kubernetes/,
        ]);
    });

    it("a namespace this stack created is accepted on a later up, also after destroy with retainData", async () => {
        const { stack, namespace } = await kubernetesStack("own", { retainData: "true", masters: "3", replicasPerMaster: "0" });
        assert.equal((await stack.up()).summary.result, "succeeded");
        const annotations = (
            JSON.parse(kubectl("get", "namespace", namespace, "-o", "json")) as { metadata: { annotations: Record<string, string> } }
        ).metadata.annotations;
        assert.equal(annotations["redis-stack/stack"], `redis-stack-${stack.name}`);
        await stack.destroy();
        // retainData kept the namespace (and the data claims in it): the same stack takes it back.
        assert.ok(namespaceExists(namespace));
        assert.equal((await stack.up()).summary.result, "succeeded");
        await stack.setConfig("redis-stack:retainData", { value: "false" });
        assert.equal((await stack.up()).summary.result, "succeeded");
    });
});
