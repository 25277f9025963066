// Reads the stack's `redis-stack:*` config into validated Settings before anything is declared.
import * as pulumi from "@pulumi/pulumi";
import { programRefusal } from "./runError";
import {
    ConfigError,
    MachineDefaults,
    RawSettings,
    SETTING_KEYS,
    Settings,
    parseSettings,
    passwordProblems,
    announceAddress,
    unknownKeyProblems,
} from "./config";
import { readMachineDefaults } from "./machineDefaults";
import { AclUser, DefaultUserState, defaultUserProblem, parseUsers } from "./aclUsers";
import type { SuppliedTlsInputs } from "./tls/stackTls";
import { SUPPLIED_TLS_KEYS, SuppliedTls, suppliedTlsProblems } from "./tls/validate";

export interface StackConfig {
    readonly settings: Settings;
    /** Secret; undefined when no password is configured. */
    readonly password?: pulumi.Output<string>;
    /** `redis-stack:users`, checked (names and rules; Redis itself judges command and category names). */
    readonly users: readonly AclUser[];
    /** `redis-stack:defaultUser`: `off` disables Redis's default user (AUTH without a name) on every node. */
    readonly defaultUser: DefaultUserState;
    /** TLS certificates supplied as config (validated); undefined: the stack issues its own when `tls` is on. */
    readonly suppliedTls?: SuppliedTlsInputs;
}

/** The raw supplied TLS values, read without Config.get so no secret is warned about or exposed. */
function readSuppliedTls(namespace: string): SuppliedTls {
    const entries = Object.entries(SUPPLIED_TLS_KEYS).map(([field, key]) => [
        field,
        pulumi.runtime.getConfig(`${namespace}:${key}`) || undefined,
    ]);
    return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as SuppliedTls;
}

/** Supplied certificates: usable ones, only with `tls` on. */
function tlsProblems(settings: Settings, supplied: SuppliedTls): string[] {
    const given = Object.keys(supplied) as (keyof SuppliedTls)[];
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
    // The addresses every node is reached at: the one it announces and the host's loopback (the provider, natMap clients).
    return suppliedTlsProblems(supplied, { ips: [...new Set([announceAddress(settings), "127.0.0.1"])] }, new Date());
}

function collectProblems(
    keys: readonly string[],
    raw: RawSettings,
    namespace: string,
    plainPassword: string | undefined,
    machine: MachineDefaults,
): { settings?: Settings; problems: string[] } {
    const [unknown, password] = [unknownKeyProblems(keys), passwordProblems(plainPassword)];
    try {
        return { settings: parseSettings(raw, namespace, machine), problems: [...unknown, ...password] };
    } catch (err) {
        if (err instanceof ConfigError) return { problems: [...unknown, ...err.problems, ...password] };
        throw err;
    }
}

/** The keys set in the namespace (names only: values of unknown keys are never read, they may be secrets). */
function namespaceKeys(namespace: string): string[] {
    const prefix = `${namespace}:`;
    return Object.keys(pulumi.runtime.allConfig())
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length));
}

export function readStackConfig(namespace = pulumi.getProject()): StackConfig {
    const config = new pulumi.Config(namespace);
    const raw: Record<string, string | undefined> = {};
    // Pulumi.yaml declares "" as the default of settings whose default is computed (image, publishAddress,
    // clusterCheck): "" means unset.
    for (const key of SETTING_KEYS) raw[key] = config.get(key) || undefined;
    // The raw runtime value, read without Config.get so a secret is neither warned about nor exposed;
    // it is only measured for validation. Resources receive it through requireSecret below.
    const plainPassword = pulumi.runtime.getConfig(`${namespace}:password`);
    const { settings, problems } = collectProblems(namespaceKeys(namespace), raw, namespace, plainPassword, readMachineDefaults());
    // A map (Pulumi.yaml declares it an object): the runtime value is its JSON.
    const users = parseUsers(pulumi.runtime.getConfig(`${namespace}:users`));
    const supplied = readSuppliedTls(namespace);
    if (settings) problems.push(...tlsProblems(settings, supplied));
    // Needs the password and the users, so it is checked here rather than in config.ts.
    const rawDefaultUser = config.get("defaultUser");
    const defaultUser = defaultUserProblem(rawDefaultUser, Boolean(plainPassword), users.users.length);
    if (defaultUser) problems.push(defaultUser);
    if (!settings || problems.length > 0 || users.problems.length > 0) {
        // A RunError: Pulumi prints the message alone, without a stack trace.
        throw programRefusal(new ConfigError(namespace, [...problems, ...users.problems]).message);
    }
    const suppliedTls: SuppliedTlsInputs | undefined =
        supplied.caCert && (supplied.cert || supplied.caKey)
            ? {
                  caCert: supplied.caCert,
                  ...(supplied.caKey
                      ? { caKey: config.requireSecret(SUPPLIED_TLS_KEYS.caKey) }
                      : { cert: supplied.cert, key: config.requireSecret(SUPPLIED_TLS_KEYS.key) }),
                  ...(supplied.clientCert
                      ? { clientCert: supplied.clientCert, clientKey: config.requireSecret(SUPPLIED_TLS_KEYS.clientKey) }
                      : {}),
              }
            : undefined;
    return {
        settings,
        password: plainPassword ? config.requireSecret("password") : undefined,
        users: users.users,
        defaultUser: rawDefaultUser?.trim() === "off" ? "off" : "on",
        ...(suppliedTls ? { suppliedTls } : {}),
    };
}
