import type * as pulumi from "@pulumi/pulumi";
import type { ContainerRuntime } from "../settings/config";
import type { RuntimeBackend } from "./backend";
import type { DockerTopology } from "./dockerPlacement";
import type { KubernetesTarget } from "./kubernetes/target";

export type { RuntimeBackend, RuntimeCapabilities, NodeContext, NodeEndpoint, NodeResources, StackNetwork } from "./backend";
export { natMapOf } from "./backend";
export type { DockerTopology } from "./dockerPlacement";
export type { LifecycleRef } from "../contracts/nodeLifecycle";
export type { KubernetesTarget } from "./kubernetes/target";

/** Where a component's nodes go: its runtime's placement. */
export interface RuntimePlacement {
    /** `engine`, `docker`: the stack's nodes placed on the Docker host (./dockerPlacement.ts). */
    readonly docker?: DockerTopology;
    /** `engine`, `docker`: the stack's owner id (../stack/stackOwner.ts), which every Docker object it makes carries. */
    readonly owner?: pulumi.Input<string>;
    /**
     * `kubernetes`: the stack's target (provider and namespace), the component whose nodes these are (its name) and
     * what its per-component Kubernetes objects are called (`cluster`, `standalone`).
     */
    readonly kubernetes?: { readonly target: KubernetesTarget; readonly component: string; readonly objects: string };
}

export function runtimeBackend(runtime: ContainerRuntime, placement: RuntimePlacement): RuntimeBackend {
    // Loaded on demand: @pulumi/docker takes about half a second to load, and the engine runtime
    // (meant for hosts without its plugin) never uses it; nor does a Docker stack load @pulumi/kubernetes.
    if (runtime === "kubernetes") {
        const { kubernetes } = placement;
        if (!kubernetes) throw new Error("the kubernetes runtime needs a Kubernetes target (provider and namespace)");
        const { kubernetesBackend } = require("./kubernetes/backend") as typeof import("./kubernetes/backend");
        return kubernetesBackend(kubernetes.component, kubernetes.objects, kubernetes.target);
    }
    if (!placement.docker) throw new Error(`the ${runtime} runtime needs the stack's Docker placement`);
    if (runtime === "engine")
        return (require("./engineBackend") as typeof import("./engineBackend")).engineBackend(placement.docker, placement.owner);
    return (require("./dockerBackend") as typeof import("./dockerBackend")).dockerBackend(placement.docker, placement.owner);
}
