// `pulumi up` from nothing, a no-op `up` and `destroy` through the real engine (Automation API) with
// the `engine` runtime, on a temporary file backend.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { PROJECT_DIR, openEngineStack } from "../../test/support/automation";
import { waitAnswering, waitClusterHealthy } from "./health";

const BASE_PORT = 7800;
const STANDALONE_PORT = 6998;

export interface StackBench {
    readonly stack: Stack;
    readonly masters: number;
    dispose(): Promise<void>;
}

export async function openStack(masters: number, image: string): Promise<StackBench> {
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-bench-"));
    const stackName = `bench${masters}m${Date.now().toString(36)}`;
    const stack = await openEngineStack(stackName, backendDir, "bench");
    await stack.setAllConfig({
        "redis-stack:runtime": { value: "engine" },
        "redis-stack:image": { value: image },
        "redis-stack:masters": { value: String(masters) },
        "redis-stack:basePort": { value: String(BASE_PORT) },
        "redis-stack:standalonePort": { value: String(STANDALONE_PORT) },
        "redis-stack:subnet": { value: "172.30.121.0/24" },
    });
    return {
        stack,
        masters,
        async dispose() {
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
            fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), { force: true });
            fs.rmSync(backendDir, { recursive: true, force: true });
        },
    };
}

function clusterPorts(masters: number): number[] {
    return Array.from({ length: masters * 2 }, (_, i) => BASE_PORT + i);
}

/** `up` from nothing until the cluster is healthy and the standalone node answers. */
export async function timeUpFromNothing(b: StackBench): Promise<number> {
    const started = Date.now();
    const result = await b.stack.up();
    if (result.summary.result !== "succeeded") throw new Error(`up ${result.summary.result}`);
    await waitClusterHealthy(clusterPorts(b.masters), b.masters);
    await waitAnswering([STANDALONE_PORT]);
    return Date.now() - started;
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
