// The stack's NetworkPolicy (pure spec): the cluster bus has no authentication in Redis, so only the stack's own
// pods may reach a bus port (a pod that could would `CLUSTER MEET` a node and take slots); the client ports
// admit the pods of the stack's namespace and the peers the user lists (`allowFrom`). Ports are named as in
// the pods' containers (manifests.ts nodePorts), so one policy covers every node whatever its numbers.
import type { NetworkPeer } from "../../settings/allowFrom";
import { type KubernetesPlacement, PORT_NAMES, stackLabels } from "./manifests";

/** A user's peer as a NetworkPolicyPeer. */
function policyPeer(peer: NetworkPeer) {
    if (peer.cidr !== undefined) return { ipBlock: { cidr: peer.cidr } };
    return {
        ...(peer.namespaceSelector ? { namespaceSelector: { matchLabels: peer.namespaceSelector } } : {}),
        ...(peer.podSelector ? { podSelector: { matchLabels: peer.podSelector } } : {}),
    };
}

/**
 * The NetworkPolicy's spec for every pod of the stack (cluster nodes and the standalone one). With externalAccess the
 * client port admits every source: clients outside come through NodePorts or load balancers, often with a Kubernetes
 * node's address, else their own (a load balancer's source ranges are enforced before the pod, by the load balancer
 * or kube-proxy).
 */
export function networkPolicySpec(
    placement: Pick<KubernetesPlacement, "namespace" | "external">,
    allowFrom: readonly NetworkPeer[],
    metrics = false,
) {
    const ownPods = { podSelector: { matchLabels: stackLabels(placement) } };
    return {
        podSelector: { matchLabels: stackLabels(placement) },
        policyTypes: ["Ingress"],
        ingress: [
            { from: [ownPods], ports: [{ protocol: "TCP", port: PORT_NAMES.bus }] },
            {
                // `podSelector: {}` in a policy's own namespace: every pod there.
                from: [{ podSelector: {} }, ...allowFrom.map(policyPeer)],
                // With metrics the exporters' port too: Prometheus is a client of the nodes like any other.
                ports: [PORT_NAMES.client, PORT_NAMES.plain, ...(metrics ? [PORT_NAMES.metrics] : [])].map((port) => ({
                    protocol: "TCP",
                    port,
                })),
            },
            // No `from`: every source.
            ...(placement.external.access !== "none" ? [{ ports: [{ protocol: "TCP", port: PORT_NAMES.client }] }] : []),
        ],
    };
}
