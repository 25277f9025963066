// Pure: settings -> node specs and slot plan. The single source of truth for what runs: the Pulumi
// components, the integration fixtures and the benchmark all start containers from these specs.
import { AclAccount, PROJECT_USER, projectAccount, userConfigLines } from "./aclUsers";
import { Settings, announceAddress, clusterNodeCount, subnetGateway } from "./config";
import { HealthCheckSpec, healthCheck } from "./nodeHealth";
import { NodeLimits, parseLimits } from "./nodeLimits";
import { INCLUDE_SETTINGS_LINE, RedisSettings } from "./redisSettings";

export const SLOT_COUNT = 16384;
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
/** Where the image keeps data, AOF files and nodes.conf. */
export const DATA_DIR = "/data";

export type NodeRole = "master" | "replica" | "standalone";

export interface SlotRange {
    readonly start: number;
    readonly end: number;
}

export interface PortBinding {
    readonly hostIp: string;
    readonly hostPort: number;
    readonly containerPort: number;
}

export interface NodeSpec {
    /** Container name, unique on the Docker host: `${prefix}-node-${index}` or `${prefix}-standalone`. */
    readonly name: string;
    readonly role: NodeRole;
    /** Cluster nodes: position in the cluster (0..n-1). */
    readonly index: number;
    /** Cluster nodes: the master index this node serves (itself for masters). */
    readonly shard: number;
    readonly clientPort: number;
    /** Cluster nodes only: the cluster bus port (client port + offset). */
    readonly busPort?: number;
    /** Address other nodes and clients on the stack's network use (what the node announces). */
    readonly announceHost: string;
    /** Address a process on the Docker host uses. */
    readonly hostAddress: { readonly host: string; readonly port: number };
    /** Named volume mounted at DATA_DIR: data, AOF and nodes.conf survive container replacement. */
    readonly volume: string;
    /** `redis-server` arguments without any password (added by the runtime as a secret). */
    readonly redisArgs: readonly string[];
    readonly ports: readonly PortBinding[];
    /** Container labels: stack, kind and runtime. */
    readonly labels: Readonly<Record<string, string>>;
    /** Volume labels: stack and kind, never the runtime (see RUNTIME_LABEL). */
    readonly volumeLabels: Readonly<Record<string, string>>;
    /** Keep the volume when the node's resources are deleted (`retainData`). */
    readonly retainVolume: boolean;
    /** The Redis server program the container starts (`serverCommand`). */
    readonly serverCommand: string;
    /** Passed-through Redis settings (`redisConfig`), in a config file, so changing them never changes the command. */
    readonly redisConfig: RedisSettings;
    /** Container memory and CPU limits (`memoryLimit`, `cpuLimit`). */
    readonly limits: NodeLimits;
    /** The container's health check (nodeHealth.ts). */
    readonly health: HealthCheckSpec;
    /** The Redis CLI program in the image (`cliCommand`): the kubernetes runtime's pod probes run it. */
    readonly cliCommand: string;
}

export interface NetworkSpec {
    readonly name: string;
    readonly subnet: string;
    readonly gateway: string;
    readonly labels: Readonly<Record<string, string>>;
}

export interface Topology {
    /** `undefined` in host mode. */
    readonly network?: NetworkSpec;
    readonly networkMode: Settings["networkMode"];
    readonly image: string;
    readonly clusterNodes: readonly NodeSpec[];
    readonly standalone: NodeSpec;
    /** Slot ranges per master index. */
    readonly slotPlan: readonly SlotRange[];
}

/**
 * Splits the 16384 slots over `masters` exactly as `redis-cli --cluster create` does (for 3 masters:
 * 0-5460, 5461-10922, 10923-16383). redis-cli computes in C `float` (32-bit) and rounds with `lround`;
 * `Math.fround` reproduces each float step, without which 78 and 87 masters (among others) differ.
 */
