// Settings that guard a stack's data, through the real Pulumi engine: a runtime switch on a running
// stack is refused before anything changes; retainData keeps the data volumes through `destroy`; an
// unknown key or a subnet Docker would refuse fails preview before anything is created.
// Own ports and subnet: 7900-7905, 17900-17905, 6399, 172.30.120.0/24.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis from "ioredis";
import { RUNTIME_LABEL, STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { PROJECT_DIR, openEngineStack } from "../support/automation";
import { waitClusterOk } from "../support/clusterState";
import { TEST_IMAGE } from "../support/fixture";
import { docker } from "../support/dockerCli";

const PASSPHRASE = "e2e-passphrase";

function lines(text: string): string[] {
    return text.split("\n").filter((l) => l !== "");
}

/** Names of the stack's containers (`ps`), networks or volumes. */
function labelled(kind: "ps" | "network" | "volume", label: string): string[] {
    return lines(
        kind === "ps"
            ? docker("ps", "-a", "--filter", `label=${label}`, "--format", "{{.Names}}")
            : docker(kind, "ls", "--filter", `label=${label}`, "--format", "{{.Name}}"),
    ).sort();
}

/** Container name -> id, for telling whether anything was recreated. */
function containerIds(label: string): Record<string, string> {
    return Object.fromEntries(
        lines(docker("ps", "-a", "--filter", `label=${label}`, "--format", "{{.Names}} {{.ID}}")).map((l) => l.split(" ")),
    );
}

function changesOf(summary: Record<string, number> | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n > 0));
}

async function resourceCount(stack: Stack): Promise<number> {
    const state = await stack.exportStack();
    return ((state.deployment as { resources?: unknown[] }).resources ?? []).length;
}

function cleanUp(stackName: string, backendDir: string, label: string): void {
    fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), { force: true });
    fs.rmSync(backendDir, { recursive: true, force: true });
    // What this suite made and a failed run (or retainData) left behind; only objects carrying this stack's label.
    for (const c of labelled("ps", label)) docker("rm", "-f", c);
    for (const n of labelled("network", label)) docker("network", "rm", n);
    for (const v of labelled("volume", label)) docker("volume", "rm", "-f", v);
}

