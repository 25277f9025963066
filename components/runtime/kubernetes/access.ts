// Pure: how to reach a node's Service from outside the cluster, as a stack output: the kubectl command
// that forwards a local port through the API server (what works where ClusterIPs are not routed).

/** `kubectl -n <namespace> port-forward service/<service> <port>:<port>`: the node at 127.0.0.1:<port> while it runs. */
export function portForwardCommand(namespace: string, service: string, port: number): string {
    return `kubectl -n ${namespace} port-forward service/${service} ${port}:${port}`;
}
