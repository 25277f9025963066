// Pure: what a RedisStack occupies that another RedisStack of the same program must not (its names' prefix; on a
// Docker host its published ports and its network's subnet; on Kubernetes its namespace), and the problems when two
// overlap: refused at preview, before either declares a resource.
import { ipv4ToInt } from "../settings/networkAddresses";
import type { HostPort } from "../runtime/hostPorts";

export interface StackFootprint {
    /** The RedisStack's name. */
    readonly component: string;
    readonly namePrefix: string;
    /** Docker runtimes: every host address and port its containers publish (or bind, in host mode). */
    readonly hostPorts: readonly HostPort[];
    /** Docker, bridge mode: its network's subnet. */
    readonly subnet?: string;
    /** Kubernetes: its namespace, on the cluster of `kubeconfig` ("": the ambient one). */
    readonly namespace?: { readonly name: string; readonly kubeconfig: string };
    /** The standalone node's container, to tell which setting a port comes from. */
    readonly standaloneNode: string;
}

function subnetRange(cidr: string): [number, number] {
    const [base, prefix] = cidr.split("/");
    const size = 2 ** (32 - Number(prefix));
    const start = Math.floor(ipv4ToInt(base) / size) * size;
    return [start, start + size - 1];
}

function subnetsOverlap(a: string, b: string): boolean {
    const [aStart, aEnd] = subnetRange(a);
    const [bStart, bEnd] = subnetRange(b);
    return aStart <= bEnd && bStart <= aEnd;
}

/** Two bindings take the same socket: same port, and the same address or a wildcard on either side. */
function sameSocket(a: HostPort, b: HostPort): boolean {
    return a.port === b.port && (a.host === b.host || a.host === "0.0.0.0" || b.host === "0.0.0.0");
}

/** The setting a published port comes from. */
function portSetting(port: HostPort, footprint: StackFootprint): string {
    if (port.node === footprint.standaloneNode) return "standalonePort";
    return port.purpose === "client port" ? "basePort" : "basePort/busPortOffset";
}

/** What `next` shares with the RedisStacks already declared in the program, one problem each. */
export function overlapProblems(declared: readonly StackFootprint[], next: StackFootprint): string[] {
    const problems: string[] = [];
    for (const other of declared) {
        const by = `RedisStack "${other.component}" of this program`;
        if (other.namePrefix === next.namePrefix) {
            problems.push(
                `namePrefix: got "${next.namePrefix}", which ${by} uses; allowed: a prefix no other RedisStack uses ` +
                    `(by default <project>-<stack>-<name>, so give the two different names)`,
            );
        }
        const taken = next.hostPorts.find((port) => other.hostPorts.some((theirs) => sameSocket(port, theirs)));
        if (taken) {
            problems.push(
                `${portSetting(taken, next)}: ${taken.host}:${taken.port} (${taken.purpose} of ${taken.node}) is also published by ${by}; ` +
                    `allowed: ports that no other RedisStack of the program publishes`,
            );
        }
        if (next.subnet && other.subnet && subnetsOverlap(next.subnet, other.subnet)) {
            problems.push(
                `subnet: got "${next.subnet}", which overlaps ${other.subnet} of ${by}; allowed: a subnet that no other RedisStack of the program uses`,
            );
        }
        if (
            next.namespace &&
            other.namespace &&
            next.namespace.name === other.namespace.name &&
            next.namespace.kubeconfig === other.namespace.kubeconfig
        ) {
            problems.push(`namespace: got "${next.namespace.name}", which ${by} uses; allowed: a namespace of its own`);
        }
    }
    return problems;
}
