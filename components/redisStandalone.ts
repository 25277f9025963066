import * as pulumi from "@pulumi/pulumi";
import type { ContainerRuntime } from "./config";
import { KubernetesTarget, type NodeContext, NodeEndpoint, runtimeBackend } from "./runtime";
import { standaloneNodeLifecycle } from "./redis/standaloneNodeLifecycle";
import { type TlsMaterial, nodeTlsContext } from "./tls/stackTls";
import type { NodeSpec } from "./topology";

export interface RedisStandaloneArgs {
    /** The standalone node's spec, from `buildTopology`. */
    readonly node: NodeSpec;
    readonly image: string;
    readonly runtime: ContainerRuntime;
    /** The network to join (bridge mode): the cluster's, so both share one address plan. */
    readonly network?: { readonly name: pulumi.Input<string>; readonly id: pulumi.Input<string> };
    /** Sets `requirepass`. Pass a secret. */
    readonly password?: pulumi.Input<string>;
    /** ACL users (components/redisUsers.ts). */
    readonly users?: NodeContext["users"];
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
    /** The announced address: reachable from the Docker host (Linux) and from the stack's network. */
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** `redis://host:port` (`rediss://` with TLS) without credentials (the password is a separate secret output). */
    readonly url: pulumi.Output<string>;
    /** `redis://127.0.0.1:port`, for hosts that cannot reach the announced address. */
    readonly loopbackUrl: pulumi.Output<string>;
    readonly containerId: pulumi.Output<string>;
    /** The node's addresses (on Kubernetes: its Service's ClusterIP and name). */
    readonly endpoint: pulumi.Output<NodeEndpoint>;

    constructor(name: string, args: RedisStandaloneArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("redis-stack:index:RedisStandalone", name, {}, opts);
        validateStandaloneArgs(args);
        const backend = runtimeBackend(
            args.runtime,
            args.kubernetes && { target: args.kubernetes, component: name, objects: "standalone" },
        );
        const image = backend.image(`${name}-image`, args.image, { parent: this });
        // A new password, users or settings in place, where the runtime can do that (otherwise the container is replaced).
        const { rollsOneNodeAtATime, changesPasswordInPlace, changesUsersInPlace } = backend.capabilities;
        const lifecycle = rollsOneNodeAtATime || changesPasswordInPlace || changesUsersInPlace ? standaloneNodeLifecycle : undefined;
        const node = backend.node(
            `${name}-node`,
            args.node,
            {
                image,
                network: args.network,
                password: args.password,
                lifecycle,
                users: args.users,
                ...nodeTlsContext(args.tls, backend.capabilities, args.node, `${name}-node-cert`, { parent: this }),
            },
            { parent: this },
        );
        const spec = args.node;
        this.endpoint =
            node.endpoint ??
            pulumi.output({
                announceHost: spec.announceHost,
                announcePort: spec.clientPort,
                host: spec.hostAddress.host,
                port: spec.hostAddress.port,
            });
        this.host = this.endpoint.announceHost;
        this.port = this.endpoint.announcePort;
        // With TLS the client port serves TLS (components/tls/nodeTls.ts), hence the scheme.
        const scheme = args.tls ? "rediss" : "redis";
        this.url = pulumi.interpolate`${scheme}://${this.endpoint.announceHost}:${this.endpoint.announcePort}`;
        this.loopbackUrl = pulumi.interpolate`${scheme}://${this.endpoint.host}:${this.endpoint.port}`;
        this.containerId = node.containerId;
        // Nothing registered: the stack exports these same values, and a copy here would only double
        // them in the state. Programs read them from the properties.
        this.registerOutputs({});
    }
}
