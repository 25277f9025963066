// Pure: which host ports a stack's Docker placement needs, which are already held by listening sockets (as
// /proc/net/tcp{,6} lists them), and the conflicts between the two. A stack checks this before it
// declares anything, so a taken port never leaves half a stack behind.
import type { DockerNode, DockerTopology } from "./dockerPlacement";

export interface HostPort {
    readonly host: string;
    readonly port: number;
    /** Container that needs it, and for what. */
    readonly node: string;
    readonly purpose: string;
}

export interface Listener {
    readonly host: string;
    readonly port: number;
}

const WILDCARDS = new Set(["0.0.0.0", "::"]);

function nodePorts(node: DockerNode, networkMode: DockerTopology["networkMode"]): HostPort[] {
    if (networkMode === "host") {
        // Host networking: redis-server itself binds its client and bus ports on loopback.
        const ports: HostPort[] = [{ host: "127.0.0.1", port: node.clientPort, node: node.name, purpose: "client port" }];
        if (node.busPort !== undefined) ports.push({ host: "127.0.0.1", port: node.busPort, node: node.name, purpose: "cluster bus port" });
        return ports;
    }
    return node.ports.map((p) => ({
        host: p.hostIp,
        port: p.hostPort,
        node: node.name,
        purpose: p.containerPort === node.clientPort ? "client port" : "cluster bus port",
    }));
}

/** The port a node's exporter (metrics) listens on or is published at. */
function exporterPorts(node: DockerNode, networkMode: DockerTopology["networkMode"]): HostPort[] {
    const exporter = node.exporter;
    if (!exporter || node.metricsPort === undefined) return [];
    const at = (host: string, port: number) => ({ host, port, node: exporter.name, purpose: "metrics port" });
    if (networkMode === "host") return [at("127.0.0.1", node.metricsPort)];
    return exporter.ports.map((p) => at(p.hostIp, p.hostPort));
}

/** Every host address and port the stack's containers bind. */
export function hostPortsNeeded(topology: Pick<DockerTopology, "clusterNodes" | "standalone" | "networkMode">): HostPort[] {
    return [...topology.clusterNodes, topology.standalone].flatMap((node) => [
        ...nodePorts(node, topology.networkMode),
        ...exporterPorts(node, topology.networkMode),
    ]);
}

function ipv4FromHex(hex: string): string {
    // /proc prints the address as one little-endian 32-bit word.
    return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(".");
}

function ipv6FromHex(hex: string): string | undefined {
    if (/^0{32}$/.test(hex)) return "::";
    // IPv4-mapped (::ffff:a.b.c.d): the last word is the IPv4 address.
    if (/^0{16}FFFF0000/i.test(hex)) return ipv4FromHex(hex.slice(24));
    return undefined; // other IPv6 addresses cannot collide with the IPv4 addresses we publish on
}

/** Listening sockets from the text of /proc/net/tcp (`v6` false) or /proc/net/tcp6 (`v6` true). */
export function parseListeners(procNetTcp: string, v6: boolean): Listener[] {
    const listeners: Listener[] = [];
    for (const line of procNetTcp.split("\n").slice(1)) {
        const [, local, , state] = line.trim().split(/\s+/);
        if (!local || state !== "0A") continue; // 0A = LISTEN
        const [addrHex, portHex] = local.split(":");
        const host = v6 ? ipv6FromHex(addrHex) : ipv4FromHex(addrHex);
        if (host !== undefined) listeners.push({ host, port: parseInt(portHex, 16) });
    }
    return listeners;
}

/** Needed ports that a listener already holds, skipping the stack's own existing containers. */
export function portConflicts(needed: readonly HostPort[], listeners: readonly Listener[], ownContainers: ReadonlySet<string>): HostPort[] {
    return needed.filter(
        (want) =>
            !ownContainers.has(want.node) &&
            listeners.some((l) => l.port === want.port && (l.host === want.host || WILDCARDS.has(l.host) || WILDCARDS.has(want.host))),
    );
}

/**
 * One error message for all conflicts, naming the settings that move the ports. `otherStacks`: the name prefixes of
 * other redis-stack stacks with containers on this host: where this stack is one of them renamed (its names moved
 * with its stack's name), keeping the old prefix keeps its containers, volumes and data.
 */
export function describePortConflicts(conflicts: readonly HostPort[], otherStacks: readonly string[] = []): string {
    const lines = conflicts.map((c) => `  - ${c.host}:${c.port} (${c.purpose} of ${c.node})`);
    const renamed = otherStacks.map(
        (prefix) =>
            `Containers of another stack, named ${prefix}-..., are on this host: if this stack is that one renamed, set ` +
            `redis-stack:namePrefix to "${prefix}" (RedisStack's namePrefix) to keep its nodes and data.`,
    );
    return [
        "host ports needed by this stack are already in use; nothing was created or changed:",
        ...lines,
        "Stop what holds them, or choose other ports with redis-stack:basePort, redis-stack:busPortOffset or redis-stack:standalonePort.",
        ...renamed,
    ].join("\n");
}
