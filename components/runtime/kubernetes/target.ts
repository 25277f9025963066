// Where a stack's Kubernetes objects go: a provider for the configured (or ambient) kubeconfig and the
// namespace the stack creates and owns. Created once per stack; both components place their nodes in it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AntiAffinity } from "../../config";
import { KubernetesPlacement, stackLabels } from "./manifests";
import { OWNER_ANNOTATION } from "./preflightChecks";

export interface KubernetesTargetArgs {
    /** The namespace to create (a DNS-1123 label). */
    readonly namespace: string;
    /** Path of a kubeconfig file; empty: the ambient one. */
    readonly kubeconfig: string;
    readonly storageClass: string;
    readonly storageSize: string;
    readonly antiAffinity: AntiAffinity;
    /** Keep the data claims, and so their namespace, when `destroy` deletes the stack. */
    readonly retainData: boolean;
    /** `<project>-<stack>`, recorded on the namespace so that the preflight knows it as this stack's own. */
    readonly stackPrefix: string;
}

export interface KubernetesTarget {
    readonly provider: k8s.Provider;
    /** The namespace's name, known once it exists: resources that use it are created after it. */
    readonly namespace: pulumi.Output<string>;
    readonly placement: KubernetesPlacement;
}

export function kubernetesTarget(name: string, args: KubernetesTargetArgs, opts: pulumi.CustomResourceOptions = {}): KubernetesTarget {
    const provider = new k8s.Provider(
        name,
        {
            ...(args.kubeconfig !== "" ? { kubeconfig: args.kubeconfig } : {}),
            // Objects name their namespace themselves; never fall back to `default`.
            namespace: args.namespace,
        },
        opts,
    );
    const placement: KubernetesPlacement = {
        namespace: args.namespace,
        storageClass: args.storageClass,
        storageSize: args.storageSize,
        antiAffinity: args.antiAffinity,
    };
    // Deleting the namespace deletes everything in it, claims included: retainData keeps it.
    const namespace = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        { metadata: { name: args.namespace, labels: stackLabels(placement), annotations: { [OWNER_ANNOTATION]: args.stackPrefix } } },
        { ...opts, provider, retainOnDelete: args.retainData },
    );
    return { provider, namespace: namespace.metadata.name, placement };
}
