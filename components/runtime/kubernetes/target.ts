// Where a stack's Kubernetes objects go: a provider for the configured (or ambient) kubeconfig and the
// namespace the stack creates and owns. Created once per stack; both components place their nodes in it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NodeAccessMode } from "../../settings/config";
import { ExternalSettings, KubernetesPlacement, PlacementSettings, kubernetesPlacement, stackLabels } from "./manifests";
import type { NodeAccess } from "../../contracts/nodeAccess";
import { portForwardAccess } from "./nodeAccess";
import { OWNER_ANNOTATION } from "./preflightChecks";
import type { NetworkPeer } from "../../settings/allowFrom";
import { networkPolicySpec } from "./networkPolicy";
import { serviceMonitorSpec } from "./metricsSidecar";

/**
 * With the settings of the pods' placement (storage, anti-affinity, resources, where pods run, what they carry) and of
 * the external access (NodePort or LoadBalancer Services for clients outside the cluster, or none).
 */
export interface KubernetesTargetArgs extends PlacementSettings, ExternalSettings {
    /** The namespace to create (a DNS-1123 label). */
    readonly namespace: string;
    /** Path of a kubeconfig file; empty: the ambient one. */
    readonly kubeconfig: string;
    /** How the stack's own code reaches the nodes: at their ClusterIPs, or through the API server. */
    readonly access: NodeAccessMode;
    /** Keep the data claims, and so their namespace, when `destroy` deletes the stack. */
    readonly retainData: boolean;
    /** `<project>-<stack>`, recorded on the namespace so that the preflight knows it as this stack's own. */
    readonly stackPrefix: string;
    /** Declare the stack's NetworkPolicy (./networkPolicy.ts). */
    readonly networkPolicy: boolean;
    /** Who else may reach the client ports under it. */
    readonly allowFrom: readonly NetworkPeer[];
    /** Exporter sidecars (metrics), whose port the NetworkPolicy opens to the client ports' peers. */
    readonly metrics: boolean;
    /** With metrics: a Prometheus Operator ServiceMonitor for the nodes' Services. */
    readonly metricsServiceMonitor: boolean;
}

export interface KubernetesTarget {
    readonly provider: k8s.Provider;
    /** The namespace's name, known once it exists: resources that use it are created after it. */
    readonly namespace: pulumi.Output<string>;
    readonly placement: KubernetesPlacement;
    /** The kubeconfig setting (a path; empty: the ambient one), for what talks to the API server itself (./nodePod.ts). */
    readonly kubeconfig: string;
    /** portForward access: what every resource that connects to the nodes passes its provider. Absent: direct. */
    readonly nodeAccess?: pulumi.Output<NodeAccess>;
}

export function kubernetesTarget(name: string, args: KubernetesTargetArgs, opts: pulumi.CustomResourceOptions = {}): KubernetesTarget {
    const provider = new k8s.Provider(
        name,
        {
            ...(args.kubeconfig !== "" ? { kubeconfig: args.kubeconfig } : {}),
            // Objects name their namespace themselves; never fall back to `default`.
            namespace: args.namespace,
            // The settings ConfigMap changes in place (the provider would replace it by default): running
            // pods take new settings with CONFIG SET, and a pod that starts meanwhile still finds it.
            enableConfigMapMutable: true,
            // A changed Secret (ACL users, the password, settings) is updated in place, not replaced: a
            // replacement (delete before create, the name is fixed) would replace every StatefulSet that
            // mounts it, restarting every pod for what running nodes take without a restart.
            enableSecretMutable: true,
        },
        opts,
    );
    const placement: KubernetesPlacement = kubernetesPlacement(args.namespace, args);
    // Deleting the namespace deletes everything in it, claims included: retainData keeps it.
    const namespace = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        { metadata: { name: args.namespace, labels: stackLabels(placement), annotations: { [OWNER_ANNOTATION]: args.stackPrefix } } },
        { ...opts, provider, retainOnDelete: args.retainData },
    );
    // Before any pod (the nodes' objects take the namespace's name through it): no pod runs unguarded.
    const policy = args.networkPolicy
        ? new k8s.networking.v1.NetworkPolicy(
              `${name}-network-policy`,
              {
                  metadata: { name: "redis-stack", namespace: namespace.metadata.name, labels: stackLabels(placement) },
                  spec: networkPolicySpec(placement, args.allowFrom, args.metrics),
              },
              { ...opts, provider },
          )
        : undefined;
    if (args.metrics && args.metricsServiceMonitor)
        new k8s.apiextensions.CustomResource(
            `${name}-service-monitor`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: "redis-stack", namespace: namespace.metadata.name, labels: stackLabels(placement) },
                spec: serviceMonitorSpec(args.namespace, stackLabels(placement)),
            },
            { ...opts, provider },
        );
    const namespaceName = policy
        ? pulumi.all([namespace.metadata.name, policy.metadata.name]).apply(([name]) => name)
        : namespace.metadata.name;
    const nodeAccess = args.access === "portForward" ? namespaceName.apply((name) => portForwardAccess(args.kubeconfig, name)) : undefined;
    return { provider, namespace: namespaceName, placement, kubeconfig: args.kubeconfig, ...(nodeAccess ? { nodeAccess } : {}) };
}
