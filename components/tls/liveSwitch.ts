// Pure: turning TLS on or off on a running Redis node with CONFIG SET, derived from its old and new
// command lines (./nodeTls.ts writes the TLS part of the new one). Measured on Redis 7.0.15, and holding on
// 8.0.2 and Valkey 8.1.1 (test/e2e/versions.test.ts switches them live): every one of these settings is
// modifiable at runtime, one CONFIG SET applies them all or none, and it applies them in argument order, so
// the setting that frees the client port must come before the one that takes it (`tls-port 7000` before
// `port 0` is refused with "Unable to listen on this port" and rolled back).
// Existing cluster-bus and replication connections survive the change (the bus reads `tls-cluster` only
// when it opens or accepts a link), and the node keeps announcing the same client port.

/** The settings a TLS switch changes, by direction, in the order one CONFIG SET must apply them. */
const ON_ORDER = [
    "tls-cert-file",
    "tls-key-file",
    "tls-ca-cert-file",
    "tls-auth-clients",
    "port",
    "tls-port",
    "tls-replication",
    "tls-cluster",
    "cluster-announce-port",
    "cluster-announce-tls-port",
] as const;
const OFF_ORDER = ["tls-port", "port", "tls-replication", "tls-cluster", "cluster-announce-tls-port", "cluster-announce-port"] as const;

/** Redis' value for a setting the command line leaves out (the certificate paths stay as they are). */
const DEFAULTS: Readonly<Record<string, string>> = {
    port: "6379",
    "tls-port": "0",
    "tls-auth-clients": "yes",
    "tls-replication": "no",
    "tls-cluster": "no",
    "cluster-announce-port": "0",
    "cluster-announce-tls-port": "0",
};

/** `--name value` pairs of a redis-server command line (the config file path and other words skipped). */
export function commandSettings(cmd: readonly string[]): Map<string, string> {
    const settings = new Map<string, string>();
    for (let i = 0; i < cmd.length - 1; i++) {
        if (cmd[i].startsWith("--")) settings.set(cmd[i].slice(2), cmd[i + 1]);
    }
    return settings;
}

/** A node's TLS state as its command line declares it: TLS on when it has a TLS port. */
export const declaresTls = (cmd: readonly string[]): boolean => Number(commandSettings(cmd).get("tls-port") ?? "0") > 0;

export interface LiveTlsSwitch {
    /** True: plain -> TLS; false: TLS -> plain. */
    readonly on: boolean;
    /** `[name, value]` in the order one CONFIG SET must apply them. */
    readonly settings: readonly (readonly [string, string])[];
}

/**
 * What one CONFIG SET does to a running node so that it serves what `newCmd` declares, TLS-wise (the
 * old command line is not needed: a setting the new one leaves out goes back to Redis' default, which
 * for the announced ports under host networking is what they were).
 */
export function liveTlsSwitch(newCmd: readonly string[]): LiveTlsSwitch {
    const on = declaresTls(newCmd);
    const news = commandSettings(newCmd);
    const settings: [string, string][] = [];
    for (const name of on ? ON_ORDER : OFF_ORDER) {
        const value = news.get(name) ?? DEFAULTS[name];
        if (value !== undefined) settings.push([name, value]);
    }
    return { on, settings };
}
