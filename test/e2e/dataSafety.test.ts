// Settings that guard a stack's data, through the real Pulumi engine: a runtime switch on a running
// stack is refused before anything changes; retainData keeps the data volumes through `destroy` (taken back with
// the owner id they carry); an unknown key or a subnet Docker would refuse fails preview before anything is
// created; a same-named stack of another checkout, or objects made by hand with the stack's names, are refused and
// left exactly as they were.
// Own ports and subnets: 7900-7905, 17900-17905, 6399, 172.30.120.0/24; 7830-7835, 17830-17835, 6430, 172.30.134.0/24.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis from "ioredis";
import { RUNTIME_LABEL, STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { OWNER_LABEL } from "../../components/runtime/ownership";
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
    for (const c of labelled("ps", label)) docker("rm", "-f", "-v", c);
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

    it("labels every container, volume and the network with one owner id, the stack's", () => {
        const owners = [
            ...labelled("ps", label).map((c) => docker("inspect", "-f", `{{index .Config.Labels "${OWNER_LABEL}"}}`, c)),
            ...[...labelled("volume", label), ...labelled("network", label)].map((o) =>
                docker(
                    labelled("volume", label).includes(o) ? "volume" : "network",
                    "inspect",
                    "-f",
                    `{{index .Labels "${OWNER_LABEL}"}}`,
                    o,
                ),
            ),
        ];
        assert.equal(owners.length, 15);
        assert.equal(new Set(owners).size, 1, owners.join(", "));
        assert.match(owners[0], /^[0-9a-f-]{36}$/);
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

    it("with retainData set and applied by an up (which changes no container), destroy removes the containers and the network but keeps every data volume, and the next up with the owner id they carry finds the data", async () => {
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

        // Up again: the stack has a new owner id now, and the kept volumes carry the old one. Refused (at preview too),
        // naming them and the id that takes them back; nothing changes.
        const ownerId = docker("volume", "inspect", "-f", `{{index .Labels "${OWNER_LABEL}"}}`, volumes[0]);
        const created = () => volumes.map((v) => docker("volume", "inspect", "-f", "{{.CreatedAt}}", v));
        const createdBefore = created();
        for (const run of [() => stack.preview(), () => stack.up()]) {
            await assert.rejects(run(), (err: Error) => {
                assert.match(err.message, /Docker objects with this stack's names are not this stack's; nothing was created or changed:/);
                for (const v of volumes)
                    assert.ok(err.message.includes(`  - volume ${v}: labelled ${OWNER_LABEL}=${ownerId} `), err.message);
                assert.ok(err.message.includes(`pulumi config set redis-stack:ownerId ${ownerId}`), err.message);
                return true;
            });
        }
        assert.deepEqual(created(), createdBefore, "the kept volumes are as they were");
        assert.deepEqual(labelled("ps", label), []);

        // Taken back with that owner id: the standalone node has its key back, the cluster forms again.
        await stack.setConfig("redis-stack:ownerId", { value: ownerId });
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

describe("end to end: objects with the stack's names that are not its own", function () {
    // Two checkouts of one project: the same stack name (so the same names on this host) in two state backends.
    const stackName = `e2eown${Date.now().toString(36)}`;
    const prefix = `redis-stack-${stackName}`;
    const label = `${STACK_LABEL}=${prefix}`;
    const backendDirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-owner-")));
    const standalone = () => new Redis({ host: "127.0.0.1", port: 6430, lazyConnect: true, maxRetriesPerRequest: 1 });
    const handMade: string[] = [];
    let first: Stack;
    let second: Stack;

    /** What tells a Docker object apart: its id, start or creation time and labels. */
    const identity = (kind: "container" | "volume" | "network", name: string) =>
        kind === "container"
            ? docker("inspect", "-f", "{{.Id}} {{.State.StartedAt}} {{json .Config.Labels}}", name)
            : docker(kind, "inspect", "-f", kind === "volume" ? "{{.CreatedAt}} {{json .Labels}}" : "{{.Id}} {{json .Labels}}", name);
    const firstStackObjects = () =>
        Object.fromEntries([
            ...labelled("ps", label).map((c) => [c, identity("container", c)]),
            ...labelled("volume", label).map((v) => [v, identity("volume", v)]),
            ...labelled("network", label).map((n) => [n, identity("network", n)]),
        ]);
    const refusedNaming =
        (...lines: RegExp[]) =>
        (err: Error) => {
            assert.match(err.message, /Docker objects with this stack's names are not this stack's; nothing was created or changed:/);
            for (const line of lines) assert.match(err.message, line);
            return true;
        };

    before(async function () {
        [first, second] = await Promise.all(backendDirs.map((dir) => openEngineStack(stackName, dir, PASSPHRASE)));
        // Both read the checkout's Pulumi.<stack>.yaml: the same settings.
        await first.setAllConfig({
            "redis-stack:runtime": { value: "engine" },
            "redis-stack:image": { value: TEST_IMAGE },
            "redis-stack:basePort": { value: "7830" },
            "redis-stack:standalonePort": { value: "6430" },
            "redis-stack:subnet": { value: "172.30.134.0/24" },
        });
        assert.equal((await first.up()).summary.result, "succeeded");
        const writer = standalone();
        await writer.set("whose", "the first checkout's");
        await writer.quit();
    });

    after(async function () {
        for (const stack of [second, first]) {
            await stack?.destroy().catch(() => undefined);
            await stack?.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
        }
        for (const v of handMade) execFileSync("docker", ["volume", "rm", "-f", v], { stdio: "ignore" });
        cleanUp(stackName, backendDirs[0], label);
        fs.rmSync(backendDirs[1], { recursive: true, force: true });
        for (const n of labelled("network", label)) docker("network", "rm", n);
    });

    it("the same stack of another checkout: preview and up refuse, naming the first one's objects and its owner id; those keep their ids, start times and data", async () => {
        const before = firstStackObjects();
        assert.equal(Object.keys(before).length, 15);
        const ownerId = docker("volume", "inspect", "-f", `{{index .Labels "${OWNER_LABEL}"}}`, `${prefix}-node-0-data`);
        for (const run of [() => second.preview(), () => second.up()]) {
            await assert.rejects(
                run(),
                refusedNaming(
                    new RegExp(
                        `- container ${prefix}-node-0: labelled ${OWNER_LABEL}=${ownerId} \\(${STACK_LABEL}=${prefix}\\), not this stack's owner id`,
                    ),
                    new RegExp(`- volume ${prefix}-standalone-data: labelled ${OWNER_LABEL}=${ownerId} `),
                    new RegExp(`- network ${prefix}-net: labelled ${OWNER_LABEL}=${ownerId} `),
                    /from another checkout \(another state backend\) on this host/,
                ),
            );
        }
        // Its destroy has nothing of the first's to remove.
        assert.equal((await second.destroy()).summary.result, "succeeded");
        assert.deepEqual(firstStackObjects(), before, "every object of the first checkout is as it was");
        const reader = standalone();
        assert.equal(await reader.get("whose"), "the first checkout's");
        await reader.quit();
    });

    it("objects made by hand with the stack's names (no label, or an earlier release's label alone): refused at preview and up and left as they were; the stack's own objects are made and removed as usual", async () => {
        // The first checkout's own objects go with its destroy.
        assert.equal((await first.destroy()).summary.result, "succeeded");
        assert.deepEqual(firstStackObjects(), {});

        // A volume with the name of node 0's, and a file in it, that no redis-stack made.
        const volume = `${prefix}-node-0-data`;
        handMade.push(volume);
        docker("volume", "create", volume);
        docker("run", "--rm", "-v", `${volume}:/data`, "--entrypoint", "sh", TEST_IMAGE, "-c", "echo mine > /data/file");
        const volumeBefore = identity("volume", volume);
        for (const run of [() => second.preview(), () => second.up()])
            await assert.rejects(
                run(),
                refusedNaming(new RegExp(`- volume ${volume}: without a ${STACK_LABEL} or ${OWNER_LABEL} label: not made by redis-stack`)),
            );
        assert.equal(identity("volume", volume), volumeBefore);
        assert.equal(
            docker(
                "run",
                "--rm",
                "-v",
                `${volume}:/data`,
                "--entrypoint",
                "sh",
                TEST_IMAGE,
                "-c",
                'read line < /data/file && echo "$line"',
            ),
            "mine",
        );
        assert.deepEqual(labelled("ps", label), []);
        docker("volume", "rm", volume);

        // A network as a release before owner labels made it, which this stack's state does not record: refused by
        // the network's own check, at preview and at up.
        const network = `${prefix}-net`;
        docker("network", "create", "--subnet", "172.30.134.0/24", "--label", label, network);
        const networkBefore = identity("network", network);
        const earlierRelease = new RegExp(
            `- network ${network}: labelled ${STACK_LABEL}=${prefix} without ${OWNER_LABEL} .*not recorded in this stack's state`,
        );
        for (const run of [() => second.preview(), () => second.up()]) await assert.rejects(run(), refusedNaming(earlierRelease));
        assert.equal(identity("network", network), networkBefore);
        assert.deepEqual(labelled("ps", label), [], "no container was made without its network");
        // What that up made of the stack's own (volumes) goes with its destroy; the network stays.
        assert.equal((await second.destroy()).summary.result, "succeeded");
        assert.deepEqual(labelled("volume", label), []);
        assert.equal(identity("network", network), networkBefore);
    });
});
