import * as pulumi from "@pulumi/pulumi";
import type { ClusterCheck } from "./clusterCheck";
import type { ContainerRuntime } from "../settings/config";
import type { NodeContext } from "../runtime";
import { ClusterFormation } from "../formation/clusterFormation";
import type { NodeState } from "../redis/form";
import { formationNodes, formationSettings } from "../formation/spec";
import { clusterNodeLifecycle } from "../redis/clusterNodeLifecycle";
import { DockerTopology, KubernetesTarget, NodeEndpoint, StackNetwork, natMapOf, runtimeBackend } from "../runtime";
import { type TlsMaterial, nodeTlsContext } from "../tls/stackTls";
import type { Topology } from "../topology/topology";

export interface RedisClusterArgs {
    /** The logical cluster: nodes and slot plan, from `buildTopology` (pure, validated). */
    readonly topology: Topology;
    /** How the nodes become containers. */
    readonly runtime: ContainerRuntime;
    /** Runtimes `engine` and `docker`: the stack's nodes placed on the Docker host (runtime/dockerPlacement.ts). */
    readonly docker?: DockerTopology;
    /** Runtimes `engine` and `docker`: the stack's owner id, which every Docker object it makes carries (runtime/ownership.ts). */
    readonly owner?: pulumi.Input<string>;
    /** Sets `requirepass` and `masterauth` on every node. Pass a secret. */
    readonly password?: pulumi.Input<string>;
    /** ACL users every node gets, replicas too (components/nodes/redisUsers.ts). */
    readonly users?: NodeContext["users"];
    /** With `metrics`: a Prometheus exporter beside every node. */
    readonly metrics?: NodeContext["metrics"];
    /** TLS material: every node serves TLS with its own certificate, and formation connects with the client one. */
    readonly tls?: TlsMaterial;
    /** How long formation waits for each node to answer (ms). */
    readonly connectTimeoutMs?: pulumi.Input<number>;
    /**
     * Run `redis-cli --cluster check` in a node's container after formation and export its report (needs the
     * docker CLI; Docker runtimes only). Default true.
     */
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

/** A Redis Cluster on a runtime, formed with native cluster commands. */
export class RedisCluster extends pulumi.ComponentResource {
    /** Announced `host:port` of every node: the seeds for a cluster client, and what MOVED redirects point to. */
    readonly seeds: pulumi.Output<string[]>;
    /** `host:port` where the program reaches every node, with `natMap`, for hosts that cannot reach the announced address (Docker Desktop). */
    readonly loopbackSeeds: pulumi.Output<string[]>;
    /** Live role, id and slot ranges of every node after formation. */
    readonly nodes: pulumi.Output<NodeState[]>;
    /** ioredis `natMap`: announced address -> address the program reaches the node at. */
    readonly natMap: pulumi.Output<Record<string, { host: string; port: number }>>;
    /** Container ids, in node order; they change when a container is replaced. */
    readonly containerIds: pulumi.Output<string[]>;
    /** `redis-cli --cluster check` output (empty when the check is off). */
    readonly checkReport: pulumi.Output<string>;
    /** Every node's addresses, in node order (on Kubernetes: its Service's ClusterIP and name). */
    readonly endpoints: pulumi.Output<NodeEndpoint[]>;
    /** What the runtime made for the stack's nodes to share, which the standalone node joins (Docker bridge mode: the network). */
    readonly network?: StackNetwork;
    /** With `metrics`: where Prometheus scrapes every node's exporter, in node order. */
    readonly metricsTargets?: pulumi.Output<string[]>;

    constructor(name: string, args: RedisClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("redis-stack:index:RedisCluster", name, {}, opts);
        validateClusterArgs(args);
        const { topology } = args;
        const backend = runtimeBackend(args.runtime, {
            ...(args.docker ? { docker: args.docker } : {}),
            ...(args.owner !== undefined ? { owner: args.owner } : {}),
            ...(args.kubernetes ? { kubernetes: { target: args.kubernetes, component: name, objects: "cluster" } } : {}),
        });
        const image = backend.image(`${name}-image`, topology.image, { parent: this });
        this.network = backend.network(`${name}-network`, { parent: this });
        // Where the runtime places the nodes before making them (Docker): their addresses, now.
        const planned =
            backend.plannedEndpoint && topology.clusterNodes.map((node) => ({ name: node.name, ...backend.plannedEndpoint!(node) }));
        // Failovers before a node stops, turns, passwords in place: for runtimes that can use them. The
        // same small reference for every node, so no node's inputs change with the number of nodes.
        const { rollsOneNodeAtATime, changesPasswordInPlace, changesUsersInPlace } = backend.capabilities;
        const lifecycle = rollsOneNodeAtATime || changesPasswordInPlace || changesUsersInPlace ? clusterNodeLifecycle(planned) : undefined;
        const nodes = topology.clusterNodes.map((node, i) =>
            backend.node(
                `${name}-node-${node.index}`,
                node,
                {
                    image,
                    ...(this.network ? { network: this.network } : {}),
                    password: args.password,
                    lifecycle,
                    users: args.users,
                    ...(args.metrics ? { metrics: args.metrics } : {}),
                    ...nodeTlsContext(args.tls, planned?.[i], `${name}-node-${node.index}-cert`, { parent: this }),
                },
                { parent: this },
            ),
        );

        this.endpoints = pulumi.all(nodes.map((n) => n.endpoint));
        const formation = new ClusterFormation(
            `${name}-formation`,
            {
                nodes: this.endpoints.apply((endpoints) => formationNodes(topology, endpoints)),
                slotPlan: [...topology.slotPlan],
                declaredSettings: formationSettings(topology),
                password: args.password,
                ...(args.tls ? { tls: args.tls.client } : {}),
                containerIds: nodes.map((n) => n.containerId),
                ...(backend.capabilities.placesByShard ? { pinShards: true } : {}),
                ...(backend.nodeAccess ? { nodeAccess: backend.nodeAccess } : {}),
                ...(args.connectTimeoutMs !== undefined ? { connectTimeoutMs: args.connectTimeoutMs } : {}),
            },
            { parent: this, dependsOn: nodes.map((n) => n.container) },
        );

        // It runs in a node's container on the Docker host. @pulumi/command is loaded only when the check runs:
        // stacks without it need no command plugin.
        const Check =
            args.check === false || !args.docker
                ? undefined
                : (require("./clusterCheck") as { ClusterCheck: typeof ClusterCheck }).ClusterCheck;
        this.checkReport = !Check
            ? pulumi.output("")
            : new Check(
                  `${name}-check`,
                  {
                      node: args.docker!.clusterNodes[0],
                      password: args.password,
                      triggers: [formation.nodeStates, ...nodes.map((n) => n.containerId)],
                  },
                  { parent: this, dependsOn: [formation] },
              ).report;
        this.seeds = this.endpoints.apply((endpoints) => endpoints.map((e) => `${e.announceHost}:${e.announcePort}`));
        this.loopbackSeeds = this.endpoints.apply((endpoints) => endpoints.map((e) => `${e.host}:${e.port}`));
        this.nodes = formation.nodeStates;
        this.natMap = this.endpoints.apply(natMapOf);
        this.containerIds = pulumi.all(nodes.map((n) => n.containerId));
        if (args.metrics) this.metricsTargets = pulumi.all(nodes.map((n) => n.metricsTarget ?? pulumi.output("")));
        // Nothing registered: the stack exports these same values, and a copy here would only double
        // them in the state (3.7 KB for the default cluster). Programs read them from the properties.
        this.registerOutputs({});
    }
}
