// A stack made by the program as it was before RedisStack existed (its last commit, in a git worktree) is taken
// over in place by today's program: nothing is created but the new component, nothing replaced or deleted, no
// node restarts and the cluster keeps its node ids. Users and TLS make every former top-level resource (cluster,
// standalone, users, tls) take part.
import { strict as assert } from "assert";
import { Stack } from "@pulumi/pulumi/automation";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { docker, labelled } from "../support/dockerCli";
import { TEST_IMAGE } from "../support/fixture";
import { noChangeAfter, nodeIds, previousReleaseStack, upgradeInPlace } from "../support/previousRelease";

describe("upgrade: a Docker stack of the program before RedisStack is taken over in place", function () {
    this.timeout(900000);
    const name = `upgrade${Date.now().toString(36)}`;
    const label = `${STACK_LABEL}=redis-stack-${name}`;
    const identities = () =>
        Object.fromEntries(labelled("ps", label).map((c) => [c, docker("inspect", "-f", "{{.Id}} {{.State.StartedAt}}", c)]));
    const volumes = () => labelled("volume", label).map((v) => `${v} ${docker("volume", "inspect", "-f", "{{.CreatedAt}}", v)}`);
    let previousState: { containers: Record<string, string>; volumes: string[]; nodeIds: string[] };
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
            previousState = { containers: identities(), volumes: volumes(), nodeIds: await nodeIds(stack) };
        },
    );
    after(() => {
        for (const c of labelled("ps", label)) docker("rm", "-f", c);
        for (const v of labelled("volume", label)) docker("volume", "rm", "-f", v);
        for (const n of labelled("network", label)) docker("network", "rm", n);
    });
    let stack: Stack;

    it("previews no replacement or deletion, and the up after it changes no container, volume or node id", async () => {
        assert.equal(
            Object.keys(previousState.containers).length,
            7,
            `the previous release made 7 containers: ${Object.keys(previousState.containers).join(", ")}`,
        );
        stack = await previous.takeOver();
        // The data guard and the stack's owner are new: they record where the data lives and the stack's owner id. The
        // objects the previous release made carry no owner id: recorded in this stack's state, they are its own.
        await upgradeInPlace(stack, ["pulumi-nodejs:dynamic/redis-stack:DataGuard", "pulumi-nodejs:dynamic/redis-stack:StackOwner"]);
        assert.deepEqual(identities(), previousState.containers, "every container kept its id and was not restarted");
        assert.deepEqual(volumes(), previousState.volumes);
        assert.deepEqual(await nodeIds(stack), previousState.nodeIds);
    });

    it("then previews no change at all", async () => noChangeAfter(stack));

    it("and destroy removes every container, volume and the network the previous release made (no owner id; its state records them)", async () => {
        assert.equal((await stack.destroy()).summary.result, "succeeded");
        assert.deepEqual([...labelled("ps", label), ...labelled("volume", label), ...labelled("network", label)], []);
    });
});
