// What the engine runtime's container provider asks Pulumi to do for each kind of change, and how its
// update then gets there (the pure decisions; the live-container check is in the integration tests).
import { strict as assert } from "assert";
import { ContainerInputs, ContainerOutputs, declaredDiff, recorded, updatePlan } from "../../components/runtime/engine/containerChanges";
import { containerCreateBody } from "../../components/runtime/containerSpec";
import { loadLifecycle } from "../../components/contracts/nodeLifecycle";
import { standaloneNodeLifecycle } from "../../components/redis/standaloneNodeLifecycle";
import { parseSettings } from "../../components/settings/config";
import { placedClusterLifecycle, placedStack } from "../support/placedStack";

const topology = placedStack(parseSettings({}), "redis-stack-unit");
const node = topology.clusterNodes[0];
const body = (image: string) => containerCreateBody(node, { image, network: topology.network });
const lifecycle = placedClusterLifecycle(topology);
const endpoint = { name: node.name, ...node.hostAddress };
const inputs: ContainerInputs = { body: body("redis:7.2"), password: "pw", endpoint, dependsOnIds: ["vol", "net"], lifecycle };
const standalone: ContainerInputs = { ...inputs, lifecycle: standaloneNodeLifecycle };
/** `news` over the inputs `old` was made from; `outs` over what the state recorded for `old`. */
const diff = (news: Partial<ContainerInputs>, old: ContainerInputs = inputs, outs: Partial<ContainerOutputs> = {}) => {
    const next = { ...old, ...news };
    return declaredDiff({ ...recorded(old, "c1"), ...outs }, next, next.lifecycle ? loadLifecycle(next.lifecycle) : undefined);
};
/** The same value with every object's keys in reverse order. */
const reversedKeys = (value: unknown): unknown =>
    value && typeof value === "object" && !Array.isArray(value)
        ? Object.fromEntries(
              Object.entries(value)
                  .reverse()
                  .map(([k, v]) => [k, reversedKeys(v)]),
          )
        : Array.isArray(value)
          ? value.map(reversedKeys)
          : value;
const plan = (news: Partial<ContainerInputs>, old: ContainerInputs = inputs, outs: Partial<ContainerOutputs> = {}) =>
    updatePlan({ ...recorded(old, "c1"), ...outs }, { ...old, ...news });

