// Pure: how the stack's own code reaches a node's redis-server from where Pulumi runs. `direct`: at its
// Service's ClusterIP (routable on the cluster's own machine, or where the network routes Service
// ranges); `portForward`: through the API server to the node's pod (what works from a laptop or a CI
// runner against a remote cluster). This module maps a ClusterIP:port to the pod and port to forward to.

import type { AccessOptions, NodeAccess } from "../../contracts/nodeAccess";

/** The module that opens port-forwards for a provider operation (./portForward.ts), as resources record it. */
export const PORT_FORWARD_MODULE = "redis-stack/components/runtime/kubernetes/portForward";

/** What port-forwards are opened with. */
export interface PortForwardAccess {
    readonly mode: "portForward";
    /** The kubeconfig setting (a path; empty: the ambient one), as the stack's provider uses it. */
    readonly kubeconfig: string;
    readonly namespace: string;
}

/** portForward access as the resources that connect to nodes record it (`nodeAccess`). */
export function portForwardAccess(kubeconfig: string, namespace: string): NodeAccess {
    return { module: PORT_FORWARD_MODULE, options: { kubeconfig, namespace } };
}

/** The recorded options back as what port-forwards are opened with. */
export function portForwardOptions(options: AccessOptions): PortForwardAccess {
    return { mode: "portForward", kubeconfig: String(options.kubeconfig ?? ""), namespace: String(options.namespace ?? "") };
}

/** What the mapping needs of a Service (from the API's ServiceList). */
export interface ServiceView {
    readonly name: string;
    readonly clusterIP: string;
    readonly ports: readonly { readonly port: number; readonly targetPort?: number | string }[];
}

/** A pod's port, reached through the API server. */
export interface ForwardTarget {
    readonly pod: string;
    readonly port: number;
}

/** The Services of a ServiceList answer, in the shape the mapping reads. */
export function servicesOf(list: unknown): ServiceView[] {
    const items = (list as { items?: unknown } | undefined)?.items;
    if (!Array.isArray(items)) return [];
    return items.map((item) => {
        const s = item as {
            metadata?: { name?: string };
            spec?: { clusterIP?: string; ports?: { port?: number; targetPort?: number | string }[] };
        };
        return {
            name: s.metadata?.name ?? "",
            clusterIP: s.spec?.clusterIP ?? "",
            ports: (s.spec?.ports ?? []).map((p) => ({
                port: Number(p.port),
                ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
            })),
        };
    });
}

/**
 * The pod and port behind `host:port`: the node Service with that ClusterIP fronts the one pod of the
 * StatefulSet of the same name (`<object>-0`, see ./manifests.ts). A named targetPort is not followed (the
 * stack's Services use numbers); undefined when no Service has that address and port.
 */
export function forwardTarget(services: readonly ServiceView[], host: string, port: number): ForwardTarget | undefined {
    for (const service of services) {
        if (service.clusterIP !== host) continue;
        const match = service.ports.find((p) => p.port === port);
        if (!match) continue;
        const target =
            typeof match.targetPort === "number"
                ? match.targetPort
                : /^\d+$/.test(String(match.targetPort ?? ""))
                  ? Number(match.targetPort)
                  : port;
        return { pod: `${service.name}-0`, port: target };
    }
    return undefined;
}
