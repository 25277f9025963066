import * as pulumi from "@pulumi/pulumi";
import type { ClusterCheck } from "./clusterCheck";
import type { ContainerRuntime } from "./config";
import type { NodeContext } from "./runtime";
import { ClusterFormation } from "./formation/clusterFormation";
import type { NodeState } from "./redis/form";
import { formationNodes } from "./formation/spec";
import { clusterNodeLifecycle } from "./redis/clusterNodeLifecycle";
import { KubernetesTarget, NodeEndpoint, runtimeBackend } from "./runtime";
import { type TlsMaterial, nodeTlsContext } from "./tls/stackTls";
import { Topology, natMap } from "./topology";

export interface RedisClusterArgs {
    /** Node specs and slot plan, from `buildTopology` (pure, validated). */
    readonly topology: Topology;
    /** How node specs become containers. */
    readonly runtime: ContainerRuntime;
    /** Sets `requirepass` and `masterauth` on every node. Pass a secret. */
    readonly password?: pulumi.Input<string>;
    /** ACL users every node gets, replicas too (components/redisUsers.ts). */
    readonly users?: NodeContext["users"];
    /** TLS material: every node serves TLS with its own certificate, and formation connects with the client one. */
    readonly tls?: TlsMaterial;
    /** How long formation waits for each node to answer (ms). */
    readonly connectTimeoutMs?: pulumi.Input<number>;
    /** Run `redis-cli --cluster check` after formation and export its report (needs the docker CLI). Default true. */
    readonly check?: boolean;
    /** Runtime `kubernetes`: the provider and namespace the nodes go to. */
    readonly kubernetes?: KubernetesTarget;
}

/** Checks that must hold before any child is created. */
export function validateClusterArgs(args: RedisClusterArgs): void {
    const masters = args.topology.clusterNodes.filter((n) => n.role === "master").length;
    if (masters < 3) throw new Error(`RedisCluster needs at least 3 masters, got ${masters}`);
    if (args.topology.slotPlan.length !== masters) {
        throw new Error(`RedisCluster slot plan has ${args.topology.slotPlan.length} ranges for ${masters} masters`);
    }
}

/** A node's addresses as its spec gives them (the Docker runtimes). */
function specEndpoint(node: Topology["clusterNodes"][number]): NodeEndpoint {
    return { announceHost: node.announceHost, announcePort: node.clientPort, host: node.hostAddress.host, port: node.hostAddress.port };
}

/** ioredis `natMap` from learnt endpoints: empty where nodes are reached where they announce. */
function endpointNatMap(endpoints: readonly NodeEndpoint[]): Record<string, { host: string; port: number }> {
    const map: Record<string, { host: string; port: number }> = {};
    for (const e of endpoints) {
        if (e.announceHost !== e.host || e.announcePort !== e.port)
            map[`${e.announceHost}:${e.announcePort}`] = { host: e.host, port: e.port };
    }
    return map;
}

/** A Redis Cluster of Docker containers, formed with native cluster commands. */
export class RedisCluster extends pulumi.ComponentResource {
    /**
     * Announced `host:port` of every node: seeds that work from the Docker host (Linux) and from
     * containers on the stack's network, and that MOVED redirects point to.
     */
    readonly seeds: pulumi.Output<string[]>;
    /** `127.0.0.1:port` of every node, with `natMap`, for hosts that cannot reach the announced address (Docker Desktop). */
    readonly loopbackSeeds: pulumi.Output<string[]>;
    /** Live role, id and slot ranges of every node after formation. */
    readonly nodes: pulumi.Output<NodeState[]>;
    /** ioredis `natMap`: announced address -> address reachable from the Docker host. */
    readonly natMap: pulumi.Output<Record<string, { host: string; port: number }>>;
    /** The stack's Docker network (empty in host mode). */
    readonly networkName: pulumi.Output<string>;
    /** The network's id, for containers that must start after it (empty in host mode). */
    readonly networkId: pulumi.Output<string>;
    /** Address the nodes announce. */
    readonly announceHost: pulumi.Output<string>;
    /** Container ids, in node order; they change when a container is replaced. */
    readonly containerIds: pulumi.Output<string[]>;
    /** `redis-cli --cluster check` output (empty when the check is off). */
    readonly checkReport: pulumi.Output<string>;
    /** Every node's addresses, in node order (on Kubernetes: its Service's ClusterIP and name). */
    readonly endpoints: pulumi.Output<NodeEndpoint[]>;

