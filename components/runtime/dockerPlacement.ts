// Pure: where a stack's nodes go on a Docker host, from the logical topology and the Docker settings: the
// address each node announces (and its `--cluster-announce-*` arguments), the address the host reaches it
// at, its published ports, its volume, the labels and the stack's bridge network. What the `engine` and
// `docker` runtimes share about a Docker host, and what the host checks (./hostPorts.ts, ./preflight.ts),
// the stack's footprint and TLS subjects, and the integration fixtures take from it.
import type { Settings } from "../settings/config";
import { announceAddress, subnetGateway } from "../settings/networkAddresses";
import { announcedClientPorts, servedPorts } from "../tls/nodeTls";
import { type NodeSpec, type Topology, withArgValue } from "../topology/topology";
import { type NodeEndpoint, natMapOf } from "./backend";
import { type ExporterTarget, NODE_TLS_FILES } from "../topology/metricsExporter";
import { type DockerBackupRunner, placeBackupRunner } from "./dockerBackupRunner";

/** Label every container, network and volume carries, valued with the stack's name prefix. */
export const STACK_LABEL = "redis-stack.stack";
/**
 * `cluster-node` or `standalone`. Not the master/replica role: roles change with failovers and
 * scaling, and a changed label would replace (restart) a container that needs no change.
 */
export const KIND_LABEL = "redis-stack.kind";
/**
 * Containers only: the runtime (`engine`, `docker`) that made the container, so the preflight can
 * refuse a runtime switch on a running stack. Never on volumes or the network: a changed label there
 * replaces the resource, and replacing a volume deletes its data.
 */
export const RUNTIME_LABEL = "redis-stack.runtime";

export interface PortBinding {
    readonly hostIp: string;
    readonly hostPort: number;
    readonly containerPort: number;
}

export interface NetworkSpec {
    readonly name: string;
    readonly subnet: string;
    readonly gateway: string;
    readonly labels: Readonly<Record<string, string>>;
}

/** KIND_LABEL of a node's metrics exporter container. */
export const EXPORTER_KIND = "metrics-exporter";

/** A node's Prometheus exporter on the Docker host (`metrics`): a container of its own beside the node. */
export interface DockerExporter {
    /** `<node>-metrics`. */
    readonly name: string;
    /** What it scrapes and where it listens. */
    readonly target: ExporterTarget;
    /** Its port published where the node's client port is (bridge mode); none under host networking. */
    readonly ports: readonly PortBinding[];
    /** Where Prometheus scrapes it: the address the nodes announce (bridge) or loopback (host), and its port. */
    readonly scrapeAddress: string;
    /** Container labels: stack, kind (EXPORTER_KIND) and runtime. */
    readonly labels: Readonly<Record<string, string>>;
}

/** A node as a Docker host runs it: the logical node with its placement. */
export interface DockerNode extends NodeSpec {
    /** Its arguments as placed: bound to loopback under host networking, announcing `announceHost` in bridge mode. */
    readonly redisArgs: readonly string[];
    /** Address other nodes and clients on the stack's network use (what the node announces). */
    readonly announceHost: string;
    /** Address a process on the Docker host uses. */
    readonly hostAddress: { readonly host: string; readonly port: number };
    /** Named volume mounted at DATA_DIR: data, AOF and nodes.conf survive container replacement. */
    readonly volume: string;
    readonly ports: readonly PortBinding[];
    /** Container labels: stack, kind and runtime. */
    readonly labels: Readonly<Record<string, string>>;
    /** Volume labels: stack and kind, never the runtime (see RUNTIME_LABEL). */
    readonly volumeLabels: Readonly<Record<string, string>>;
    /** With `metrics`: its exporter. */
    readonly exporter?: DockerExporter;
}

/** The stack on a Docker host: its nodes placed, and its network (none in host mode). */
export interface DockerTopology extends Topology {
    readonly network?: NetworkSpec;
    readonly networkMode: Settings["networkMode"];
    readonly clusterNodes: readonly DockerNode[];
    readonly standalone: DockerNode;
    /** With backupSchedule: the scheduled backups' runner. */
    readonly backupRunner?: DockerBackupRunner;
}

/** The settings a Docker placement reads. */
export type DockerSettings = Pick<Settings, "runtime" | "networkMode" | "subnet" | "publishAddress">;

function publish(settings: DockerSettings, port: number, includeLoopback: boolean): PortBinding[] {
    if (settings.networkMode === "host") return [];
    const ip = settings.publishAddress === "" ? subnetGateway(settings.subnet) : settings.publishAddress;
    const bindings: PortBinding[] = [{ hostIp: ip, hostPort: port, containerPort: port }];
    // 0.0.0.0 already covers loopback; binding both would conflict.
    if (includeLoopback && ip !== "0.0.0.0" && ip !== "127.0.0.1") {
        bindings.push({ hostIp: "127.0.0.1", hostPort: port, containerPort: port });
    }
    return bindings;
}

/** Client port (on loopback too), bus port, and the plain-text port that TLS keeps, each where the client port is. */
function publishedPorts(node: NodeSpec, settings: DockerSettings): PortBinding[] {
    const client = publish(settings, node.clientPort, true);
    const bus = node.busPort !== undefined ? publish(settings, node.busPort, false) : [];
    const { plainPort } = servedPorts(node);
    const plain = plainPort === undefined ? [] : client.map((p) => ({ ...p, hostPort: plainPort, containerPort: plainPort }));
    return [...client, ...bus, ...plain];
}