export function planSlots(masters: number): SlotRange[] {
    if (!Number.isInteger(masters) || masters < 1) throw new RangeError(`masters must be a positive integer, got ${masters}`);
    const f = Math.fround;
    const perNode = f(SLOT_COUNT / masters);
    const ranges: SlotRange[] = [];
    let first = 0;
    let cursor = f(0);
    for (let i = 0; i < masters; i++) {
        // lround: half away from zero, which Math.round matches for positive values.
        let last = Math.round(f(f(cursor + perNode) - 1));
        if (last > SLOT_COUNT || i === masters - 1) last = SLOT_COUNT - 1;
        if (last < first) last = first;
        ranges.push({ start: first, end: last });
        first = last + 1;
        cursor = f(cursor + perNode);
    }
    return ranges;
}

/**
 * Master index served by cluster node `index`: nodes 0..m-1 are masters; replica round r (r >= 1)
 * occupies nodes r*m..r*m+m-1 in master order, so with 3 masters 7003->7000, 7004->7001, 7005->7002.
 */
export function shardOf(index: number, masters: number): number {
    return index % masters;
}

function commonArgs(settings: Settings, port: number): string[] {
    return [
        "--port",
        String(port),
        // Access is controlled by where ports are published; inside the container listen everywhere.
        "--bind",
        settings.networkMode === "host" ? "127.0.0.1" : "0.0.0.0",
        "--protected-mode",
        "no",
        "--dir",
        DATA_DIR,
        "--appendonly",
        settings.appendOnly ? "yes" : "no",
    ];
}

function publish(settings: Settings, port: number, includeLoopback: boolean): PortBinding[] {
    if (settings.networkMode === "host") return [];
    const ip = settings.publishAddress === "" ? subnetGateway(settings.subnet) : settings.publishAddress;
    const bindings: PortBinding[] = [{ hostIp: ip, hostPort: port, containerPort: port }];
    // 0.0.0.0 already covers loopback; binding both would conflict.
    if (includeLoopback && ip !== "0.0.0.0" && ip !== "127.0.0.1") {
        bindings.push({ hostIp: "127.0.0.1", hostPort: port, containerPort: port });
    }
    return bindings;
}

/** Builds every node spec of a stack. `prefix` names containers, volumes and the network. */
export function buildTopology(settings: Settings, prefix: string): Topology {
    // On Kubernetes there is no Docker network or published port, and each node announces its own
    // Service's ClusterIP, which only the runtime learns (components/runtime/kubernetes/).
    const onKubernetes = settings.runtime === "kubernetes";
    const announce = onKubernetes ? "" : announceAddress(settings);
    const stackLabels = { [STACK_LABEL]: prefix };
    const containerLabels = (kind: string) => ({ ...stackLabels, [KIND_LABEL]: kind, [RUNTIME_LABEL]: settings.runtime });
    const count = clusterNodeCount(settings);
    const { limits } = parseLimits(settings.memoryLimit, settings.cpuLimit);
    const nodeSettings = (clientPort: number, cluster: boolean) => ({
        serverCommand: settings.serverCommand,
        cliCommand: settings.cliCommand,
        redisConfig: settings.redisConfig,
        limits,
        health: healthCheck({ clientPort, cluster, cliCommand: settings.cliCommand, authConfigPath: AUTH_CONFIG_PATH, tls: settings.tls }),
    });
    const clusterNodes: NodeSpec[] = [];
    for (let index = 0; index < count; index++) {
        const clientPort = settings.basePort + index;
        const busPort = clientPort + settings.busPortOffset;
        const role: NodeRole = index < settings.masters ? "master" : "replica";
        const announceArgs =
            settings.networkMode === "bridge" && !onKubernetes
                ? [
                      "--cluster-announce-ip",
                      announce,
                      "--cluster-announce-port",
                      String(clientPort),
                      "--cluster-announce-bus-port",
                      String(busPort),
                  ]
                : [];
        clusterNodes.push({
            name: `${prefix}-node-${index}`,
            role,
            index,
            shard: shardOf(index, settings.masters),
            clientPort,
            busPort,
            announceHost: announce,
            hostAddress: { host: "127.0.0.1", port: clientPort },
            volume: `${prefix}-node-${index}-data`,
            redisArgs: [
                ...commonArgs(settings, clientPort),
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-port",
                String(busPort),
                "--cluster-node-timeout",
                String(settings.clusterNodeTimeoutMs),
                // The default 5 s delay batches replicas into one transfer; with one per master it only delays the first sync.
                "--repl-diskless-sync-delay",
                "0",
                ...announceArgs,
            ],
            ports: onKubernetes ? [] : [...publish(settings, clientPort, true), ...publish(settings, busPort, false)],
            labels: containerLabels("cluster-node"),
            volumeLabels: { ...stackLabels, [KIND_LABEL]: "cluster-node" },
            retainVolume: settings.retainData,
            ...nodeSettings(clientPort, true),
        });
    }
    const standalone: NodeSpec = {
        name: `${prefix}-standalone`,
        role: "standalone",
        index: 0,
        shard: 0,
        clientPort: settings.standalonePort,
        announceHost: announce,
        hostAddress: { host: "127.0.0.1", port: settings.standalonePort },
        volume: `${prefix}-standalone-data`,
        redisArgs: commonArgs(settings, settings.standalonePort),
        ports: onKubernetes ? [] : publish(settings, settings.standalonePort, true),
        labels: containerLabels("standalone"),
        volumeLabels: { ...stackLabels, [KIND_LABEL]: "standalone" },
        retainVolume: settings.retainData,
        ...nodeSettings(settings.standalonePort, false),
    };
    const network: NetworkSpec | undefined =
        settings.networkMode === "bridge" && !onKubernetes
            ? { name: `${prefix}-net`, subnet: settings.subnet, gateway: subnetGateway(settings.subnet), labels: stackLabels }
            : undefined;
    return {
        network,
        networkMode: settings.networkMode,
        image: settings.image,
        clusterNodes,
        standalone,
        slotPlan: planSlots(settings.masters),
    };
}

