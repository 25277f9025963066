// What the runtime must do around a Redis Cluster node (components/contracts/nodeLifecycle.ts): nodes are
// replaced one at a time, replicas first; a master hands its slots to an in-sync replica before it stops
// and counts as back once it rejoined under its node id; a new password is taken over in two steps
// (the formation finishes the second). Loaded by module name in the runtime's provider process.
import type { LifecycleNode, LifecycleRef, NodeAddress, NodeChange, NodeLifecycle } from "../contracts/nodeLifecycle";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import { parseClusterNodes } from "./clusterView";
import { Endpoint, connectNode } from "./connect";
import { Departure, HandoverTarget, awaitReturn, departureCost, prepareDeparture } from "./handover";
import { acceptNewPassword } from "./password";
import { applyUsers, checkUserRules } from "./users";
import { applySettings, readSettings } from "./settings";
import { renewStaleLinks } from "./busLinks";
import { switchTlsLive } from "./tlsSwitch";

/**
 * The options the cluster component records with this module: the host every node announces, and the
 * host the provider reaches them on instead (same port). One rule, not an address per node, so a
 * node's inputs do not grow or change with the number of nodes.
 */
export interface ClusterNodeOptions {
    readonly announceHost: string;
    readonly reachableHost: string;
}

export function clusterNodeOptions(announceHost: string, reachableHost: string): ClusterNodeOptions {
    return { announceHost, reachableHost };
}

/** The node's address with its TLS files, as the protocol layer connects to it. */
export const endpointOf = (node: LifecycleNode): Endpoint => ({ ...node.address, ...(node.tls ? { tls: node.tls } : {}) });

function optionsOf(node: LifecycleNode): ClusterNodeOptions {
    const { announceHost, reachableHost } = node.options;
    return { announceHost: String(announceHost), reachableHost: String(reachableHost) };
}

/** Pure: the natMap for the announced addresses a node sees, by the host rule. */
export function reachableAddresses(
    announced: readonly string[],
    options: ClusterNodeOptions,
): Record<string, { host: string; port: number }> {
    const map: Record<string, { host: string; port: number }> = {};
    if (options.announceHost === options.reachableHost) return map;
    for (const address of announced) {
        const [host, port] = address.split(":");
        if (host === options.announceHost) map[address] = { host: options.reachableHost, port: Number(port) };
    }
    return map;
}

/** The handover target with the addresses of the peers the node knows; undefined when it does not answer. */
async function handoverTarget(node: LifecycleNode): Promise<HandoverTarget | undefined> {
    const password = node.password || undefined;
    let addresses: string[];
    try {
        const client = await connectNode(endpointOf(node), password, DEFAULT_TIMEOUTS.answerMs);
        try {
            addresses = parseClusterNodes(String(await client.call("CLUSTER", "NODES"))).map((line) => line.address);
        } finally {
            client.disconnect();
        }
    } catch {
        return undefined;
    }
    return { node: endpointOf(node), password, reachableAt: reachableAddresses(addresses, optionsOf(node)) };
}

const asTarget = (node: LifecycleNode): HandoverTarget => ({
    node: endpointOf(node),
    password: node.password || undefined,
    reachableAt: {},
});

export const lifecycle: NodeLifecycle = {
    oneAtATime: true,

    cost: (node) => departureCost(asTarget(node)),

    async beforeStop(node) {
        // A node that does not answer is out of service already: nothing to hand over, nothing to wait for.
        const target = await handoverTarget(node);
        return target ? prepareDeparture(target, DEFAULT_TIMEOUTS.failoverMs) : undefined;
    },

    async afterStart(node, departure) {
        await awaitReturn(asTarget(node), departure as Departure, DEFAULT_TIMEOUTS.rejoinMs);
        // Its peers' links to it must reach the new process before anything fails over to it (./busLinks.ts).
        const target = await handoverTarget(node);
        if (target) await renewStaleLinks(target);
    },

    // Step 1 of 2: the node accepts both passwords and uses the new one towards its master; the
    // formation's update drops the old one once every node has done this.
    changePassword: (node, oldPassword, newPassword) => acceptNewPassword(endpointOf(node), oldPassword, newPassword),

    // The cluster bus speaks TLS or plain text, not both: a node restarted across a switch would not
    // reach peers that have not switched. So every node first switches live (CONFIG SET; its links
    // survive) and waits for its peers to have done so; only then does it take its turn to restart.
    switchTls: (before, after, settings) =>
        switchTlsLive(
            endpointOf(before),
            endpointOf(after),
            after.password || undefined,
            settings,
            (announced) => reachableAddresses(announced, optionsOf(after)),
            DEFAULT_TIMEOUTS.tlsSwitchMs,
        ),

    // ACL users are per node: each node, replicas too, gets them itself.
    changeUsers: (node, oldUsers, newUsers) => applyUsers(endpointOf(node), node.password || undefined, oldUsers, newUsers),

    checkUsers: (node, users) => checkUserRules(endpointOf(node), node.password || undefined, users, DEFAULT_TIMEOUTS.probeMs),

    applySettings: (node, set) => applySettings(endpointOf(node), node.password, set),
    readSettings: (node, names) => readSettings(endpointOf(node), node.password, names),

    refuse(change: NodeChange, node: NodeAddress) {
        if (!change.passwordChanged || !change.recreated) return undefined;
        // A node recreated with only the new password could not sync from a master not switched yet.
        return `redis-stack:password cannot change in the same update as the image or Redis settings (${node.name}): change the password in one \`pulumi up\` and the rest in another.`;
    },
};

/** This module, by the name the runtime's provider process loads it with. */
export const CLUSTER_NODE_LIFECYCLE = "redis-stack/components/redis/clusterNodeLifecycle";

/**
 * Where the runtime learns its nodes' addresses only as it makes them (Kubernetes), there is no host rule: an
 * empty announced host matches no address. These are the options such stacks' nodes record in their state.
 */
const NO_HOST_RULE = clusterNodeOptions("", "127.0.0.1");

/** A node's addresses as its runtime placed it: what it announces, and where the provider reaches it. */
export interface PlacedNodeAddresses {
    readonly name: string;
    readonly announceHost: string;
    readonly announcePort: number;
    readonly host: string;
    readonly port: number;
}

/**
 * The lifecycle reference for a cluster's nodes: one host rule for all of them (announced host -> host the
 * provider reaches, same port), which holds for every placement this project makes; none where the runtime
 * places no node beforehand (`placed` undefined).
 */
export function clusterNodeLifecycle(placed: readonly PlacedNodeAddresses[] | undefined): LifecycleRef {
    if (!placed) return { module: CLUSTER_NODE_LIFECYCLE, options: { ...NO_HOST_RULE } };
    const [first] = placed;
    const options = clusterNodeOptions(first.announceHost, first.host);
    const odd = placed.find(
        (n) => n.announceHost !== options.announceHost || n.host !== options.reachableHost || n.port !== n.announcePort,
    );
    if (odd)
        throw new Error(
            `cluster node ${odd.name}: its host address does not follow the cluster's host rule (${options.announceHost} -> ${options.reachableHost}, same port)`,
        );
    return { module: CLUSTER_NODE_LIFECYCLE, options: { ...options } };
}