/**
 * The node's arguments on this host. Host networking shares the host's interfaces, so the node listens on
 * loopback only. On the stack's bridge network a cluster node announces the published address, with its
 * ports; that goes before the TLS arguments and the TLS port last, where running containers' commands have
 * them (a changed command replaces the container).
 */
function placedArgs(node: NodeSpec, settings: DockerSettings, announceHost: string): string[] {
    if (settings.networkMode === "host") return withArgValue(node.redisArgs, "--bind", "127.0.0.1");
    if (node.busPort === undefined) return [...node.redisArgs];
    const { port, tlsPort } = announcedClientPorts(node);
    const announce = [
        "--cluster-announce-ip",
        announceHost,
        ...(port !== undefined ? ["--cluster-announce-port", String(port)] : []),
        "--cluster-announce-bus-port",
        String(node.busPort),
    ];
    const tlsAt = node.redisArgs.indexOf("--tls-port");
    const at = tlsAt < 0 ? node.redisArgs.length : tlsAt;
    return [
        ...node.redisArgs.slice(0, at),
        ...announce,
        ...node.redisArgs.slice(at),
        ...(tlsPort !== undefined ? ["--cluster-announce-tls-port", String(tlsPort)] : []),
    ];
}

/**
 * A node's exporter: on the stack's network it reaches the node by its container name (which the node's
 * certificate names); under host networking both are on loopback. With TLS it connects with the node's files.
 */
function placedExporter(
    node: NodeSpec,
    settings: DockerSettings,
    announceHost: string,
    labels: Record<string, string>,
): DockerExporter | undefined {
    if (node.metricsPort === undefined) return undefined;
    const host = settings.networkMode === "host";
    const { tls } = servedPorts(node);
    return {
        name: `${node.name}-metrics`,
        target: {
            address: `${tls ? "rediss" : "redis"}://${host ? "127.0.0.1" : node.name}:${node.clientPort}`,
            listenAddress: `${host ? "127.0.0.1" : ""}:${node.metricsPort}`,
            ...(tls ? { tlsFiles: NODE_TLS_FILES } : {}),
        },
        ports: publish(settings, node.metricsPort, true),
        scrapeAddress: `${host ? "127.0.0.1" : announceHost}:${node.metricsPort}`,
        labels: { ...labels, [KIND_LABEL]: EXPORTER_KIND },
    };
}

/**
 * Places every node of `topology` on a Docker host. `prefix` names volumes and the network, and labels all.
 * `scheduledBackupDir`: with backupSchedule, the host directory the scheduled backups go to (the runner is placed then).
 */
export function placeOnDocker(topology: Topology, settings: DockerSettings, prefix: string, scheduledBackupDir?: string): DockerTopology {
    const announceHost = announceAddress(settings);
    const stackLabels = { [STACK_LABEL]: prefix };
    const place = (node: NodeSpec): DockerNode => {
        const kind = node.role === "standalone" ? "standalone" : "cluster-node";
        const labels = { ...stackLabels, [KIND_LABEL]: kind, [RUNTIME_LABEL]: settings.runtime };
        const exporter = placedExporter(node, settings, announceHost, labels);
        return {
            ...node,
            redisArgs: placedArgs(node, settings, announceHost),
            announceHost,
            hostAddress: { host: "127.0.0.1", port: node.clientPort },
            volume: `${node.name}-data`,
            ports: publishedPorts(node, settings),
            labels,
            volumeLabels: { ...stackLabels, [KIND_LABEL]: kind },
            ...(exporter ? { exporter } : {}),
        };
    };
    const network: NetworkSpec | undefined =
        settings.networkMode === "bridge"
            ? { name: `${prefix}-net`, subnet: settings.subnet, gateway: subnetGateway(settings.subnet), labels: stackLabels }
            : undefined;
    const nodes = { clusterNodes: topology.clusterNodes.map(place), standalone: place(topology.standalone) };
    const hostNetworking = settings.networkMode === "host";
    return {
        ...topology,
        ...(network ? { network } : {}),
        networkMode: settings.networkMode,
        ...nodes,
        ...(scheduledBackupDir !== undefined
            ? { backupRunner: placeBackupRunner(prefix, nodes, hostNetworking, scheduledBackupDir, KIND_LABEL) }
            : {}),
    };
}

/** Every node of the stack on the host, cluster nodes first. */
export function dockerNodes(topology: Pick<DockerTopology, "clusterNodes" | "standalone">): DockerNode[] {
    return [...topology.clusterNodes, topology.standalone];
}

/** A placed node's addresses as every runtime gives them. */
export function dockerEndpoint(node: DockerNode): NodeEndpoint {
    return { announceHost: node.announceHost, announcePort: node.clientPort, host: node.hostAddress.host, port: node.hostAddress.port };
}

/** ioredis `natMap` of placed nodes: announced address -> the address a process on the Docker host uses. */
export function natMap(nodes: readonly DockerNode[]): Record<string, { host: string; port: number }> {
    return natMapOf(nodes.map(dockerEndpoint));
}

/** The placement of a node of the placed topology (a runtime is handed the logical node). */
export function placedNode(placement: Pick<DockerTopology, "clusterNodes" | "standalone">, node: Pick<NodeSpec, "name">): DockerNode {
    const placed = dockerNodes(placement).find((n) => n.name === node.name);
    if (!placed) throw new Error(`${node.name} is not a node of the stack's Docker placement`);
    return placed;
}
