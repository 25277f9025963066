// Taking one node out and back, as the engine runtime does for each node of a rolling replacement.
import { strict as assert } from "assert";
import { formCluster, inspectCluster } from "../../components/redis/form";
import { awaitReturn, departureCost, prepareDeparture } from "../../components/redis/handover";
import { removeContainer, stopContainer } from "../../components/runtime/dockerEngine";
import { type DockerNode, natMap } from "../../components/runtime/dockerPlacement";
import { Fixture, placedFormationNodes } from "../support/fixture";

const PASSWORD = "handover-Secret-7";

describe("handing a node over and taking it back (real containers)", function () {
    const fixture = new Fixture("rs-it-handover", { basePort: "7800", standalonePort: "6989", subnet: "172.30.108.0/24" }, PASSWORD);
    const [master0, , , replica0] = fixture.topology.clusterNodes;
    const spec = () => ({ nodes: placedFormationNodes(fixture.topology), slotPlan: fixture.topology.slotPlan, password: PASSWORD });
    const target = (node: DockerNode) => ({
        node: { name: node.name, ...node.hostAddress },
        password: PASSWORD,
        reachableAt: natMap(fixture.topology.clusterNodes),
    });
    const recreate = async (node: DockerNode) => {
        await stopContainer(fixture.docker, node.name, 10);
        await removeContainer(fixture.docker, node.name);
        await fixture.startNode(node);
    };

    before(async () => {
        await fixture.destroy();
        await fixture.start({ standalone: false });
    });
    after(() => fixture.destroy());

    it("a node of a cluster not formed yet (an up that failed midway) comes back without waiting for cluster_state:ok", async () => {
        const departure = await prepareDeparture(target(master0), 30000);
        assert.equal(departure?.clusterWasOk, false);
        assert.equal(departure?.failedOverTo, undefined);
        await recreate(master0);
        await awaitReturn(target(master0), departure, 30000);
    });

    it("a master fails over to its replica first, and comes back as that replica's replica with the same node id", async () => {
        await formCluster(spec());
        assert.equal(await departureCost(target(master0)), 1, "a master costs a failover");
        assert.equal(await departureCost(target(replica0)), 0);
        const departure = await prepareDeparture(target(master0), 30000);
        assert.equal(departure?.failedOverTo, `${replica0.announceHost}:${replica0.clientPort}`);
        assert.equal(departure?.clusterWasOk, true);
        await recreate(master0);
        await awaitReturn(target(master0), departure, 60000);
        const seen = await inspectCluster(spec());
        assert.equal(seen.healthy, true, seen.problem);
        const byName = Object.fromEntries(seen.nodes.map((n) => [n.name, n]));
        assert.equal(byName[master0.name].id, departure.nodeId);
        assert.equal(byName[master0.name].role, "replica");
        assert.equal(byName[master0.name].replicaOf, replica0.name);
        assert.deepEqual(byName[replica0.name].slots, ["0-5460"]);
    });
});
