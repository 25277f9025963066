// What a container runtime must provide: resources for the image, the network and each node.
import * as pulumi from "@pulumi/pulumi";
import type { NetworkSpec, NodeSpec } from "../topology";

export interface NodeContext {
    /** Image reference (or id) the containers run. */
    readonly image: pulumi.Input<string>;
    /** The stack's network, absent in host mode. */
    readonly network?: { readonly name: pulumi.Input<string>; readonly id: pulumi.Input<string> };
    readonly password?: pulumi.Input<string>;
    /**
     * Cluster nodes: announced address -> address reachable from the Docker host, for every node.
     * A runtime that can replace nodes one at a time uses it to reach a master's replica.
     */
    readonly clusterAddresses?: Readonly<Record<string, { host: string; port: number }>>;
}

export interface NodeResources {
    /** Changes whenever the container is replaced. */
    readonly containerId: pulumi.Output<string>;
    readonly container: pulumi.Resource;
}

export interface RuntimeBackend {
    image(name: string, image: string, opts: pulumi.CustomResourceOptions): pulumi.Output<string>;
    network(name: string, spec: NetworkSpec, opts: pulumi.CustomResourceOptions): { name: pulumi.Output<string>; id: pulumi.Output<string> };
    node(name: string, node: NodeSpec, context: NodeContext, opts: pulumi.CustomResourceOptions): NodeResources;
}
