// A stack made by the program as it was before RedisStack existed (its last commit, in a git worktree) is taken
// over in place by today's program: nothing is created but the new component, nothing replaced or deleted, every
// volume kept and the cluster keeps its node ids. Its nodes ran redis-server as root, which wrote their data; today's
// run as uid 999, so each container is made again in its turn and its data handed to that user first. Users and TLS
// make every former top-level resource (cluster, standalone, users, tls) take part.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { docker, labelled } from "../support/dockerCli";
import { TEST_IMAGE } from "../support/fixture";
import { noChangeAfter, nodeIds, previousReleaseStack, upgradeInPlace } from "../support/previousRelease";
import { archivedOwnership, serverPrivileges } from "../support/leastPrivilege";

describe("upgrade: a Docker stack of the program before RedisStack is taken over in place", function () {
    this.timeout(900000);
    const name = `upgrade${Date.now().toString(36)}`;
    const label = `${STACK_LABEL}=redis-stack-${name}`;
    const identities = () =>
        Object.fromEntries(labelled("ps", label).map((c) => [c, docker("inspect", "-f", "{{.Id}} {{.State.StartedAt}}", c)]));
    // A volume's CreatedAt is its directory's ctime, which handing it to the node's user changes: a marker file put into
    // each one on the host tells the same volume instead.
    const volumeDir = (v: string) => docker("volume", "inspect", "-f", "{{.Mountpoint}}", v);
    const MARKER = ".upgrade-e2e-marker";
    const volumes = () =>
        labelled("volume", label).map((v) => `${v} ${fs.existsSync(path.join(volumeDir(v), MARKER)) ? "marked" : "unmarked"}`);
    let previousState: { containers: Record<string, string>; volumes: string[]; nodeIds: string[]; rootData: string[] };
    /** Entries of the containers' /data that are not uid 999's. */
    const notTheNodeUsers = () =>
        labelled("ps", label).flatMap((c) => archivedOwnership(c, "/data").filter((entry) => entry.split(" ")[1] !== "999/999"));
    const previous = previousReleaseStack(
        name,
        {
            "redis-stack:runtime": { value: "engine" },
            "redis-stack:image": { value: TEST_IMAGE },
            "redis-stack:basePort": { value: "7750" },
            "redis-stack:standalonePort": { value: "6750" },
            "redis-stack:subnet": { value: "172.30.171.0/24" },
            "redis-stack:password": { value: "upgrade-Secret-42", secret: true },
            "redis-stack:tls": { value: "true" },
        },
        {},
        async (stack) => {
            for (const v of labelled("volume", label)) fs.writeFileSync(path.join(volumeDir(v), MARKER), "");
            previousState = { containers: identities(), volumes: volumes(), nodeIds: await nodeIds(stack), rootData: notTheNodeUsers() };
        },
    );
    after(() => {
        for (const c of labelled("ps", label)) docker("rm", "-f", "-v", c);
        for (const v of labelled("volume", label)) docker("volume", "rm", "-f", v);
        for (const n of labelled("network", label)) docker("network", "rm", n);
    });
    let stack: Stack;

    it("previews no replacement or deletion; the up after it makes each container again as uid 999 on its volume, handed to that user, and keeps every node id", async () => {
        assert.equal(
            Object.keys(previousState.containers).length,
            7,
            `the previous release made 7 containers: ${Object.keys(previousState.containers).join(", ")}`,
        );
        assert.ok(previousState.rootData.length > 0, "the previous release's nodes wrote their data as root");
        stack = await previous.takeOver();
        // The data guard and the stack's owner are new: they record where the data lives and the stack's owner id. The
        // objects the previous release made carry no owner id: recorded in this stack's state, they are its own. Each
        // container is updated (made again, in its turn: it runs as the node's user now); the formation then looks again.
        await upgradeInPlace(
            stack,
            // New since then: the data guard, the owner id, and the final backup's resource (off: it does nothing).
            [
                "pulumi-nodejs:dynamic/redis-stack:DataGuard",
                "pulumi-nodejs:dynamic/redis-stack:StackOwner",
                "pulumi-nodejs:dynamic/redis-stack:FinalBackup",
            ],
            ["pulumi-nodejs:dynamic/redis-stack:EngineContainer", "pulumi-nodejs:dynamic/redis-stack:ClusterFormation"],
        );
        const now = identities();
        assert.deepEqual(Object.keys(now).sort(), Object.keys(previousState.containers).sort());
        for (const [name, identity] of Object.entries(now)) assert.notEqual(identity, previousState.containers[name], `${name} made again`);
        for (const name of Object.keys(now)) assert.deepEqual(serverPrivileges(name).uids, ["999", "999", "999", "999"], name);
        assert.deepEqual(notTheNodeUsers(), [], "every data file is the node's user's");
        assert.deepEqual(volumes(), previousState.volumes, "every volume kept");
        assert.ok(previousState.volumes.every((v) => v.endsWith(" marked")));
        assert.deepEqual(await nodeIds(stack), previousState.nodeIds);
    });

    it("then previews no change at all", async () => noChangeAfter(stack));

    it("and destroy removes every container, volume and the network the previous release made (no owner id; its state records them)", async () => {
        assert.equal((await stack.destroy()).summary.result, "succeeded");
        assert.deepEqual([...labelled("ps", label), ...labelled("volume", label), ...labelled("network", label)], []);
    });
});