/**
 * Where a node's password lives inside its container: a config file written before the container
 * starts, so the password is never on a command line (`ps` on the host, `docker inspect`).
 */
export const AUTH_CONFIG_PATH = "/etc/redis-stack-auth.conf";

/**
 * The auth config file: with a password, the default user's (`requirepass`, which the health check also
 * reads), the project's own user (aclUsers.ts PROJECT_USER, its password's hash only) that the stack and
 * replicas talking to their master authenticate as (`masteruser`/`masterauth`); then the ACL users (their
 * passwords' hashes only, the disabled default user among them when `defaultUser` is off: a `user default`
 * line wins over `requirepass`). Without a password or users only the include, so setting, changing or
 * removing them never changes a node's command.
 */
export function authConfig(password: string | undefined, users: readonly AclAccount[] = []): string {
    // Validated passwords have no whitespace or quotes, so they need no quoting here. The include loads
    // the passed-through settings (redisSettings.ts) from a file of their own, always present.
    const stackAuth = password
        ? `requirepass ${password}\nmasteruser ${PROJECT_USER}\nmasterauth ${password}\n` + userConfigLines([projectAccount(password)])
        : "";
    return INCLUDE_SETTINGS_LINE + stackAuth + userConfigLines(users);
}

/** The full command of a node's container: the auth config file first (redis-server reads a file only there), then the node's arguments. */
export function redisCommand(node: NodeSpec): string[] {
    return [node.serverCommand, AUTH_CONFIG_PATH, ...node.redisArgs];
}

/** Formats slot ranges the way redis-cli prints them: `0-5460`. */
export function formatSlotRanges(ranges: readonly SlotRange[]): string[] {
    return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`));
}

/**
 * ioredis `natMap`: announced address -> the address a process on the Docker host should use. Empty
 * when both are the same (host mode).
 */
export function natMap(nodes: readonly NodeSpec[]): Record<string, { host: string; port: number }> {
    const map: Record<string, { host: string; port: number }> = {};
    for (const node of nodes) {
        const announced = `${node.announceHost}:${node.clientPort}`;
        const fromHost = `${node.hostAddress.host}:${node.hostAddress.port}`;
        if (announced !== fromHost) map[announced] = { ...node.hostAddress };
    }
    return map;
}
