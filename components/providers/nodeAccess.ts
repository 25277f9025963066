// The provider-process side of reaching nodes that are not routable from where Pulumi runs: a resource
// whose inputs carry `nodeAccess` (kubernetes runtime, `redis-stack:access portForward`) runs each
// provider operation with the protocol layer's connections going through port-forwards that this
// operation opens on demand and closes when it ends. Without `nodeAccess`, nothing is loaded.
import type { PortForwardAccess } from "../runtime/kubernetes/nodeAccess";

/** What a resource that connects to nodes is given to reach them (absent: at their own addresses). */
export type NodeAccess = PortForwardAccess;

/** The input that asks for it, in the inputs of every resource that connects to nodes. */
export const NODE_ACCESS_KEY = "nodeAccess";

function accessOf(args: readonly unknown[]): PortForwardAccess | undefined {
    // The newest inputs come last (create(inputs), update(id, olds, news), read/delete(id, props)).
    for (let i = args.length - 1; i >= 0; i--) {
        const value = args[i];
        if (value && typeof value === "object" && NODE_ACCESS_KEY in value) {
            const access = (value as Record<string, unknown>)[NODE_ACCESS_KEY] as PortForwardAccess | undefined;
            if (access?.mode === "portForward") return access;
        }
    }
    return undefined;
}

/** Runs `run`, through port-forwards when the operation's inputs ask for them; they are all closed after. */
export async function withNodeAccess<T>(args: readonly unknown[], run: () => Promise<T>): Promise<T> {
    const access = accessOf(args);
    if (!access) return run();
    // Loaded only here: direct-mode stacks and Docker runtimes never load the Kubernetes client for it.
    const { openNodeForwards } = require("../runtime/kubernetes/portForward") as typeof import("../runtime/kubernetes/portForward");
    const { reachingThrough } = require("../redis/connect") as typeof import("../redis/connect");
    const forwards = openNodeForwards(access);
    try {
        return await reachingThrough((node) => forwards.reach(node), run);
    } finally {
        await forwards.close();
    }
}
