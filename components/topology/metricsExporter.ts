// Pure: the Prometheus exporter beside a node (`metrics`): oliver006/redis_exporter, one per node, scraping
// only that node as its own ACL user. What every runtime shares about it: the user and its rules, the
// exporter's arguments and the password file it reads (never a password on its command line or in its
// environment), and where its files live.
import type { ContainerFile } from "../contracts/nodeFiles";
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from "../contracts/nodeFiles";

/** The exporter's ACL user (the `redis-stack` prefix is the stack's own: no configured user takes it). */
export const METRICS_USER = "redis-stack-metrics";

/**
 * What redis_exporter sends on a scrape with its default flags and `-config-command -`, and nothing else: it
 * reads no key, changes nothing, and cannot read a setting (CONFIG GET would show requirepass and masterauth).
 * The commands it leaves out on purpose (key checks, Lua scripts, CONFIG) are not granted: a leaked exporter
 * password gives away counters, not data.
 */
export const METRICS_USER_RULES: readonly string[] = [
    "resetkeys",
    "resetchannels",
    "-@all",
    // Connect: name the connection, liveness.
    "+client|setname",
    "+ping",
    // Every INFO section, and the cluster's state and shape.
    "+info",
    "+cluster|info",
    "+cluster|nodes",
    "+cluster|slots",
    // Slow queries and latency: counts and events. Not SLOWLOG GET, whose entries hold commands' arguments (values
    // written): without it redis_exporter leaves out redis_slowlog_last_id and redis_last_slow_execution_duration_seconds.
    "+slowlog|len",
    "+latency|latest",
    "+latency|histogram",
    // Whether the server knows COMMANDLOG (Valkey 8.1): asked once, without an error per scrape.
    "+command|info",
];

/** Where the exporter's files live in its container (or sidecar): its password file, and the TLS files where it needs them. */
export const METRICS_DIR = "/etc/redis-stack-metrics";
export const METRICS_PASSWORD_FILE = `${METRICS_DIR}/passwords.json`;

/** How the exporter reaches its node. */
export interface ExporterTarget {
    /** `redis://host:port`, `rediss://host:port` (TLS, with the node's TLS files beside it), or `unix:///path`. */
    readonly address: string;
    /** Where the exporter serves /metrics: `:port` (every address of its own network namespace) or `host:port`. */
    readonly listenAddress: string;
    /** Present with `rediss://`: where the CA bundle, the client certificate and its key are. */
    readonly tlsFiles?: { readonly ca: string; readonly cert: string; readonly key: string };
}

/** The node's TLS files as a runtime mounts them for the exporter: the node's own paths. */
export const NODE_TLS_FILES = { ca: TLS_CA_PATH, cert: TLS_CERT_PATH, key: TLS_KEY_PATH } as const;

/**
 * The exporter's arguments: only this node, as METRICS_USER, the password from METRICS_PASSWORD_FILE, config
 * metrics off (see METRICS_USER_RULES), and Redis metrics alone (no Go runtime series per node).
 */
export function exporterArgs(target: ExporterTarget): string[] {
    return [
        `-redis.addr=${target.address}`,
        `-redis.user=${METRICS_USER}`,
        `-redis.password-file=${METRICS_PASSWORD_FILE}`,
        `-web.listen-address=${target.listenAddress}`,
        "-config-command=-",
        "-redis-only-metrics",
        ...(target.tlsFiles
            ? [
                  `-tls-ca-cert-file=${target.tlsFiles.ca}`,
                  `-tls-client-cert-file=${target.tlsFiles.cert}`,
                  `-tls-client-key-file=${target.tlsFiles.key}`,
              ]
            : []),
    ];
}

/**
 * The password file: redis_exporter looks the password up by the address with the user in it
 * (`redis://user@host:port`), as its `lookupPasswordInPasswordMap` rewrites `-redis.addr`.
 */
export function exporterPasswordFile(address: string, password: string): ContainerFile {
    const url = new URL(address);
    const keyed = `${url.protocol}//${METRICS_USER}@${url.host}${url.pathname === "/" ? "" : url.pathname}`;
    return { path: METRICS_PASSWORD_FILE, content: JSON.stringify({ [keyed]: password }) + "\n" };
}