describe("engine container provider diff", () => {
    it("reports nothing when nothing changed, whatever order the engine hands the keys back in", () => {
        assert.deepEqual(diff({}), { changes: false, replace: false });
        assert.equal(diff({ body: reversedKeys(inputs.body) as ContainerInputs["body"] }).changes, false);
    });

    it("sees no change for an owner id alone (a container an earlier release made is not restarted for it)", () => {
        assert.deepEqual(diff({ owner: { stackLabel: "redis-stack-unit", ownerId: "0b5e" } }), { changes: false, replace: false });
    });

    it("recreates the container in place (no Pulumi replacement) with the node's lifecycle when the image or the Redis settings change", () => {
        assert.deepEqual(diff({ body: body("redis:7.4") }), { changes: true, replace: false });
        assert.equal(plan({ body: body("redis:7.4") }), "recreate with lifecycle");
    });

    it("changes passed-through Redis settings and limits on the running container (no replacement, no restart decided up front)", () => {
        const tuned = { ...inputs, redisConfig: { maxmemory: "64mb" }, limits: { memoryBytes: 2 ** 28 } };
        assert.deepEqual(diff({ redisConfig: { maxmemory: "128mb" } }, tuned), { changes: true, replace: false });
        assert.equal(plan({ redisConfig: { maxmemory: "128mb" } }, tuned), "change in place");
        assert.deepEqual(diff({ limits: { memoryBytes: 2 ** 29 } }, tuned), { changes: true, replace: false });
        assert.equal(plan({ limits: { memoryBytes: 2 ** 29 } }, tuned), "change in place");
        // State from before these properties existed has none: the same as none declared.
        assert.deepEqual(diff({ redisConfig: {}, limits: {} }), { changes: false, replace: false });
        // Without a lifecycle to CONFIG SET, new settings mean a new container; limits still change in place.
        const plain = { ...tuned, lifecycle: undefined };
        assert.equal(plan({ redisConfig: { maxmemory: "128mb" } }, plain), "recreate");
        assert.equal(plan({ limits: { nanoCpus: 1e9 } }, plain), "change in place");
    });

    it("refuses a password change together with a settings change on a cluster node (a restart it may need would lose the old password)", () => {
        const tuned = { ...inputs, redisConfig: { maxmemory: "64mb" } };
        assert.throws(
            () => diff({ password: "new-secret-value", redisConfig: { maxmemory: "128mb" } }, tuned),
            /cannot change in the same update/,
        );
    });

    it("replaces when the volume or the network is new", () => {
        assert.deepEqual(diff({ dependsOnIds: ["vol2", "net"] }), { changes: true, replace: true });
    });

    it("brings back a container that refresh found stopped, as it was", () => {
        assert.equal(diff({}, inputs, { running: false }).changes, true);
        assert.equal(plan({}, inputs, { running: false }), "bring back");
    });

    it("changes a cluster node's password in place (no replacement, no restart)", () => {
        assert.deepEqual(diff({ password: "new-secret-value" }), { changes: true, replace: false });
        assert.equal(plan({ password: "new-secret-value" }), "change in place");
    });

    it("refuses a password change together with an image change on a cluster node, without showing either password", () => {
        assert.throws(
            () => diff({ password: "new-secret-value", body: body("redis:7.4") }),
            (err: Error) => {
                assert.match(err.message, /redis-stack:password cannot change in the same update as the image or Redis settings/);
                assert.ok(!err.message.includes("new-secret-value") && !err.message.includes("pw"));
                return true;
            },
        );
    });

    it("in a preview whose body is not known yet (its network is changing), a password change is not refused", () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9" as unknown as ContainerInputs["body"];
        assert.deepEqual(diff({ password: "new-secret-value", body: unknown }), { changes: true, replace: false });
    });

    it("changes the standalone node's password in place too (no replacement, no restart), and allows it with an image change", () => {
        assert.deepEqual(diff({ password: "other" }, standalone), { changes: true, replace: false });
        assert.equal(plan({ password: "other" }, standalone), "change in place");
        assert.equal(plan({ password: "other", body: body("redis:7.4") }, standalone), "recreate with lifecycle");
    });

    it("adds, changes or removes ACL users in place (no replacement, no restart), and so with a new password too", () => {
        const users = [{ name: "app", rules: ["~app:*", "+@read"] }];
        const withUsers: ContainerInputs = { ...inputs, users, userPasswordHashes: { app: "a".repeat(64) } };
        assert.deepEqual(diff({ users, userPasswordHashes: { app: "a".repeat(64) } }), { changes: true, replace: false });
        assert.equal(plan({ users, userPasswordHashes: { app: "a".repeat(64) } }), "change in place");
        assert.equal(plan({ users: [{ name: "app", rules: ["~app:*"] }] }, withUsers), "change in place");
        assert.equal(plan({ users: [], userPasswordHashes: {} }, withUsers), "change in place");
        assert.equal(plan({ users: [], userPasswordHashes: {}, password: "other" }, withUsers), "change in place");
        assert.equal(plan({ users: [], userPasswordHashes: {} }, { ...withUsers, lifecycle: undefined }), "recreate");
    });

    it("sees no change for state recorded before ACL users (no users property) and none declared", () => {
        // `inputs` declares no users, so what the state recorded for it has no users property.
        assert.equal("users" in recorded(inputs, "c1"), false);
        assert.deepEqual(diff({ users: [], userPasswordHashes: {} }), { changes: false, replace: false });
    });

    it("in a preview that creates a user (its hash unknown yet), reports a change", () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9" as unknown as Record<string, string>;
        assert.deepEqual(diff({ users: [{ name: "app", rules: ["+get"] }], userPasswordHashes: unknown }), {
            changes: true,
            replace: false,
        });
    });

    it("restarts a node without a lifecycle to take a new password (a plain container)", () => {
        assert.equal(plan({ password: "other", lifecycle: undefined }, { ...inputs, lifecycle: undefined }), "recreate");
    });

    it("a container recorded before node lifecycles (a natMap per node) updates without a restart", () => {
        const { lifecycle: _, ...rest } = recorded(inputs, "c1");
        const older = {
            ...rest,
            clusterMember: { reachableAt: { "172.30.57.1:7000": { host: "127.0.0.1", port: 7000 } } },
        } as unknown as ContainerOutputs;
        assert.equal(declaredDiff(older, inputs, loadLifecycle(lifecycle)).changes, true);
        assert.equal(updatePlan(older, inputs), "bring back");
    });

    it("records the create body once: the outputs hold its digest and the container's name, not the body", () => {
        const outs = recorded(inputs, "c1");
        assert.equal(outs.body, undefined);
        assert.equal(outs.name, node.name);
        assert.match(outs.bodyDigest, /^[0-9a-f]{64}$/);
        assert.ok(JSON.stringify(outs).length < JSON.stringify(inputs).length / 2, JSON.stringify(outs));
    });

    it("a container recorded with its whole body (before digests) has no change for the same body, and is recreated for a new image", () => {
        const older = { ...inputs, containerId: "c1", running: true } as ContainerOutputs;
        assert.deepEqual(declaredDiff(older, inputs, loadLifecycle(lifecycle)), { changes: false, replace: false });
        assert.deepEqual(declaredDiff(older, { ...inputs, body: body("redis:7.4") }, loadLifecycle(lifecycle)), {
            changes: true,
            replace: false,
        });
        assert.equal(updatePlan(older, { ...inputs, body: body("redis:7.4") }), "recreate with lifecycle");
    });
});
