// What a container runtime must provide: resources for the image, what the stack's nodes share, and each node.
import * as pulumi from "@pulumi/pulumi";
import type { AclUser } from "../settings/aclUsers";
import type { NodeSpec } from "../topology/topology";
import type { NodeTls } from "../tls/nodeTls";
import type { CertificateSubject } from "../tls/certificates";
import type { LifecycleRef } from "../contracts/nodeLifecycle";
import type { NodeAccess } from "../contracts/nodeAccess";

export interface NodeContext {
    /** Image reference (or id) the containers run. */
    readonly image: pulumi.Input<string>;
    /** The network the runtime placed the stack's nodes on (RuntimeBackend.network), where it made one. */
    readonly network?: StackNetwork;
    readonly password?: pulumi.Input<string>;
    /** ACL users every node gets (names and rules), and user name -> SHA-256 of its password (secret). */
    readonly users?: { readonly rules: readonly AclUser[]; readonly passwordHashes: pulumi.Input<Record<string, string>> };
    /** The node's TLS files (CA, certificate, key; pass a secret), written into its container before it starts. */
    readonly tls?: pulumi.Input<NodeTls>;
    /**
     * For runtimes that learn a node's addresses (no `plannedEndpoint`) instead of `tls`: issues the node's
     * TLS files (a secret) for what it is reached at, once the runtime knows that.
     */
    readonly tlsFor?: (subject: pulumi.Input<CertificateSubject>, opts: pulumi.CustomResourceOptions) => pulumi.Output<NodeTls>;
    /**
     * What the node's software needs when the runtime stops, replaces or re-keys it (../contracts/nodeLifecycle.ts),
     * for runtimes whose capabilities use it.
     */
    readonly lifecycle?: LifecycleRef;
    /** With `metrics`: the exporter beside the node, its image and its ACL user's password (secret). */
    readonly metrics?: NodeMetrics;
}

/** A node's Prometheus exporter (../topology/metricsExporter.ts) as a runtime gets it. */
export interface NodeMetrics {
    readonly image: pulumi.Input<string>;
    /** METRICS_USER's password (secret): in the exporter's password file only. */
    readonly password: pulumi.Input<string>;
}

/** Where a node is reached: placed by the runtime beforehand (Docker), or learnt as it makes the node (Kubernetes: its Service's ClusterIP). */
export interface NodeEndpoint {
    /** What the node announces to its peers and clients (MOVED redirects). */
    readonly announceHost: string;
    readonly announcePort: number;
    /** Where the program and the formation reach it from. */
    readonly host: string;
    readonly port: number;
    /** The node's Kubernetes Service, where there is one. */
    readonly serviceName?: string;
    /** Kubernetes with externalAccess: where clients outside the cluster reach the node (at its client port), which it announces to them. */
    readonly externalHost?: string;
}

export interface NodeResources {
    /** Changes whenever the container is replaced. */
    readonly containerId: pulumi.Output<string>;
    readonly container: pulumi.Resource;
    readonly endpoint: pulumi.Output<NodeEndpoint>;
    /** With `metrics`: `host:port` Prometheus scrapes the node's exporter at. */
    readonly metricsTarget?: pulumi.Output<string>;
}

/** With backupSchedule: what a runtime runs the scheduled backups with (../backup/backupSchedule.ts). */
export interface BackupRunnerContext {
    /** The stack's name prefix, as the backups' manifests name it. */
    readonly stack: string;
    readonly image: string;
    readonly schedule: string;
    readonly retention: number;
    /** BACKUP_USER's password (secret): in the runner's job file only. */
    readonly password: pulumi.Input<string>;
    /** With TLS: the client's CA, certificate and key (secret). */
    readonly tls?: pulumi.Input<NodeTls>;
    /** Every node by name with its addresses (cluster nodes in node order), once the runtime made them. */
    readonly nodes: pulumi.Output<{ readonly clusterNodes: NamedEndpoint[]; readonly standalone: NamedEndpoint }>;
    /** What the nodes share (Docker bridge mode: the network), which the runner joins. */
    readonly network?: StackNetwork;
    /** Kubernetes: the size of the backups' claim, and whether `destroy` keeps it (retainData). */
    readonly storageSize: string;
    readonly retainData: boolean;
    /** Kubernetes: the nodes' image, which hands a new claim to the runner's user (the runner's image has no chown). */
    readonly nodeImage: string;
}

export interface NamedEndpoint {
    readonly name: string;
    readonly endpoint: NodeEndpoint;
}

/** Where a runtime's scheduled backups go, and the last one it took. */
export interface BackupRunnerResources {
    /** A host directory (Docker), or the claim and namespace (Kubernetes). */
    readonly location: pulumi.Output<string>;
    /** The last backup taken, as this run of Pulumi finds it (the newest directory, or when); empty: none yet. */
    readonly lastBackup: pulumi.Output<string>;
}

/** A network the runtime made for the stack's nodes, which the stack's other component joins (Docker bridge mode). */
export interface StackNetwork {
    readonly name: pulumi.Output<string>;
    readonly id: pulumi.Output<string>;
}

/** ioredis `natMap` from nodes' endpoints: announced address -> where they are reached; empty where that is the same. */
export function natMapOf(endpoints: readonly NodeEndpoint[]): Record<string, { host: string; port: number }> {
    const map: Record<string, { host: string; port: number }> = {};
    for (const e of endpoints) {
        if (e.announceHost !== e.host || e.announcePort !== e.port)
            map[`${e.announceHost}:${e.announcePort}`] = { host: e.host, port: e.port };
    }
    return map;
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
}

export interface RuntimeBackend {
    readonly capabilities: RuntimeCapabilities;
    /**
     * Where the nodes' addresses are not reachable as they are from where Pulumi runs (Kubernetes with
     * `access: portForward`): the `nodeAccess` input of every resource that connects to them
     * (contracts/nodeAccess.ts). Absent: they are.
     */
    readonly nodeAccess?: pulumi.Output<NodeAccess>;
    /**
     * Where the runtime puts a node, decided before it makes it (the Docker runtimes' placement). Absent where a
     * node's addresses exist only once the runtime made it (Kubernetes: its Service's ClusterIP): its TLS
     * certificate is issued then, through `NodeContext.tlsFor`.
     */
    plannedEndpoint?(node: NodeSpec): NodeEndpoint;
    image(name: string, image: string, opts: pulumi.CustomResourceOptions): pulumi.Output<string>;
    /** What the stack's nodes share that the runtime makes once, with the cluster (the Docker bridge network); undefined where nothing. */
    network(name: string, opts: pulumi.CustomResourceOptions): StackNetwork | undefined;
    node(name: string, node: NodeSpec, context: NodeContext, opts: pulumi.CustomResourceOptions): NodeResources;
    /** With backupSchedule: the runner that takes the scheduled backups; absent where the runtime has none (`docker`). */
    backupRunner?(name: string, context: BackupRunnerContext, opts: pulumi.CustomResourceOptions): BackupRunnerResources;
}
