// A stack made by the program as it was before RedisStack existed (its last commit, in a git worktree), and
// what the upgrade e2e tests check when today's program takes it over.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigMap, EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_DIR } from "./automation";

/** The last commit of the program before RedisStack. */
const PREVIOUS_RELEASE = "52985e5c76bf9bd4300ab36e10cc05796ad58c81";
const PASSPHRASE = "upgrade-e2e-passphrase";

/**
 * Registers, in the calling `describe`: a stack `name` made by the previous release from `config` (its program in
 * a git worktree of PREVIOUS_RELEASE) before the tests, `afterUp` run right after; `takeOver()` then opens the same
 * stack with today's program. After: destroyed with today's program, the worktree and the backend removed.
 */
export function previousReleaseStack(
    name: string,
    config: ConfigMap,
    env: Record<string, string>,
    afterUp: (stack: Stack) => Promise<void>,
) {
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-upgrade-"));
    const worktree = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-previous-")), "checkout");
    const envVars = {
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        ...env,
    };
    const open = (workDir: string) => LocalWorkspace.createOrSelectStack({ stackName: name, workDir }, { envVars });
    let current: Stack | undefined;

    before(async function () {
        execFileSync("git", ["-C", PROJECT_DIR, "worktree", "add", "--detach", worktree, PREVIOUS_RELEASE], { stdio: "ignore" });
        // The same dependencies as today's checkout: its node_modules serve (else the previous release's own).
        const lock = (dir: string) => fs.readFileSync(path.join(dir, "package-lock.json"), "utf8");
        if (lock(worktree) === lock(PROJECT_DIR))
            fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(worktree, "node_modules"));
        else execFileSync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: worktree, stdio: "ignore" });
        const previous = await open(worktree);
        await previous.setAllConfig(config);
        // A map: set by path, as `pulumi config set --path` does.
        await previous.setConfig("redis-stack:users.app", { value: "~app:* +@all" }, true);
        await previous.up();
        await afterUp(previous);
    });

    after(async function () {
        current ??= await open(PROJECT_DIR).catch(() => undefined);
        await current?.destroy().catch(() => undefined);
        await current?.workspace.removeStack(name, { force: true }).catch(() => undefined);
        execFileSync("git", ["-C", PROJECT_DIR, "worktree", "remove", "--force", worktree], { stdio: "ignore" });
        fs.rmSync(path.dirname(worktree), { recursive: true, force: true });
        for (const dir of [PROJECT_DIR, worktree]) fs.rmSync(path.join(dir, `Pulumi.${name}.yaml`), { force: true });
        fs.rmSync(backendDir, { recursive: true, force: true });
    });

    return {
        /** The stack, opened with today's program (its config carried over). */
        async takeOver(): Promise<Stack> {
            fs.copyFileSync(path.join(worktree, `Pulumi.${name}.yaml`), path.join(PROJECT_DIR, `Pulumi.${name}.yaml`));
            current = await open(PROJECT_DIR);
            return current;
        },
    };
}

/**
 * Preview, then up, of the taken-over stack: it creates only the new RedisStack component and resources of the types
 * `alsoNew` (which the previous release did not have), updates only resources of the types `updated`, and replaces or
 * deletes nothing.
 */
export async function upgradeInPlace(stack: Stack, alsoNew: readonly string[] = [], updated: readonly string[] = []): Promise<void> {
    const created = ["redis-stack:index:RedisStack", ...alsoNew].map((type) => `create ${type}`);
    const allowed = (step: string) =>
        created.includes(step) || updated.some((type) => step === `update ${type}` || step.startsWith(`update ${type} (`));
    for (const run of [
        (onEvent: (e: EngineEvent) => void) => stack.preview({ onEvent }),
        (onEvent: (e: EngineEvent) => void) => stack.up({ onEvent }),
    ]) {
        const steps: string[] = [];
        await run((event) => {
            const step = event.resourcePreEvent?.metadata;
            if (step && step.op !== "same" && step.op !== "read" && !step.type.startsWith("pulumi:providers:"))
                steps.push(`${step.op} ${step.type}${step.diffs?.length ? ` (${step.diffs.join(", ")})` : ""}`);
        });
        const unexpected = steps.filter((step) => !allowed(step));
        assert.deepEqual(
            unexpected,
            [],
            `only the new component (and ${alsoNew.join(", ") || "nothing else"}) is created, only ${updated.join(", ") || "nothing"} updated, nothing replaced or deleted`,
        );
        assert.equal(steps.filter((step) => step === "create redis-stack:index:RedisStack").length, 1, steps.join("\n"));
    }
}

/** Then a preview that changes nothing at all. */
export async function noChangeAfter(stack: Stack): Promise<void> {
    const { same, ...changed } = (await stack.preview()).changeSummary;
    assert.deepEqual(changed, {}, "a second preview changes nothing");
    assert.ok((same ?? 0) > 0);
}

export const nodeIds = async (stack: Stack) =>
    ((await stack.outputs()).clusterNodes.value as { name: string; id: string }[]).map((n) => `${n.name} ${n.id}`);
