// Automation API stacks of this project on a local file backend with the `engine` runtime, as the
// end-to-end suite and the benchmark use them.
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

export const PROJECT_DIR = path.resolve(__dirname, "../..");

/** What the Pulumi CLI runs with for such a stack, also when a test runs the CLI itself. */
export function engineStackEnv(backendDir: string, passphrase: string): Record<string, string> {
    return {
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        // The engine runtime needs no plugin download; do not let the CLI try.
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
}

export async function openEngineStack(
    stackName: string,
    backendDir: string,
    passphrase: string,
    extraEnv: Record<string, string> = {},
): Promise<Stack> {
    return LocalWorkspace.createOrSelectStack(
        { stackName, workDir: PROJECT_DIR },
        { envVars: { ...engineStackEnv(backendDir, passphrase), ...extraEnv } },
    );
}

/** The resources of `stack`'s state (secrets decrypted) that hold `text`, each as `<type>::<name>`. */
export async function stateResourcesHolding(stack: Stack, text: string): Promise<string[]> {
    const resources = (await stack.exportStack()).deployment.resources as { urn: string }[];
    return resources.filter((r) => JSON.stringify(r).includes(text)).map((r) => r.urn.split("::").slice(2).join("::"));
}
