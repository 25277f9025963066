// A stack made by the program as it was before RedisStack existed (its last commit, in a git worktree) is taken
// over in place by today's program: no container, volume or network is created, replaced or deleted, no node
// restarts, and its cluster keeps its node ids. Users and TLS make the stack's every former top-level resource
// (cluster, standalone, users, tls) take part.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigMap, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { STACK_LABEL } from "../../components/topology";
import { PROJECT_DIR } from "../support/automation";
import { docker, labelled } from "../support/dockerCli";
import { TEST_IMAGE } from "../support/fixture";

/** The last commit of the program before RedisStack. */
const PREVIOUS_RELEASE = "52985e5c76bf9bd4300ab36e10cc05796ad58c81";
const PASSPHRASE = "upgrade-e2e-passphrase";

/** A container's id and when it last started: both stay when `up` leaves it alone. */
function containerIdentity(name: string): string {
    return docker("inspect", "-f", "{{.Id}} {{.State.StartedAt}}", name);
}

describe("upgrade: a stack of the program before RedisStack is taken over in place", function () {
    this.timeout(900000);
    const name = `upgrade${Date.now().toString(36)}`;
    const prefix = `redis-stack-${name}`;
    const label = `${STACK_LABEL}=${prefix}`;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-upgrade-"));
    const worktree = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-previous-")), "checkout");
    const env = {
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    const config: ConfigMap = {
        "redis-stack:runtime": { value: "engine" },
        "redis-stack:image": { value: TEST_IMAGE },
        "redis-stack:basePort": { value: "7750" },
        "redis-stack:standalonePort": { value: "6750" },
        "redis-stack:subnet": { value: "172.30.171.0/24" },
        "redis-stack:password": { value: "upgrade-Secret-42", secret: true },
        "redis-stack:tls": { value: "true" },
    };
    const open = (workDir: string) => LocalWorkspace.createOrSelectStack({ stackName: name, workDir }, { envVars: env });
    let current: Stack | undefined;
    const containersBefore: Record<string, string> = {};
    let nodeIdsBefore: string[] = [];

    const nodeIds = async (stack: Stack) =>
        ((await stack.outputs()).clusterNodes.value as { name: string; id: string }[]).map((n) => `${n.name} ${n.id}`);

    before(async function () {
        execFileSync("git", ["-C", PROJECT_DIR, "worktree", "add", "--detach", worktree, PREVIOUS_RELEASE], { stdio: "ignore" });
        // The same dependencies as today's checkout: its node_modules serve (else the previous release's own).
        const sameLock =
            fs.readFileSync(path.join(worktree, "package-lock.json"), "utf8") ===
            fs.readFileSync(path.join(PROJECT_DIR, "package-lock.json"), "utf8");
        if (sameLock) fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(worktree, "node_modules"));
        else execFileSync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: worktree, stdio: "ignore" });
        const previous = await open(worktree);
        await previous.setAllConfig(config);
        // A map: set by path, as `pulumi config set --path` does.
        await previous.setConfig("redis-stack:users.app", { value: "~app:* +@all" }, true);
        await previous.up();
        for (const c of labelled("ps", label)) containersBefore[c] = containerIdentity(c);
        nodeIdsBefore = await nodeIds(previous);
    });

    after(async function () {
        current ??= await open(PROJECT_DIR).catch(() => undefined);
        await current?.destroy().catch(() => undefined);
        await current?.workspace.removeStack(name, { force: true }).catch(() => undefined);
        for (const c of labelled("ps", label)) docker("rm", "-f", c);
        for (const v of labelled("volume", label)) docker("volume", "rm", "-f", v);
        for (const n of labelled("network", label)) docker("network", "rm", n);
        execFileSync("git", ["-C", PROJECT_DIR, "worktree", "remove", "--force", worktree], { stdio: "ignore" });
        for (const dir of [PROJECT_DIR, worktree]) fs.rmSync(path.join(dir, `Pulumi.${name}.yaml`), { force: true });
        fs.rmSync(backendDir, { recursive: true, force: true });
    });

    it("previews no replacement or deletion, and the up after it changes no container, volume or network", async () => {
        assert.equal(
            Object.keys(containersBefore).length,
            7,
            `the previous release made 7 containers: ${Object.keys(containersBefore).join(", ")}`,
        );
        const volumesBefore = labelled("volume", label).map((v) => `${v} ${docker("volume", "inspect", "-f", "{{.CreatedAt}}", v)}`);
        fs.copyFileSync(path.join(worktree, `Pulumi.${name}.yaml`), path.join(PROJECT_DIR, `Pulumi.${name}.yaml`));
        current = await open(PROJECT_DIR);
        const preview = await current.preview();
        const planned = preview.changeSummary;
        assert.deepEqual(
            { replace: planned.replace ?? 0, delete: planned.delete ?? 0, create: planned.create ?? 0 },
            { replace: 0, delete: 0, create: 1 },
            `the preview plans only the new RedisStack component: ${JSON.stringify(planned)}`,
        );
        const up = await current.up();
        const changes = up.summary.resourceChanges ?? {};
        assert.equal(changes.create ?? 0, 1, JSON.stringify(changes));
        assert.equal((changes.replace ?? 0) + (changes.delete ?? 0), 0, JSON.stringify(changes));
        const after = Object.fromEntries(labelled("ps", label).map((c) => [c, containerIdentity(c)]));
        assert.deepEqual(after, containersBefore, "every container kept its id and was not restarted");
        assert.deepEqual(
            labelled("volume", label).map((v) => `${v} ${docker("volume", "inspect", "-f", "{{.CreatedAt}}", v)}`),
            volumesBefore,
        );
        assert.deepEqual(await nodeIds(current), nodeIdsBefore);
    });

    it("then previews no change at all", async () => {
        const preview = await current!.preview();
        const { same, ...changed } = preview.changeSummary;
        assert.deepEqual(changed, {}, `a second preview changes nothing: ${JSON.stringify(preview.changeSummary)}`);
        assert.ok((same ?? 0) > 0);
    });
});
