// A kubernetes-runtime stack per e2e suite, on the local single-node Kubernetes (see suiteStack.ts).
import { ConfigMap } from "@pulumi/pulumi/automation";
import { TEST_IMAGE } from "./fixture";
import {
    KUBECONFIG,
    buildKubernetesToolchain,
    clusterRuns,
    kubectl,
    kubernetesCliEnv,
    startLocalCluster,
    stopLocalCluster,
} from "./kubernetes";
import { SuiteStack, SuiteStackOptions, suiteStack, timed } from "./suiteStack";

export { timed };

export interface KubernetesSuiteStack extends SuiteStack {
    /** The stack's own namespace, `rs-<name>`. */
    readonly namespace: string;
}

/**
 * Registers, in the calling `describe`: before: the local cluster (started when it does not run, and
 * then stopped after), a stack `e2ek8s<tag><time>` with the kubernetes runtime, the test image, the
 * local kubeconfig, its own namespace and `config` (which may override any of them); after: destroy,
 * the stack removed, and the namespace deleted in case a failed run left it.
 */
export function kubernetesSuiteStack(
    tag: string,
    config: ConfigMap,
    hooks: Pick<SuiteStackOptions, "beforeDestroy"> = {},
): KubernetesSuiteStack {
    const name = `e2ek8s${tag}${Date.now().toString(36)}`;
    const namespace = `rs-${name}`;
    let startedCluster = false;
    return suiteStack(
        {
            name,
            ...hooks,
            // The CLI finds the pulumi-resource-kubernetes that scripts/k8s/build.sh built on PATH.
            env: kubernetesCliEnv(),
            config: () => ({
                "redis-stack:runtime": { value: "kubernetes" },
                "redis-stack:image": { value: TEST_IMAGE },
                "redis-stack:kubeconfig": { value: KUBECONFIG },
                "redis-stack:namespace": { value: namespace },
                ...config,
            }),
            prepare: async () => {
                await timed("scripts/k8s/build.sh", async () => buildKubernetesToolchain());
                if (clusterRuns()) return;
                // Builds what is missing (cached under ~/.cache), starts the cluster and imports the Redis image.
                await timed("scripts/k8s/up.sh", async () => startLocalCluster());
                startedCluster = true;
            },
            cleanup: () => {
                try {
                    kubectl("delete", "namespace", namespace, "--ignore-not-found", "--wait=false");
                } catch {
                    /* the cluster is gone */
                }
                if (startedCluster) stopLocalCluster();
            },
        },
        { namespace },
    );
}
