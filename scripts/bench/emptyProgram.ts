// The floor for a no-op `pulumi up`: an empty Pulumi TypeScript program (declares nothing, exports nothing)
// on the same toolchain, backend kind and environment as the stack. It borrows this project's node_modules
// through a symlink, so nothing is installed and both load the same SDK and language host.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_DIR } from "../../test/support/automation";
import { CLI_UP_ARGS } from "./npmUp";
import { run } from "./run";
import { pulumiEnv } from "./stack";

export interface EmptyProgram {
    readonly stack: Stack;
    timeCliUp(): Promise<number>;
    timeAutomationUp(): Promise<number>;
    dispose(): Promise<void>;
}

export async function openEmptyProgram(backendDir: string): Promise<EmptyProgram> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-bench-empty-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: bench-empty\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    fs.writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ name: "bench-empty", private: true, main: "index.ts" }, null, 2) + "\n",
    );
    fs.copyFileSync(path.join(PROJECT_DIR, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    fs.writeFileSync(path.join(dir, "index.ts"), "export {};\n");
    fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"));
    const env = pulumiEnv(backendDir);
    const stackName = `empty${Date.now().toString(36)}`;
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: dir }, { envVars: env });
    const noop = (result: { summary: { resourceChanges?: Record<string, number> } }) => {
        const changed = Object.entries(result.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0);
        if (changed.length > 0) throw new Error(`empty program's up changed resources: ${JSON.stringify(changed)}`);
    };
    await stack.up(); // creates the stack resource; every later up is a no-op
    return {
        stack,
        async timeCliUp() {
            return (await run("pulumi", [...CLI_UP_ARGS, "--stack", stackName], { cwd: dir, env })).ms;
        },
        async timeAutomationUp() {
            const started = Date.now();
            noop(await stack.up());
            return Date.now() - started;
        },
        async dispose() {
            await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
