// `pulumi up` from nothing, a no-op `up` and `destroy` through the real engine (Automation API) with
// the `engine` runtime, on a temporary file backend. The same stack can be driven through the CLI
// (`env` holds what the CLI needs to find it).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EngineEvent, Stack, UpResult } from "@pulumi/pulumi/automation";
import { PROJECT_DIR, engineStackEnv, openEngineStack } from "../../test/support/automation";
import { BENCH_BASE_PORT, BENCH_STACK_SUBNET, BENCH_STANDALONE_PORT, clusterPorts } from "./ports";
import { waitStackUsableAt } from "./usable";

const PASSPHRASE = "bench";

export interface StackBench {
    readonly stack: Stack;
    readonly name: string;
    masters: number;
    readonly backendDir: string;
    /** Environment for the `pulumi` CLI (cwd PROJECT_DIR) to reach this stack's backend. */
    readonly env: Record<string, string>;
    setMasters(masters: number): Promise<void>;
    dispose(): Promise<void>;
}

/** The Automation API and the CLI runs share these, as `scripts/env.sh` sets them for `npm run up`. */
export function pulumiEnv(backendDir: string): Record<string, string> {
    return engineStackEnv(backendDir, PASSPHRASE);
}

export async function openStack(masters: number, image: string): Promise<StackBench> {
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-bench-"));
    const stackName = `bench${masters}m${Date.now().toString(36)}`;
    const stack = await openEngineStack(stackName, backendDir, PASSPHRASE);
    await stack.setAllConfig({
        "redis-stack:runtime": { value: "engine" },
        "redis-stack:image": { value: image },
        "redis-stack:masters": { value: String(masters) },
        "redis-stack:basePort": { value: String(BENCH_BASE_PORT) },
        "redis-stack:standalonePort": { value: String(BENCH_STANDALONE_PORT) },
        "redis-stack:subnet": { value: BENCH_STACK_SUBNET },
    });
    const bench = {
        stack,
        name: stackName,
        masters,
        backendDir,
        env: pulumiEnv(backendDir),
        async setMasters(m: number) {
            await stack.setConfig("redis-stack:masters", { value: String(m) });
            bench.masters = m;
        },
        async dispose() {
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
            fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), { force: true });
            fs.rmSync(backendDir, { recursive: true, force: true });
        },
    };
    return bench;
}

/** The finish line of every `up` from nothing (usable.ts) at the bench stack's ports. */
export function waitStackUsable(masters: number): Promise<void> {
    return waitStackUsableAt(clusterPorts(masters * 2), masters, BENCH_STANDALONE_PORT);
}

/** `up` from nothing until the cluster is healthy and the standalone node answers. */
export async function timeUpFromNothing(b: StackBench): Promise<number> {
    const started = Date.now();
    await upOk(b.stack);
    await waitStackUsable(b.masters);
    return Date.now() - started;
}

export async function upOk(stack: Stack, onEvent?: (e: EngineEvent) => void): Promise<UpResult> {
    const result = await stack.up(onEvent ? { onEvent } : {});
    if (result.summary.result !== "succeeded") throw new Error(`up ${result.summary.result}`);
    return result;
}

export async function timeNoopUp(b: StackBench): Promise<number> {
    const started = Date.now();
    const result = await b.stack.up();
    const changed = Object.entries(result.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0);
    if (changed.length > 0) throw new Error(`no-op up changed resources: ${JSON.stringify(changed)}`);
    return Date.now() - started;
}

export async function timeDestroy(b: StackBench): Promise<number> {
    const started = Date.now();
    await b.stack.destroy();
    return Date.now() - started;
}
