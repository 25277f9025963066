import type { ContainerRuntime } from "../config";
import type { RuntimeBackend } from "./backend";
import type { KubernetesTarget } from "./kubernetes/target";

export type { RuntimeBackend, RuntimeCapabilities, NodeContext, NodeEndpoint, NodeResources } from "./backend";
export type { LifecycleRef } from "../contracts/nodeLifecycle";
export type { KubernetesTarget } from "./kubernetes/target";

/**
 * `kubernetes`: the stack's target (provider and namespace), the component whose nodes these are (its name) and
 * what its per-component Kubernetes objects are called (`cluster`, `standalone`).
 */
export function runtimeBackend(
    runtime: ContainerRuntime,
    kubernetes?: { target: KubernetesTarget; component: string; objects: string },
): RuntimeBackend {
    // Loaded on demand: @pulumi/docker takes about half a second to load, and the engine runtime
    // (meant for hosts without its plugin) never uses it; nor does a Docker stack load @pulumi/kubernetes.
    if (runtime === "engine") return (require("./engineBackend") as typeof import("./engineBackend")).engineBackend;
    if (runtime === "kubernetes") {
        if (!kubernetes) throw new Error("the kubernetes runtime needs a Kubernetes target (provider and namespace)");
        const { kubernetesBackend } = require("./kubernetes/backend") as typeof import("./kubernetes/backend");
        return kubernetesBackend(kubernetes.component, kubernetes.objects, kubernetes.target);
    }
    return (require("./dockerBackend") as typeof import("./dockerBackend")).dockerBackend;
}