    constructor(name: string, args: RedisClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("redis-stack:index:RedisCluster", name, {}, opts);
        validateClusterArgs(args);
        const { topology } = args;
        const backend = runtimeBackend(args.runtime, args.kubernetes && { target: args.kubernetes, component: name, objects: "cluster" });
        const image = backend.image(`${name}-image`, topology.image, { parent: this });
        const network = topology.network ? backend.network(`${name}-network`, topology.network, { parent: this }) : undefined;
        const clusterAddresses = natMap(topology.clusterNodes);
        // Failovers before a node stops, turns, passwords in place: for runtimes that can use them. The
        // same small reference for every node, so no node's inputs change with the number of nodes.
        const { rollsOneNodeAtATime, changesPasswordInPlace, changesUsersInPlace } = backend.capabilities;
        const lifecycle =
            rollsOneNodeAtATime || changesPasswordInPlace || changesUsersInPlace ? clusterNodeLifecycle(topology.clusterNodes) : undefined;
        const nodes = topology.clusterNodes.map((node) =>
            backend.node(
                `${name}-node-${node.index}`,
                node,
                {
                    image,
                    network,
                    password: args.password,
                    lifecycle,
                    users: args.users,
                    ...nodeTlsContext(args.tls, backend.capabilities, node, `${name}-node-${node.index}-cert`, { parent: this }),
                },
                { parent: this },
            ),
        );

        // Where the runtime learns the addresses only as it creates the nodes (Kubernetes), they come from it.
        const learnt = nodes.every((n) => n.endpoint !== undefined) ? pulumi.all(nodes.map((n) => n.endpoint!)) : undefined;
        const formation = new ClusterFormation(
            `${name}-formation`,
            {
                nodes: learnt ? learnt.apply((endpoints) => formationNodes(topology, endpoints)) : formationNodes(topology),
                slotPlan: [...topology.slotPlan],
                password: args.password,
                ...(args.tls ? { tls: args.tls.client } : {}),
                containerIds: nodes.map((n) => n.containerId),
                ...(backend.capabilities.placesByShard ? { pinShards: true } : {}),
                ...(backend.nodeAccess ? { nodeAccess: backend.nodeAccess } : {}),
                ...(args.connectTimeoutMs !== undefined ? { connectTimeoutMs: args.connectTimeoutMs } : {}),
            },
            { parent: this, dependsOn: nodes.map((n) => n.container) },
        );

        // @pulumi/command is loaded only when the check runs: stacks without it need no command plugin.
        const Check = args.check === false ? undefined : (require("./clusterCheck") as { ClusterCheck: typeof ClusterCheck }).ClusterCheck;
        this.checkReport = !Check
            ? pulumi.output("")
            : new Check(
                  `${name}-check`,
                  {
                      node: topology.clusterNodes[0],
                      password: args.password,
                      triggers: [formation.nodeStates, ...nodes.map((n) => n.containerId)],
                  },
                  { parent: this, dependsOn: [formation] },
              ).report;
        this.endpoints = learnt ?? pulumi.output(topology.clusterNodes.map(specEndpoint));
        this.seeds = this.endpoints.apply((endpoints) => endpoints.map((e) => `${e.announceHost}:${e.announcePort}`));
        this.loopbackSeeds = this.endpoints.apply((endpoints) => endpoints.map((e) => `${e.host}:${e.port}`));
        this.nodes = formation.nodeStates;
        this.natMap = learnt ? learnt.apply(endpointNatMap) : pulumi.output(clusterAddresses);
        this.networkName = network ? network.name : pulumi.output("");
        this.networkId = network ? network.id : pulumi.output("");
        this.announceHost = pulumi.output(topology.clusterNodes[0].announceHost);
        this.containerIds = pulumi.all(nodes.map((n) => n.containerId));
        // Nothing registered: the stack exports these same values, and a copy here would only double
        // them in the state (3.7 KB for the default cluster). Programs read them from the properties.
        this.registerOutputs({});
    }
}
