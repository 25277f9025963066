// Pure: settings -> the logical cluster: its nodes (names, roles, shards, ports, the Redis arguments that hold
// wherever a node runs, programs, settings, limits, health) and the slot plan. Where a node runs and how it is
// reached is each runtime's placement (runtime/dockerPlacement.ts, runtime/kubernetes/manifests.ts).
import { AclAccount, PROJECT_USER, projectAccount, userConfigLines } from "../settings/aclUsers";
import { Settings, clusterNodeCount } from "../settings/config";
import { HealthCheckSpec, healthCheck } from "./nodeHealth";
import { NodeLimits, parseLimits } from "../settings/nodeLimits";
import { INCLUDE_SETTINGS_LINE, RedisSettings } from "../settings/redisSettings";
import { clusterMetricsPort } from "../settings/metricsPorts";

export const SLOT_COUNT = 16384;
/** Where the image keeps data, AOF files and nodes.conf. */
export const DATA_DIR = "/data";
/** The address a node listens on: everywhere in its own network namespace; who reaches it is the placement's business. */
export const LISTEN_EVERYWHERE = "0.0.0.0";

export type NodeRole = "master" | "replica" | "standalone";

export interface SlotRange {
    readonly start: number;
    readonly end: number;
}

export interface NodeSpec {
    /** Unique within the stack: `${prefix}-node-${index}` or `${prefix}-standalone`. */
    readonly name: string;
    readonly role: NodeRole;
    /** Cluster nodes: position in the cluster (0..n-1). */
    readonly index: number;
    /** Cluster nodes: the master index this node serves (itself for masters). */
    readonly shard: number;
    readonly clientPort: number;
    /** Cluster nodes only: the cluster bus port (client port + offset). */
    readonly busPort?: number;
    /**
     * `redis-server` arguments that hold wherever the node runs, without any password (added by the runtime as a
     * file) and without the address it announces (the runtime's placement adds that).
     */
    readonly redisArgs: readonly string[];
    /** Keep the node's data (its volume or claim) when its resources are deleted (`retainData`). */
    readonly retainData: boolean;
    /** The Redis server program the node runs (`serverCommand`). */
    readonly serverCommand: string;
    /** Passed-through Redis settings (`redisConfig`), in a config file, so changing them never changes the command. */
    readonly redisConfig: RedisSettings;
    /** Memory and CPU limits (`memoryLimit`, `cpuLimit`). */
    readonly limits: NodeLimits;
    /** The node's health check (nodeHealth.ts). */
    readonly health: HealthCheckSpec;
    /** The Redis CLI program in the image (`cliCommand`): the kubernetes runtime's pod probes run it. */
    readonly cliCommand: string;
    /** With `metrics`: the port its Prometheus exporter serves /metrics on (../settings/metricsPorts.ts). */
    readonly metricsPort?: number;
}

export interface Topology {
    readonly image: string;
    readonly clusterNodes: readonly NodeSpec[];
    readonly standalone: NodeSpec;
    /** Slot ranges per master index. */
    readonly slotPlan: readonly SlotRange[];
    /** Every cluster node's `cluster-node-timeout` (its argument): what formation sets back after shortening it. */
    readonly clusterNodeTimeoutMs: number;
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
        "--bind",
        LISTEN_EVERYWHERE,
        "--protected-mode",
        "no",
        "--dir",
        DATA_DIR,
        "--appendonly",
        settings.appendOnly ? "yes" : "no",
    ];
}

/** Builds every node of a stack. `prefix` names the nodes. */
export function buildTopology(settings: Settings, prefix: string): Topology {
    const count = clusterNodeCount(settings);
    const { limits } = parseLimits(settings.memoryLimit, settings.cpuLimit);
    const nodeSettings = (clientPort: number, cluster: boolean) => ({
        retainData: settings.retainData,
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
        clusterNodes.push({
            name: `${prefix}-node-${index}`,
            role: index < settings.masters ? "master" : "replica",
            index,
            shard: shardOf(index, settings.masters),
            clientPort,
            busPort,
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
            ],
            ...nodeSettings(clientPort, true),
            ...(settings.metrics ? { metricsPort: clusterMetricsPort(settings.metricsPort, index) } : {}),
        });
    }
    const standalone: NodeSpec = {
        name: `${prefix}-standalone`,
        role: "standalone",
        index: 0,
        shard: 0,
        clientPort: settings.standalonePort,
        redisArgs: commonArgs(settings, settings.standalonePort),
        ...nodeSettings(settings.standalonePort, false),
        ...(settings.metrics ? { metricsPort: settings.metricsPort } : {}),
    };
    return {
        image: settings.image,
        clusterNodes,
        standalone,
        slotPlan: planSlots(settings.masters),
        clusterNodeTimeoutMs: settings.clusterNodeTimeoutMs,
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

/** The arguments with the value after `flag` replaced (the flag must be there: its place in the command stays). */
export function withArgValue(args: readonly string[], flag: string, value: string): string[] {
    const at = args.indexOf(flag);
    if (at < 0) throw new Error(`${flag} is not among the arguments`);
    return [...args.slice(0, at), flag, value, ...args.slice(at + 2)];
}

/** Formats slot ranges the way redis-cli prints them: `0-5460`. */
export function formatSlotRanges(ranges: readonly SlotRange[]): string[] {
    return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`));
}
