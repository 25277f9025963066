// Pure: every check of a stack's settings, for the program's config (strings, as Pulumi config gives them) and
// RedisStack's arguments (typed, turned into the same strings) alike, so both refuse with the same messages:
// every problem at once, each naming the setting, the value and what is allowed.
import { AclUser, DefaultUserState, defaultUserProblem, parseUsers } from "../settings/aclUsers";
import { ConfigError, MachineDefaults, RawSettings, SETTING_KEYS, Settings, parseSettings, passwordProblems } from "../settings/config";
import { announceAddress } from "../settings/networkAddresses";
import { SUPPLIED_TLS_KEYS, SuppliedTls, suppliedTlsProblems } from "../tls/validate";
import type { RedisStackArgs } from "./args";

/** The settings, users and certificates of a stack as strings (Pulumi config's values; JSON for maps). */
export interface RawStack extends RawSettings {
    readonly users?: string;
    readonly defaultUser?: string;
    readonly tlsCaCert?: string;
    readonly tlsCert?: string;
    readonly tlsClientCert?: string;
}

/**
 * The secrets' values where they are known now (a program's config; a plain string argument), to be checked
 * before anything is declared; `given` lists the secrets that are set at all (a value known only later is
 * checked when it is: see RedisStack).
 */
export interface PlainSecrets {
    readonly given: ReadonlySet<"password" | "tlsCaKey" | "tlsKey" | "tlsClientKey">;
    readonly password?: string;
    readonly tlsCaKey?: string;
    readonly tlsKey?: string;
    readonly tlsClientKey?: string;
}

export interface CheckedStack {
    readonly settings: Settings;
    /** Checked users (names and rules; Redis itself judges command and category names), in name order. */
    readonly users: readonly AclUser[];
    readonly defaultUser: DefaultUserState;
}

/** RedisStack's typed arguments as the strings the program's config would hold. */
export function rawStackOf(args: RedisStackArgs): RawStack {
    const text = (value: unknown): string | undefined => {
        if (value === undefined || value === null) return undefined;
        if (typeof value === "string") return value;
        return typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
    };
    const raw: Record<string, string | undefined> = {};
    for (const key of [...SETTING_KEYS, "users", "defaultUser", "tlsCaCert", "tlsCert", "tlsClientCert"] as const) {
        raw[key] = text(args[key]);
    }
    return raw;
}

/** Which secrets RedisStack's arguments set, and the values of those given as plain strings. */
export function plainSecretsOf(args: RedisStackArgs): PlainSecrets {
    const given = new Set<PlainSecrets["given"] extends ReadonlySet<infer K> ? K : never>();
    const values: Record<string, string> = {};
    for (const key of ["password", "tlsCaKey", "tlsKey", "tlsClientKey"] as const) {
        const value = args[key];
        if (value === undefined || value === "") continue;
        given.add(key);
        if (typeof value === "string") values[key] = value;
    }
    return { given, ...values };
}

