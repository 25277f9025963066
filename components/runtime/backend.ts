// What a container runtime must provide: resources for the image, the network and each node.
import * as pulumi from "@pulumi/pulumi";
import type { AclUser } from "../aclUsers";
import type { NetworkSpec, NodeSpec } from "../topology";
import type { NodeTls } from "../tls/nodeTls";
import type { CertificateSubject } from "../tls/certificates";
import type { LifecycleRef } from "../contracts/nodeLifecycle";
import type { NodeAccess } from "../contracts/nodeAccess";

export interface NodeContext {
    /** Image reference (or id) the containers run. */
    readonly image: pulumi.Input<string>;
    /** The stack's network, absent in host mode. */
    readonly network?: { readonly name: pulumi.Input<string>; readonly id: pulumi.Input<string> };
    readonly password?: pulumi.Input<string>;
    /** ACL users every node gets (names and rules), and user name -> SHA-256 of its password (secret). */
    readonly users?: { readonly rules: readonly AclUser[]; readonly passwordHashes: pulumi.Input<Record<string, string>> };
    /** The node's TLS files (CA, certificate, key; pass a secret), written into its container before it starts. */
    readonly tls?: pulumi.Input<NodeTls>;
    /**
     * For runtimes that learn a node's addresses (`learnsAddresses`) instead of `tls`: issues the node's
     * TLS files (a secret) for what it is reached at, once the runtime knows that.
     */
    readonly tlsFor?: (subject: pulumi.Input<CertificateSubject>, opts: pulumi.CustomResourceOptions) => pulumi.Output<NodeTls>;
    /**
     * What the node's software needs when the runtime stops, replaces or re-keys it (../contracts/nodeLifecycle.ts),
     * for runtimes whose capabilities use it.
     */
    readonly lifecycle?: LifecycleRef;
}

/** Where a node is reached, for runtimes that learn it only when its resources exist (Kubernetes: its Service's ClusterIP). */
export interface NodeEndpoint {
    /** What the node announces to its peers and clients (MOVED redirects). */
    readonly announceHost: string;
    readonly announcePort: number;
    /** Where the program and the formation reach it from. */
    readonly host: string;
    readonly port: number;
    /** The node's Kubernetes Service, where there is one. */
    readonly serviceName?: string;
}

export interface NodeResources {
    /** Changes whenever the container is replaced. */
    readonly containerId: pulumi.Output<string>;
    readonly container: pulumi.Resource;
    /** Absent: the node spec's own addresses (announceHost, hostAddress) hold. */
    readonly endpoint?: pulumi.Output<NodeEndpoint>;
}

/** What a runtime can do with a node's lifecycle. */
export interface RuntimeCapabilities {
    /**
     * Changed nodes are replaced one at a time, each after `beforeStop` and before the next one's turn
     * (a master fails over first). Otherwise every changed node is replaced at once: data stays on the
     * volumes, but the cluster is interrupted.
     */
    readonly rollsOneNodeAtATime: boolean;
    /** A new password reaches running nodes without a restart (`changePassword`). Otherwise they are replaced. */
    readonly changesPasswordInPlace: boolean;
    /**
     * Nodes are placed by their planned shard (Kubernetes: PodDisruptionBudgets and anti-affinity key on
     * it), so the formation must keep every node in that shard rather than keep live pairs.
     */
    readonly placesByShard?: boolean;
    /** ACL users reach running nodes without a restart through the lifecycle (where the runtime does not do it itself). Absent: false. */
    readonly changesUsersInPlace?: boolean;
    /**
     * A node's addresses exist only once the runtime made them (Kubernetes: its Service's ClusterIP), so
     * its TLS certificate is issued then, through `NodeContext.tlsFor`. Absent: false, the node spec's
     * addresses hold and `NodeContext.tls` is given.
     */
    readonly learnsAddresses?: boolean;
}

export interface RuntimeBackend {
    readonly capabilities: RuntimeCapabilities;
    /**
     * Where the nodes' addresses are not reachable as they are from where Pulumi runs (Kubernetes with
     * `access: portForward`): the `nodeAccess` input of every resource that connects to them
     * (contracts/nodeAccess.ts). Absent: they are.
     */
    readonly nodeAccess?: pulumi.Output<NodeAccess>;
    image(name: string, image: string, opts: pulumi.CustomResourceOptions): pulumi.Output<string>;
    network(
        name: string,
        spec: NetworkSpec,
        opts: pulumi.CustomResourceOptions,
    ): { name: pulumi.Output<string>; id: pulumi.Output<string> };
    node(name: string, node: NodeSpec, context: NodeContext, opts: pulumi.CustomResourceOptions): NodeResources;
}