describe("end to end: settings that guard the data", function () {
    const stackName = `e2esafe${Date.now().toString(36)}`;
    const label = `${STACK_LABEL}=redis-stack-${stackName}`;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-safety-"));
    let stack: Stack;
    let outputs: OutputMap;

    before(async function () {
        stack = await openEngineStack(stackName, backendDir, PASSPHRASE);
        await stack.setAllConfig({
            "redis-stack:runtime": { value: "engine" },
            "redis-stack:image": { value: TEST_IMAGE },
            "redis-stack:basePort": { value: "7900" },
            "redis-stack:standalonePort": { value: "6399" },
            "redis-stack:subnet": { value: "172.30.120.0/24" },
        });
        const result = await stack.up();
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    });

    after(async function () {
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
        }
        cleanUp(stackName, backendDir, label);
    });

    it("labels every container with the runtime that made it, and no volume or network", () => {
        assert.equal(labelled("ps", label).length, 7);
        assert.deepEqual(labelled("ps", `${RUNTIME_LABEL}=engine`).filter((c) => c.startsWith(`redis-stack-${stackName}-`)).length, 7);
        assert.equal(labelled("volume", label).length, 7);
        assert.deepEqual(
            labelled("volume", `${RUNTIME_LABEL}`).filter((v) => v.startsWith(`redis-stack-${stackName}-`)),
            [],
        );
        assert.deepEqual(
            labelled("network", `${RUNTIME_LABEL}`).filter((n) => n.startsWith(`redis-stack-${stackName}-`)),
            [],
        );
    });

    it("switching runtime from engine to docker on the running stack: preview and up refuse it, naming the setting, both runtimes and the ways out, and nothing changes", async () => {
        const idsBefore = containerIds(label);
        const resourcesBefore = await resourceCount(stack);
        await stack.setConfig("redis-stack:runtime", { value: "docker" });
        try {
            for (const run of [() => stack.preview(), () => stack.up()]) {
                await assert.rejects(run(), (err: Error) => {
                    assert.match(
                        err.message,
                        /redis-stack:runtime is docker, but containers of this stack were made by another runtime; nothing was created or changed:/,
                    );
                    assert.match(err.message, new RegExp(`- engine: redis-stack-${stackName}-node-0, `));
                    assert.match(
                        err.message,
                        /Set it back \(pulumi config set redis-stack:runtime engine\), or run `pulumi destroy` first/,
                    );
                    return true;
                });
            }
        } finally {
            await stack.setConfig("redis-stack:runtime", { value: "engine" });
        }
        assert.deepEqual(containerIds(label), idsBefore, "no container was removed or recreated");
        assert.equal(await resourceCount(stack), resourcesBefore);
        assert.equal(labelled("volume", label).length, 7);
        // Set back, the stack is as it was.
        assert.deepEqual(changesOf((await stack.preview()).changeSummary), {});
    });

    it("an unknown key on the running stack: preview fails naming it and the closest known key, and nothing changes", async () => {
        const idsBefore = containerIds(label);
        await stack.setConfig("redis-stack:mastrs", { value: "4" });
        try {
            await assert.rejects(stack.preview(), /`mastrs`: unknown setting; did you mean `masters`\?/);
        } finally {
            await stack.removeConfig("redis-stack:mastrs");
        }
        assert.deepEqual(containerIds(label), idsBefore);
    });

    it("a renamed stack (its volumes would be renamed): preview and up refuse it, naming namePrefix and the value that keeps the data; with that value nothing changes", async () => {
        // Its containers still hold the ports, so the host check is what refuses here; where they hold none (stopped),
        // the stack's data guard refuses the same change (test/unit/dataIdentity.test.ts; on Kubernetes, e2e).
        const idsBefore = containerIds(label);
        const renamed = `${stackName}r`;
        const cli = (...args: string[]) =>
            execFileSync("pulumi", args, {
                cwd: PROJECT_DIR,
                encoding: "utf8",
                env: { ...process.env, PULUMI_BACKEND_URL: `file://${backendDir}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE },
            });
        cli("stack", "rename", renamed, "--stack", stackName, "--non-interactive");
        try {
            const moved = await openEngineStack(renamed, backendDir, PASSPHRASE);
            for (const run of [() => moved.preview(), () => moved.up()]) {
                await assert.rejects(run(), (err: Error) => {
                    assert.match(err.message, /host ports needed by this stack are already in use; nothing was created or changed/);
                    assert.match(
                        err.message,
                        new RegExp(
                            `Containers of another stack, named redis-stack-${stackName}-\\.\\.\\., are on this host: if this stack is that one renamed, set redis-stack:namePrefix to "redis-stack-${stackName}"`,
                        ),
                    );
                    return true;
                });
            }
            assert.deepEqual(containerIds(label), idsBefore, "no container was removed or recreated");
            assert.equal(labelled("volume", label).length, 7);
            await moved.setConfig("redis-stack:namePrefix", { value: `redis-stack-${stackName}` });
            assert.deepEqual(changesOf((await moved.preview()).changeSummary), {}, "with the old prefix, the renamed stack is as it was");
            await moved.removeConfig("redis-stack:namePrefix");
        } finally {
            cli("stack", "rename", stackName, "--stack", renamed, "--non-interactive");
        }
        assert.deepEqual(changesOf((await stack.preview()).changeSummary), {});
    });

    it("with retainData set and applied by an up (which changes no container), destroy removes the containers and the network but keeps every data volume, and the next up finds the data", async () => {
        const standalone = () => new Redis({ host: "127.0.0.1", port: 6399, lazyConnect: true, maxRetriesPerRequest: 1 });
        const writer = standalone();
        await writer.set("kept", "through destroy");
        await writer.quit();
        const idsBefore = containerIds(label);
        await stack.setConfig("redis-stack:retainData", { value: "true" });
        const applied = await stack.up();
        assert.equal(applied.summary.result, "succeeded");
        assert.deepEqual(containerIds(label), idsBefore, "retainData alone recreates nothing");

        const volumes = labelled("volume", label);
        assert.equal(volumes.length, 7);
        const destroyed = await stack.destroy();
        assert.equal(destroyed.summary.result, "succeeded");
        assert.deepEqual(labelled("ps", label), []);
        assert.deepEqual(labelled("network", label), []);
        assert.deepEqual(labelled("volume", label), volumes, "the data volumes are still there");

        // Up again on the kept volumes: the standalone node has its key back, the cluster forms again.
        const again = await stack.up();
        assert.equal(again.summary.result, "succeeded");
        const reader = standalone();
        assert.equal(await reader.get("kept"), "through destroy");
        await reader.quit();
        await waitClusterOk(outputs.clusterSeeds.value as string[], undefined, 30000);
    });
});

describe("end to end: refused at preview, nothing created", function () {
    const stackName = `e2ecfg${Date.now().toString(36)}`;
    const label = `${STACK_LABEL}=redis-stack-${stackName}`;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-cfg-"));
    let stack: Stack;

    after(async () => {
        await stack?.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
        cleanUp(stackName, backendDir, label);
    });

    it("an unknown key and a subnet with host bits set: preview and up list both, and create nothing", async () => {
        stack = await openEngineStack(stackName, backendDir, PASSPHRASE);
        await stack.setAllConfig({
            "redis-stack:image": { value: TEST_IMAGE },
            "redis-stack:mastrs": { value: "4" },
            "redis-stack:subnet": { value: "172.30.120.5/24" },
        });
        for (const run of [() => stack.preview(), () => stack.up()]) {
            await assert.rejects(run(), (err: Error) => {
                assert.match(
                    err.message,
                    /invalid redis-stack configuration:\n\s*- `mastrs`: unknown setting; did you mean `masters`\?\n\s*- subnet: got "172\.30\.120\.5\/24"; allowed: a network address such as 172\.30\.120\.0\/24/,
                );
                return true;
            });
        }
        assert.deepEqual(labelled("ps", label), []);
        assert.deepEqual(labelled("network", label), []);
        assert.deepEqual(labelled("volume", label), []);
        assert.ok((await resourceCount(stack)) <= 1, "at most the stack resource");
    });
});
