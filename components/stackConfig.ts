// Reads the stack's `redis-stack:*` config into validated Settings before anything is declared.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, RawSettings, Settings, parseSettings, passwordProblems } from "./config";

const KEYS: readonly (keyof Settings)[] = [
    "masters", "replicasPerMaster", "basePort", "busPortOffset", "standalonePort", "image", "networkMode",
    "subnet", "publishAddress", "appendOnly", "clusterNodeTimeoutMs", "runtime", "clusterCheck",
];

export interface StackConfig {
    readonly settings: Settings;
    /** Secret; undefined when no password is configured. */
    readonly password?: pulumi.Output<string>;
}

export function readStackConfig(namespace = pulumi.getProject()): StackConfig {
    const config = new pulumi.Config(namespace);
    const raw: Record<string, string | undefined> = {};
    for (const key of KEYS) raw[key] = config.get(key);
    // The raw runtime value, read without Config.get so a secret is neither warned about nor exposed;
    // it is only measured for validation. Services receive it through getSecret below.
    const plainPassword = pulumi.runtime.getConfig(`${namespace}:password`);
    let settings: Settings;
    try {
        settings = parseSettings(raw as RawSettings, namespace);
    } catch (err) {
        if (err instanceof ConfigError) throw new ConfigError(namespace, [...err.problems, ...passwordProblems(plainPassword)]);
        throw err;
    }
    const problems = passwordProblems(plainPassword);
    if (problems.length > 0) throw new ConfigError(namespace, problems);
    return { settings, password: plainPassword ? config.requireSecret("password") : undefined };
}
