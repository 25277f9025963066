// The local cluster's Service range as seen from this machine: the e2e tests that play a client outside the cluster
// blackhole it for their duration (a ClusterIP then cannot be reached from here, as from a laptop against a remote
// cluster), and check what opens.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as net from "net";

/** The local cluster's Service range (scripts/k8s/lib.sh K8S_SERVICE_CIDR), routed onto its bridge while it runs. */
export const SERVICE_CIDR = "10.213.128.0/20";
/** The local cluster's one Kubernetes node's address (scripts/k8s/lib.sh K8S_NODE_IP), where its NodePorts answer. */
export const NODE_IP = "10.213.0.1";
/** The node's network on its bridge (NODE_IP/24), where this machine's traffic to the cluster's addresses comes from. */
export const NODE_NETWORK = "10.213.0.0/24";
/**
 * How the addresses of the local cluster's load balancers start (scripts/k8s/lib.sh K8S_LB_CIDR, 10.213.32.0/24): kube-router's
 * allocator gives them, and they are routed onto its bridge apart from the Service range.
 */
export const LOAD_BALANCER_PREFIX = "10.213.32.";

/** Whether a TCP connection to `address` opens within 2 s. */
export function opens(address: string): Promise<boolean> {
    const [host, port] = address.split(":");
    return new Promise((resolve) => {
        const socket = net.connect({ host, port: Number(port), timeout: 2000 });
        const done = (ok: boolean) => {
            socket.destroy();
            resolve(ok);
        };
        socket.once("connect", () => done(true));
        socket.once("error", () => done(false));
        socket.once("timeout", () => done(false));
    });
}

/** Replaces the Service range's route with a blackhole; returns how to put the original route back. */
export function blackholeServices(): () => void {
    const original = execFileSync("ip", ["route", "show", SERVICE_CIDR], { encoding: "utf8" }).trim();
    assert.ok(original.startsWith(SERVICE_CIDR), `expected a route for ${SERVICE_CIDR}, got ${JSON.stringify(original)}`);
    execFileSync("ip", ["route", "replace", "blackhole", SERVICE_CIDR]);
    return () => execFileSync("ip", ["route", "replace", ...original.split(/\s+/)]);
}
