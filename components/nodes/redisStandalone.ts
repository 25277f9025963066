import * as pulumi from "@pulumi/pulumi";
import type { ContainerRuntime } from "../settings/config";
import { DockerTopology, KubernetesTarget, type NodeContext, NodeEndpoint, StackNetwork, runtimeBackend } from "../runtime";
import { standaloneNodeLifecycle } from "../redis/standaloneNodeLifecycle";
import { type TlsMaterial, nodeTlsContext } from "../tls/stackTls";
import type { NodeSpec } from "../topology/topology";

export interface RedisStandaloneArgs {
    /** The standalone node, from `buildTopology`. */
    readonly node: NodeSpec;
    readonly image: string;
    readonly runtime: ContainerRuntime;
    /** Runtimes `engine` and `docker`: the stack's nodes placed on the Docker host (runtime/dockerPlacement.ts). */
    readonly docker?: DockerTopology;
    /** Runtimes `engine` and `docker`: the stack's owner id, which every Docker object it makes carries (runtime/ownership.ts). */
    readonly owner?: pulumi.Input<string>;
    /** What the cluster's runtime made for the stack's nodes to share (RedisCluster.network): the node joins it. */
    readonly network?: StackNetwork;
    /** Sets `requirepass`. Pass a secret. */
    readonly password?: pulumi.Input<string>;
    /** ACL users (components/nodes/redisUsers.ts). */
    readonly users?: NodeContext["users"];
    /** With `metrics`: a Prometheus exporter beside every node. */
    readonly metrics?: NodeContext["metrics"];
    /** TLS material: the node serves TLS with its own certificate. */
    readonly tls?: TlsMaterial;
    /** Runtime `kubernetes`: the provider and namespace the node goes to. */
    readonly kubernetes?: KubernetesTarget;
}

export function validateStandaloneArgs(args: RedisStandaloneArgs): void {
    if (args.node.role !== "standalone") throw new Error(`RedisStandalone needs a standalone node spec, got role ${args.node.role}`);
    if (args.node.redisArgs.includes("--cluster-enabled")) throw new Error("RedisStandalone must not enable cluster mode");
}

/** One Redis node with cluster mode off, for clients that cannot speak cluster. */
export class RedisStandalone extends pulumi.ComponentResource {
    /** The announced address (on a Docker host: reachable from the host (Linux) and from the stack's network). */
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** `redis://host:port` (`rediss://` with TLS) without credentials (the password is a separate secret output). */
    readonly url: pulumi.Output<string>;
    /** `redis://host:port` where the program reaches the node (on a Docker host: 127.0.0.1), for hosts that cannot reach the announced address. */
    readonly loopbackUrl: pulumi.Output<string>;
    readonly containerId: pulumi.Output<string>;
    /** The node's addresses (on Kubernetes: its Service's ClusterIP and name). */
    readonly endpoint: pulumi.Output<NodeEndpoint>;
    /** With `metrics`: where Prometheus scrapes the node's exporter. */
    readonly metricsTarget?: pulumi.Output<string>;

    constructor(name: string, args: RedisStandaloneArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("redis-stack:index:RedisStandalone", name, {}, opts);
        validateStandaloneArgs(args);
        const backend = runtimeBackend(args.runtime, {
            ...(args.docker ? { docker: args.docker } : {}),
            ...(args.owner !== undefined ? { owner: args.owner } : {}),
            ...(args.kubernetes ? { kubernetes: { target: args.kubernetes, component: name, objects: "standalone" } } : {}),
        });
        const image = backend.image(`${name}-image`, args.image, { parent: this });
        // A new password, users or settings in place, where the runtime can do that (otherwise the container is replaced).
        const { rollsOneNodeAtATime, changesPasswordInPlace, changesUsersInPlace } = backend.capabilities;
        const lifecycle = rollsOneNodeAtATime || changesPasswordInPlace || changesUsersInPlace ? standaloneNodeLifecycle : undefined;
        const planned = backend.plannedEndpoint && { name: args.node.name, ...backend.plannedEndpoint(args.node) };
        const node = backend.node(
            `${name}-node`,
            args.node,
            {
                image,
                ...(args.network ? { network: args.network } : {}),
                password: args.password,
                lifecycle,
                users: args.users,
                ...(args.metrics ? { metrics: args.metrics } : {}),
                ...nodeTlsContext(args.tls, planned, `${name}-node-cert`, { parent: this }),
            },
            { parent: this },
        );
        this.endpoint = node.endpoint;
        this.host = this.endpoint.announceHost;
        this.port = this.endpoint.announcePort;
        // With TLS the client port serves TLS (components/tls/nodeTls.ts), hence the scheme.
        const scheme = args.tls ? "rediss" : "redis";
        this.url = pulumi.interpolate`${scheme}://${this.endpoint.announceHost}:${this.endpoint.announcePort}`;
        this.loopbackUrl = pulumi.interpolate`${scheme}://${this.endpoint.host}:${this.endpoint.port}`;
        this.containerId = node.containerId;
        if (node.metricsTarget) this.metricsTarget = node.metricsTarget;
        // Nothing registered: the stack exports these same values, and a copy here would only double
        // them in the state. Programs read them from the properties.
        this.registerOutputs({});
    }
}