/** Supplied certificates: usable ones, and only with `tls` on. Key material not known yet is checked later. */
function tlsProblems(settings: Settings, raw: RawStack, secrets: PlainSecrets): string[] {
    const supplied: SuppliedTls = {
        ...(raw.tlsCaCert ? { caCert: raw.tlsCaCert } : {}),
        ...(raw.tlsCert ? { cert: raw.tlsCert } : {}),
        ...(raw.tlsClientCert ? { clientCert: raw.tlsClientCert } : {}),
        ...(secrets.given.has("tlsKey") ? { key: secrets.tlsKey ?? "" } : {}),
        ...(secrets.given.has("tlsClientKey") ? { clientKey: secrets.tlsClientKey ?? "" } : {}),
        ...(secrets.given.has("tlsCaKey") ? { caKey: secrets.tlsCaKey ?? "" } : {}),
    };
    const given = (Object.keys(SUPPLIED_TLS_KEYS) as (keyof SuppliedTls)[]).filter((k) => supplied[k] !== undefined);
    if (given.length === 0) return [];
    if (!settings.tls)
        return [`${given.map((k) => SUPPLIED_TLS_KEYS[k]).join(", ")}: set while tls is false; allowed: tls true, or leave them unset`];
    // A node's certificate must name its Service's ClusterIP, which the cluster assigns only when the Service is
    // made: one certificate made beforehand cannot; a CA can issue each node's once its Service exists.
    if (settings.runtime === "kubernetes" && supplied.caKey === undefined && (supplied.cert !== undefined || supplied.key !== undefined))
        return [
            `${given.map((k) => SUPPLIED_TLS_KEYS[k]).join(", ")}: set with runtime kubernetes; allowed there: tlsCaCert and tlsCaKey (your CA; ` +
                `the stack issues each node a certificate naming its Service's ClusterIP, known only once the Service exists), or none of them`,
        ];
    const unknownKey = (["tlsKey", "tlsClientKey", "tlsCaKey"] as const).some((k) => secrets.given.has(k) && secrets[k] === undefined);
    if (unknownKey) return [];
    // The addresses every node is reached at: the one it announces and the host's loopback (the provider, natMap clients).
    return suppliedTlsProblems(supplied, { ips: [...new Set([announceAddress(settings), "127.0.0.1"])] }, new Date());
}

/**
 * Every problem with a stack's settings, or the checked stack. `extraProblems` (the program's unknown config
 * keys) come first, as they are the likeliest cause of the rest.
 */
export function stackProblems(
    raw: RawStack,
    secrets: PlainSecrets,
    machine: MachineDefaults = {},
    extraProblems: readonly string[] = [],
): { checked?: CheckedStack; problems: string[] } {
    const problems = [...extraProblems];
    let settings: Settings | undefined;
    try {
        settings = parseSettings(raw, "redis-stack", machine);
    } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
    }
    problems.push(...passwordProblems(secrets.password));
    const users = parseUsers(raw.users);
    if (settings) problems.push(...tlsProblems(settings, raw, secrets));
    if (settings && settings.runtime !== "kubernetes" && settings.publishAddress === "0.0.0.0" && !secrets.given.has("password")) {
        // Every interface: the nodes answer the whole network, and the cluster bus has no authentication at all.
        problems.push(
            `publishAddress: got "0.0.0.0" without a password, which would open the nodes to every network this host is on; ` +
                `allowed: set password too, or publish on one address of this host (empty: the stack network's gateway)`,
        );
    }
    if (settings && settings.runtime === "kubernetes" && settings.externalAccess !== "none" && !secrets.given.has("password")) {
        // NodePorts answer on every address of every Kubernetes node, load balancers wherever their network reaches:
        // the same exposure as publishAddress 0.0.0.0.
        const reach = settings.externalAccess === "nodePort" ? "a Kubernetes node" : "its load balancers";
        problems.push(
            `externalAccess: got ${JSON.stringify(settings.externalAccess)} without a password, which would open the nodes to every network that reaches ${reach}; ` +
                `allowed: set password too, or none`,
        );
    }
    const defaultUser = defaultUserProblem(raw.defaultUser, secrets.given.has("password"), users.users.length);
    if (defaultUser) problems.push(defaultUser);
    problems.push(...users.problems);
    if (!settings || problems.length > 0) return { problems };
    return { checked: { settings, users: users.users, defaultUser: raw.defaultUser?.trim() === "off" ? "off" : "on" }, problems };
}

/** The checked stack, or a ConfigError (`invalid <label> configuration: ...`) listing every problem. */
export function checkStack(
    label: string,
    raw: RawStack,
    secrets: PlainSecrets,
    machine: MachineDefaults = {},
    extra: readonly string[] = [],
): CheckedStack {
    const { checked, problems } = stackProblems(raw, secrets, machine, extra);
    if (!checked) throw new ConfigError(label, problems);
    return checked;
}
