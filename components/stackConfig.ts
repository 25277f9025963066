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
    unknownKeyProblems,
} from "./config";
import { readMachineDefaults } from "./machineDefaults";
import { AclUser, parseUsers } from "./aclUsers";

export interface StackConfig {
    readonly settings: Settings;
    /** Secret; undefined when no password is configured. */
    readonly password?: pulumi.Output<string>;
    /** `redis-stack:users`, checked (names and rules; Redis itself judges command and category names). */
    readonly users: readonly AclUser[];
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
    if (!settings || problems.length > 0 || users.problems.length > 0) {
        // A RunError: Pulumi prints the message alone, without a stack trace.
        throw programRefusal(new ConfigError(namespace, [...problems, ...users.problems]).message);
    }
    return { settings, password: plainPassword ? config.requireSecret("password") : undefined, users: users.users };
}
