// Pure: `redis-stack:redisConfig`, the Redis settings a user passes through to every node (maxmemory,
// maxmemory-policy, notify-keyspace-events...). Validates names and values, refuses the settings the
// stack itself owns, and renders the config file the nodes load. No Pulumi, no I/O.

/** A node's passed-through Redis settings, name -> value as redis.conf and CONFIG SET take it. */
export type RedisSettings = Readonly<Record<string, string>>;

/** Where a node's passed-through settings live in its container; the auth config file includes it. */
export const SETTINGS_CONFIG_PATH = "/etc/redis-stack-settings.conf";

/**
 * Settings the stack sets itself, or that would break what it promises, each with why (the reason is
 * the error message). From redis.conf (7.x): what the runtime puts on the command line (the command
 * line wins over the file, so a value here would be silently ignored), what formation, the password,
 * TLS and ACL code manage, and what would stop the node from being reachable, restartable on its
 * volume, or visible in `docker logs`.
 */
const OWNED: Readonly<Record<string, string>> = {
    port: "the stack sets each node's port (redis-stack:basePort, redis-stack:standalonePort)",
    bind: "the stack binds the node where its ports are published (redis-stack:networkMode, redis-stack:publishAddress)",
    "bind-source-addr": "the stack's network decides the node's source address",
    "protected-mode": "the stack controls access by where ports are published and by redis-stack:password",
    dir: "the node's data directory is its volume (/data); another directory would lose data and nodes.conf on restart",
    dbfilename: "the stack keeps the dataset on the node's volume under the default name; a new name starts the node empty",
    appendonly: "use redis-stack:appendOnly",
    appendfilename: "the stack keeps the AOF on the node's volume under the default name; a new name starts the node empty",
    appenddirname: "the stack keeps the AOF on the node's volume under the default name; a new name starts the node empty",
    requirepass: "use redis-stack:password (a secret)",
    masterauth: "use redis-stack:password (a secret)",
    masteruser: "the stack authenticates replicas to their masters itself",
    aclfile: "the stack manages the nodes' users and passwords",
    user: "the stack manages the nodes' users and passwords",
    include: "the stack writes the nodes' config files itself",
    replicaof: "formation decides which node replicates which (redis-stack:replicasPerMaster)",
    slaveof: "formation decides which node replicates which (redis-stack:replicasPerMaster)",
    "replica-announce-ip": "the stack sets the address nodes announce (redis-stack:publishAddress)",
    "replica-announce-port": "the stack sets the address nodes announce",
    "slave-announce-ip": "the stack sets the address nodes announce (redis-stack:publishAddress)",
    "slave-announce-port": "the stack sets the address nodes announce",
    "repl-diskless-sync-delay": "the stack sets it on cluster nodes (0: a replica syncs at once after a failover or restart)",
    daemonize: "the container runs redis-server in the foreground; a daemonized server would end the container",
    supervised: "the container supervises redis-server",
    pidfile: "the container supervises redis-server; no pid file is needed",
    logfile: "nodes log to stdout, so `docker logs` shows them",
    "syslog-enabled": "nodes log to stdout, so `docker logs` shows them",
    unixsocket: "clients reach nodes over TCP through published ports; a socket inside the container serves nobody",
    unixsocketperm: "clients reach nodes over TCP through published ports; a socket inside the container serves nobody",
    "rename-command": "formation, handover and password changes need the commands under their names",
    "enable-protected-configs": "the stack sets the settings it owns at start; CONFIG SET of them is never needed",
};

/**
 * Settings refused because each turns a leaked password into code execution inside the node (REPLICAOF a
 * rogue master, then MODULE LOAD the module it sent; or DEBUG), with the risk as the message. A later
 * setting of its own may allow modules deliberately.
 */
const UNSAFE: Readonly<Record<string, string>> = {
    "enable-debug-command": "DEBUG lets any client with the password crash the node or change its memory",
    "enable-module-command": "MODULE LOAD lets any client with the password run code inside the node (the REPLICAOF + MODULE LOAD attack)",
    loadmodule: "a module is code that runs inside the node with all its rights; the stack loads none",
};

/**
 * `cluster-*` settings a user may tune: how the cluster behaves towards clients while slots are down,
 * and the bus send buffer. Every other `cluster-*` setting is the stack's: ports, announced addresses,
 * the node timeout (redis-stack:clusterNodeTimeoutMs), nodes.conf, and the replica placement and
 * failover behaviour that formation and the rolling replacement rely on.
 */
const USER_CLUSTER_SETTINGS: readonly string[] = [
    "cluster-require-full-coverage",
    "cluster-allow-reads-when-down",
    "cluster-allow-pubsubshard-when-down",
    "cluster-link-sendbuf-limit",
];

