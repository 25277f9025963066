// What the engine runtime's container provider asks Pulumi to do for each kind of change.
import { strict as assert } from "assert";
import { engineContainerProvider } from "../../components/runtime/engine/container";
import { containerCreateBody } from "../../components/runtime/containerSpec";
import { buildTopology } from "../../components/topology";
import { parseSettings } from "../../components/config";

const topology = buildTopology(parseSettings({}), "redis-stack-unit");
const node = topology.clusterNodes[0];
const body = (image: string) => containerCreateBody(node, { image, network: topology.network });
const member = { reachableAt: {} };
const endpoint = { name: node.name, ...node.hostAddress };
const state = { body: body("redis:7.2"), password: "pw", endpoint, dependsOnIds: ["vol", "net"], clusterMember: member, containerId: "c1", running: true };
const diff = (news: object) => engineContainerProvider.diff!("c1", state, { ...state, ...news });

describe("engine container provider diff", () => {
    it("reports nothing when nothing changed", async () => {
        assert.equal((await diff({})).changes, false);
    });

    it("updates in place (no Pulumi replacement) when the image or the Redis settings change", async () => {
        const result = await diff({ body: body("redis:7.4") });
        assert.equal(result.changes, true);
        assert.deepEqual(result.replaces, []);
    });

    it("replaces when the volume or the network is new", async () => {
        assert.deepEqual((await diff({ dependsOnIds: ["vol2", "net"] })).replaces, ["dependsOnIds"]);
    });

    it("restarts a container found stopped", async () => {
        assert.equal((await engineContainerProvider.diff!("c1", { ...state, running: false }, state)).changes, true);
    });

    it("changes a cluster node's password in place (no replacement)", async () => {
        const result = await diff({ password: "new-secret-value" });
        assert.equal(result.changes, true);
        assert.deepEqual(result.replaces, []);
    });

    it("refuses a password change together with an image change on a cluster node, without showing either password", async () => {
        await assert.rejects(diff({ password: "new-secret-value", body: body("redis:7.4") }), (err: Error) => {
            assert.match(err.message, /redis-stack:password cannot change in the same update as the image or Redis settings/);
            assert.ok(!err.message.includes("new-secret-value") && !err.message.includes("pw"));
            return true;
        });
    });

    it("recreates the standalone node in place when its password changes", async () => {
        const result = await engineContainerProvider.diff!("c1", { ...state, clusterMember: undefined }, { ...state, clusterMember: undefined, password: "other" });
        assert.equal(result.changes, true);
        assert.deepEqual(result.replaces, []);
    });
});
