// The program's side of RedisStack: reads the stack's `redis-stack:*` config, refuses bad input (with the
// unknown keys, a typo being the likeliest cause) before anything is declared, and turns it into RedisStack's
// arguments, which carry the same names as the config keys.
import * as pulumi from "@pulumi/pulumi";
import { programRefusal } from "../common/runError";
import { ConfigError, DEFAULTS, MachineDefaults, SETTING_KEYS, STACK_KEYS, Settings } from "../settings/config";
import { unknownKeyProblems } from "../settings/unknownKeys";
import { readMachineDefaults } from "../settings/machineDefaults";
import type { RedisStackArgs } from "./args";
import { PlainSecrets, RawStack, checkStack } from "./validate";

export interface StackConfig {
    /** The checked settings (defaults filled in). */
    readonly settings: Settings;
    /** RedisStack's arguments: what the config sets, typed, and this machine's image where the config sets none. */
    readonly args: RedisStackArgs;
}

/** The keys set in the namespace (names only: values of unknown keys are never read, they may be secrets). */
function namespaceKeys(namespace: string): string[] {
    const prefix = `${namespace}:`;
    return Object.keys(pulumi.runtime.allConfig())
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length));
}

/** The SDK's record of which config keys the stack holds encrypted (exported by the runtime, not declared in its types). */
const isConfigSecret = (key: string): boolean =>
    (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret(key);

/**
 * A secret setting stored in plaintext in the stack's config file, one problem each (never the value). Pulumi.yaml
 * cannot declare them `secret: true`: Pulumi then refuses every stack that leaves them unset.
 */
function plaintextSecretProblems(namespace: string, given: Iterable<string>): string[] {
    return [...given]
        .filter((key) => !isConfigSecret(`${namespace}:${key}`))
        .map(
            (key) =>
                `${key}: set in plaintext in the stack's config file; allowed: a secret, set with pulumi config set --secret ${namespace}:${key} ` +
                `(pulumi config rm ${namespace}:${key} first; and change the value if the file was shared)`,
        );
}

/** The keys of the stack as a whole (config.ts STACK_KEYS), as config strings. */
type StackKeys = { readonly [K in (typeof STACK_KEYS)[number]]?: string };

/** `allowDataReplacement` is true or false (RedisStack checks namePrefix with its other arguments). */
function stackKeyProblems(stack: StackKeys): string[] {
    const allow = stack.allowDataReplacement?.trim().toLowerCase();
    return allow === undefined || allow === "" || allow === "true" || allow === "false"
        ? []
        : [`allowDataReplacement: got ${JSON.stringify(stack.allowDataReplacement)}; allowed: true or false`];
}

/** A checked config string as the argument's type (the type of its default; maps are JSON). */
function typed(key: keyof Settings, raw: string): unknown {
    const kind = typeof DEFAULTS[key];
    if (kind === "number") return Number(raw.trim());
    if (kind === "boolean") return raw.trim().toLowerCase() === "true";
    if (kind === "object") return JSON.parse(raw);
    return raw.trim();
}

/** RedisStack's arguments from checked config: only what the config sets (Pulumi.yaml's "" defaults mean unset). */
function argumentsOf(raw: RawStack, stack: StackKeys, config: pulumi.Config, machine: MachineDefaults): RedisStackArgs {
    const settings = Object.fromEntries(SETTING_KEYS.filter((key) => raw[key] !== undefined).map((key) => [key, typed(key, raw[key]!)]));
    const secret = (key: string) => (pulumi.runtime.getConfig(`${config.name}:${key}`) ? config.requireSecret(key) : undefined);
    const args: Record<string, unknown> = {
        ...settings,
        ...(raw.image === undefined && machine.image ? { image: machine.image } : {}),
        ...(raw.users ? { users: JSON.parse(raw.users) as Record<string, string> } : {}),
        ...(raw.defaultUser ? { defaultUser: raw.defaultUser.trim() } : {}),
        ...(raw.tlsCaCert ? { tlsCaCert: raw.tlsCaCert } : {}),
        ...(raw.tlsCert ? { tlsCert: raw.tlsCert } : {}),
        ...(raw.tlsClientCert ? { tlsClientCert: raw.tlsClientCert } : {}),
        ...(stack.namePrefix ? { namePrefix: stack.namePrefix.trim() } : {}),
        ...(stack.allowDataReplacement?.trim().toLowerCase() === "true" ? { allowDataReplacement: true } : {}),
        ...(stack.ownerId?.trim() ? { ownerId: stack.ownerId.trim() } : {}),
        password: secret("password"),
        tlsCaKey: secret("tlsCaKey"),
        tlsKey: secret("tlsKey"),
        tlsClientKey: secret("tlsClientKey"),
    };
    return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
}

export function readStackConfig(namespace = pulumi.getProject()): StackConfig {
    const config = new pulumi.Config(namespace);
    // Read without Config.get where a value may be a secret, so none is warned about or exposed; the secrets'
    // plain values are only checked here, and RedisStack gets them as secrets (config.requireSecret).
    const get = (key: string) => pulumi.runtime.getConfig(`${namespace}:${key}`) || undefined;
    // Pulumi.yaml declares "" as the default of settings whose default is computed (image, publishAddress,
    // clusterCheck): "" means unset. Maps (users, redisConfig, resources) arrive as their JSON.
    const raw: Record<string, string | undefined> = {};
    for (const key of [...SETTING_KEYS, "users", "defaultUser", "tlsCaCert", "tlsCert", "tlsClientCert"]) raw[key] = get(key);
    const values = { password: get("password"), tlsCaKey: get("tlsCaKey"), tlsKey: get("tlsKey"), tlsClientKey: get("tlsClientKey") };
    const secrets: PlainSecrets = {
        given: new Set((Object.keys(values) as (keyof typeof values)[]).filter((k) => values[k] !== undefined)),
        ...values,
    };
    const machine = readMachineDefaults();
    const stack: StackKeys = { namePrefix: get("namePrefix"), allowDataReplacement: get("allowDataReplacement"), ownerId: get("ownerId") };
    try {
        const extra = [
            ...unknownKeyProblems(namespaceKeys(namespace)),
            ...plaintextSecretProblems(namespace, secrets.given),
            ...stackKeyProblems(stack),
        ];
        const { settings } = checkStack(namespace, raw, secrets, machine, extra);
        return { settings, args: argumentsOf(raw, stack, config, machine) };
    } catch (err) {
        // A RunError: Pulumi prints the message alone, without a stack trace.
        if (err instanceof ConfigError) throw programRefusal(err.message);
        throw err;
    }
}