/** Why the stack owns a setting, or undefined when the user may set it. TLS settings belong to TLS support. */
export function ownedReason(name: string): string | undefined {
    if (Object.prototype.hasOwnProperty.call(OWNED, name)) return OWNED[name];
    if (name === "cluster-node-timeout") return "use redis-stack:clusterNodeTimeoutMs";
    if (name.startsWith("cluster-") && !USER_CLUSTER_SETTINGS.includes(name)) {
        return `the stack forms and runs the cluster (allowed cluster settings: ${USER_CLUSTER_SETTINGS.join(", ")})`;
    }
    if (name.startsWith("tls-")) return "the stack configures TLS itself";
    return undefined;
}

// redis.conf names: lowercase words joined by dashes (CONFIG SET is case-insensitive; one spelling keeps diffs honest).
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_VALUE_LENGTH = 4096;

/**
 * Parses the raw `redisConfig` value: a JSON object (Pulumi gives an object-valued key as JSON text)
 * of setting -> string, number or boolean (true/false become yes/no). Returns the settings sorted by
 * name, and every problem, each naming the setting, the value and what is allowed.
 */
export function parseRedisSettings(raw: string | undefined, key = "redisConfig"): { settings: RedisSettings; problems: string[] } {
    if (raw === undefined || raw.trim() === "") return { settings: {}, problems: [] };
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        return {
            settings: {},
            problems: [`${key}: got ${JSON.stringify(raw)}; allowed: a map of Redis setting -> value, such as {"maxmemory": "256mb"}`],
        };
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        return {
            settings: {},
            problems: [`${key}: got ${JSON.stringify(parsed)}; allowed: a map of Redis setting -> value, such as {"maxmemory": "256mb"}`],
        };
    }
    const problems: string[] = [];
    const settings: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) {
        const where = `${key}.${name}`;
        if (!NAME.test(name)) {
            problems.push(
                `${where}: ${JSON.stringify(name)} is not a Redis setting name; allowed: lowercase words joined by dashes, such as maxmemory-policy`,
            );
            continue;
        }
        if (Object.prototype.hasOwnProperty.call(UNSAFE, name)) {
            problems.push(`${where}: got ${JSON.stringify(value)}; refused as a security risk: ${UNSAFE[name]}; allowed: leave it unset`);
            continue;
        }
        const owned = ownedReason(name);
        if (owned !== undefined) {
            problems.push(`${where}: got ${JSON.stringify(value)}; the stack owns this setting: ${owned}`);
            continue;
        }
        const text =
            typeof value === "boolean"
                ? value
                    ? "yes"
                    : "no"
                : typeof value === "number" && Number.isFinite(value)
                  ? String(value)
                  : value;
        if (typeof text !== "string") {
            problems.push(`${where}: got ${JSON.stringify(value)}; allowed: a string, a number or true/false`);
            continue;
        }
        // Control characters would end or corrupt the config file line (a newline would inject a directive).
        // eslint-disable-next-line no-control-regex
        if (/[\x00-\x1f\x7f]/.test(text) || text.length > MAX_VALUE_LENGTH) {
            problems.push(`${where}: got ${JSON.stringify(text)}; allowed: printable text of at most ${MAX_VALUE_LENGTH} characters`);
            continue;
        }
        settings[name] = text;
    }
    return { settings, problems };
}

/** A value as one argument of a redis.conf line: quoted, with `\` and `"` escaped (sdssplitargs reads it back). */
function quoted(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The settings file: one `name "value"` line per setting; empty without settings. */
export function renderSettingsFile(settings: RedisSettings): string {
    return Object.keys(settings)
        .sort()
        .map((name) => `${name} ${quoted(settings[name])}\n`)
        .join("");
}

/** The line that makes a node's main config file load the settings file. */
export const INCLUDE_SETTINGS_LINE = `include ${SETTINGS_CONFIG_PATH}\n`;

/** What changed between two sets of settings: set (new or changed values) and removed names. */
export function settingsChange(before: RedisSettings, after: RedisSettings): { set: Record<string, string>; removed: string[] } {
    const set: Record<string, string> = {};
    for (const [name, value] of Object.entries(after)) if (before[name] !== value) set[name] = value;
    const removed = Object.keys(before).filter((name) => !(name in after));
    return { set, removed };
}

/** The names a node's server does not know (null in its CONFIG GET), as one message naming the node; undefined when it knows them all. */
export function unknownSettingsMessage(nodeName: string, live: Readonly<Record<string, string | null>>): string | undefined {
    const unknown = Object.keys(live).filter((name) => live[name] === null);
    if (unknown.length === 0) return undefined;
    return (
        `redis-stack:redisConfig: ${unknown.map((n) => JSON.stringify(n)).join(", ")} ${unknown.length === 1 ? "is not a setting" : "are not settings"} ` +
        `of the Redis server on node ${nodeName} (its CONFIG GET knows no such name); allowed: settings the server's CONFIG GET lists. Nothing was changed.`
    );
}
