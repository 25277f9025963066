// The provider-process side of reaching nodes that are not routable from where Pulumi runs: a resource
// whose inputs carry `nodeAccess` (../contracts/nodeAccess.ts; the kubernetes runtime's port-forwards
// with `redis-stack:access portForward`) runs each provider operation with the protocol layer's
// connections going the way that access opens for this operation and closes when it ends. The access
// module is loaded by the name the inputs record: without `nodeAccess`, nothing is loaded.
import { NODE_ACCESS_KEY, type NodeAccess, loadNodeAccess, reachingThrough, recordedAccess } from "../contracts/nodeAccess";

function accessOf(args: readonly unknown[]): NodeAccess | undefined {
    // The newest inputs come last (create(inputs), update(id, olds, news), read/delete(id, props)).
    for (let i = args.length - 1; i >= 0; i--) {
        const value = args[i];
        if (value && typeof value === "object" && NODE_ACCESS_KEY in value) {
            const access = recordedAccess((value as Record<string, unknown>)[NODE_ACCESS_KEY]);
            if (access) return access;
        }
    }
    return undefined;
}

/** Runs `run` through the node access that the operation's inputs ask for, if any; what it opened is closed after. */
export async function withNodeAccess<T>(args: readonly unknown[], run: () => Promise<T>): Promise<T> {
    const access = accessOf(args);
    if (!access) return run();
    const opened = loadNodeAccess(access).open(access.options);
    try {
        return await reachingThrough((node) => opened.reach(node), run);
    } finally {
        await opened.close();
    }
}
