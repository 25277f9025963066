// `npm run up` exactly as a user types it (scripts/up.sh: setup, stack select, `pulumi up`, stack output),
// pointed at the benchmark's stack with STACK, and `pulumi up` alone through the CLI.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../test/support/automation";
import { run } from "./run";
import { StackBench, waitStackUsable } from "./stack";

/** `setup.sh` writes the dev stack's machine-specific config into Pulumi.dev.yaml; put it back as it was. */
async function keepingDevStackFile<T>(action: () => Promise<T>): Promise<T> {
    const file = path.join(PROJECT_DIR, "Pulumi.dev.yaml");
    const before = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
    try {
        return await action();
    } finally {
        if (before === undefined) fs.rmSync(file, { force: true });
        else if (!fs.existsSync(file) || !before.equals(fs.readFileSync(file))) fs.writeFileSync(file, before);
    }
}

/** `npm run up` from nothing until the cluster is healthy and the standalone node answers. */
export function timeNpmRunUp(b: StackBench): Promise<number> {
    return keepingDevStackFile(async () => {
        const started = Date.now();
        await run("npm", ["run", "up"], { cwd: PROJECT_DIR, env: { ...b.env, STACK: b.name } });
        await waitStackUsable(b.masters);
        return Date.now() - started;
    });
}

export const CLI_UP_ARGS = ["up", "--yes", "--skip-preview", "--non-interactive"];

/** `pulumi up --yes --skip-preview` through the CLI, until the cluster is healthy and the standalone node answers. */
export async function timeCliUp(b: StackBench): Promise<number> {
    const started = Date.now();
    await run("pulumi", [...CLI_UP_ARGS, "--stack", b.name], { cwd: PROJECT_DIR, env: b.env });
    await waitStackUsable(b.masters);
    return Date.now() - started;
}
