// Pure: what the kubernetes preflight decides from what it read (the cluster's storage classes, an
// existing namespace). No I/O here; ./preflight.ts reads and asks, then calls these.
import { INSTANCE_LABEL, NAME_LABEL } from "./manifests";

/** Annotation the stack puts on the namespace it creates: `<project>-<stack>`, the stack that owns it. */
export const OWNER_ANNOTATION = "redis-stack/stack";

export function unreachableProblem(access: { readonly server: string; readonly context: string }, file: string, reason: string): string {
    return (
        `the Kubernetes API server ${access.server} (context ${access.context} of ${file}) does not answer: ${reason}; ` +
        "nothing was created or changed. Start the cluster, or set redis-stack:kubeconfig (or KUBECONFIG) to one that answers."
    );
}

/** Why the configured storage class cannot hold the claims, listing the ones there are; undefined when it exists (or none is set). */
export function storageClassProblem(wanted: string, existing: readonly string[]): string | undefined {
    if (wanted === "" || existing.includes(wanted)) return undefined;
    const known = existing.length > 0 ? existing.join(", ") : "none: the cluster has no StorageClass";
    return `storageClass: got ${JSON.stringify(wanted)}; allowed: a StorageClass of the cluster (${known}), or unset for its default`;
}

/**
 * Why the configured PriorityClass cannot be the pods' (the API server would refuse every pod, after the
 * stack's other objects exist), listing the ones there are; undefined when it exists (or none is set).
 */
export function priorityClassProblem(wanted: string, existing: readonly string[]): string | undefined {
    if (wanted === "" || existing.includes(wanted)) return undefined;
    const known = existing.length > 0 ? existing.join(", ") : "none";
    return `priorityClassName: got ${JSON.stringify(wanted)}; allowed: a PriorityClass of the cluster (${known}), or unset for its default priority`;
}

export interface ExistingNamespace {
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
}

/**
 * Whether the stack may use a namespace that already exists: only one this stack created (its owner
 * annotation names the stack, as after `destroy` with retainData or on a later `up`).
 */
export function namespaceProblem(namespace: string, stackPrefix: string, existing: ExistingNamespace | undefined): string | undefined {
    if (existing === undefined) return undefined;
    const owner = existing.annotations[OWNER_ANNOTATION];
    if (owner === stackPrefix) return undefined;
    // Made before the annotation existed: the stack's labels for this namespace are all there is to go by.
    if (owner === undefined && existing.labels[NAME_LABEL] === "redis-stack" && existing.labels[INSTANCE_LABEL] === namespace)
        return undefined;
    const belongs = owner !== undefined ? `it belongs to redis-stack stack ${owner}` : "it was not created by this stack";
    return (
        `namespace: got ${JSON.stringify(namespace)}, which exists and ${belongs} (no ${OWNER_ANNOTATION}=${stackPrefix} annotation); ` +
        "allowed: a namespace that does not exist yet, or one this stack created. Choose another redis-stack:namespace."
    );
}

/**
 * Why a ServiceMonitor cannot be declared (metricsServiceMonitor): the cluster serves no monitoring.coreos.com/v1
 * ServiceMonitor (`resources`: the group version's resource names, undefined where it is not served at all).
 */
export function serviceMonitorProblem(wanted: boolean, resources: readonly string[] | undefined): string | undefined {
    if (!wanted || resources?.includes("servicemonitors")) return undefined;
    return (
        "metricsServiceMonitor: got true, but the cluster has no ServiceMonitor resource (monitoring.coreos.com/v1, the Prometheus " +
        "Operator's CRD); allowed: false, or install the Prometheus Operator (or its CRDs) first. The pods' prometheus.io " +
        "annotations serve a Prometheus without it."
    );
}
