// Reads the stack's `redis-stack:*` config into validated Settings before anything is declared.
import * as pulumi from "@pulumi/pulumi";
import { programRefusal } from "./runError";
import { ConfigError, MachineDefaults, RawSettings, Settings, parseSettings, passwordProblems } from "./config";
import { readMachineDefaults } from "./machineDefaults";

const KEYS: readonly (keyof Settings)[] = [
    "masters", "replicasPerMaster", "basePort", "busPortOffset", "standalonePort", "image", "networkMode",
    "subnet", "publishAddress", "appendOnly", "clusterNodeTimeoutMs", "runtime", "clusterCheck",
];

export interface StackConfig {
    readonly settings: Settings;
    /** Secret; undefined when no password is configured. */
    readonly password?: pulumi.Output<string>;
}

function collectProblems(raw: RawSettings, namespace: string, plainPassword: string | undefined, machine: MachineDefaults): { settings?: Settings; problems: string[] } {
    const problems = passwordProblems(plainPassword);
    try {
        return { settings: parseSettings(raw, namespace, machine), problems };
    } catch (err) {
        if (err instanceof ConfigError) return { problems: [...err.problems, ...problems] };
        throw err;
    }
}

export function readStackConfig(namespace = pulumi.getProject()): StackConfig {
    const config = new pulumi.Config(namespace);
    const raw: Record<string, string | undefined> = {};
    for (const key of KEYS) raw[key] = config.get(key);
    // The raw runtime value, read without Config.get so a secret is neither warned about nor exposed;
    // it is only measured for validation. Resources receive it through requireSecret below.
    const plainPassword = pulumi.runtime.getConfig(`${namespace}:password`);
    const { settings, problems } = collectProblems(raw as RawSettings, namespace, plainPassword, readMachineDefaults());
    if (!settings || problems.length > 0) {
        // A RunError: Pulumi prints the message alone, without a stack trace.
        throw programRefusal(new ConfigError(namespace, problems).message);
    }
    return { settings, password: plainPassword ? config.requireSecret("password") : undefined };
}
