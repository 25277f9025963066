// A node that answers LOADING in the middle of a formation: a replica that learns a new master (or
// its master's new address) does a full resync and reloads the dataset, refusing CLUSTER NODES and
// CLUSTER INFO meanwhile. Seen in CI after a subnet move; formation has to wait it out, not fail.
import { strict as assert } from "assert";
import { Cluster } from "ioredis";
import { applyPlan } from "../../components/redis/apply";
import { formCluster } from "../../components/redis/form";
import { Connected, connectAll, disconnectAll } from "../../components/redis/observe";
import { isMaster, myself, parseClusterNodes } from "../../components/redis/clusterView";
import { messageOf } from "../../components/common/errorMessage";
import { natMap } from "../../components/runtime/dockerPlacement";
import { Deadline } from "../../components/common/wait";
import { Fixture, placedFormationNodes } from "../support/fixture";

const KEYS = 20000;
// Microseconds per key while loading (a hidden Redis setting its own tests use): a master's third of
// 20,000 keys takes seconds.
const KEY_LOAD_DELAY_US = "1000";

describe("end to end: formation waits for a node that answers LOADING", function () {
    const fixture = new Fixture("rs-e2e-loading", { basePort: "7640", standalonePort: "6645", subnet: "172.30.132.0/24" });
    const spec = () => ({ nodes: placedFormationNodes(fixture.topology), slotPlan: fixture.topology.slotPlan });
    let connected: Connected[] = [];

    before(async function () {
        await fixture.destroy();
        await fixture.start({ standalone: false });
        await formCluster(spec());
        const cluster = new Cluster(
            fixture.topology.clusterNodes.map((n) => ({ host: n.hostAddress.host, port: n.hostAddress.port })),
            { enableAutoPipelining: true, natMap: natMap(fixture.topology.clusterNodes) },
        );
        try {
            for (let from = 0; from < KEYS; from += 1000) {
                await Promise.all(Array.from({ length: 1000 }, (_, i) => cluster.set(`loading:${from + i}`, "x".repeat(32))));
            }
        } finally {
            cluster.disconnect();
        }
        connected = await connectAll(spec().nodes, undefined);
    });
    after(async () => {
        disconnectAll(connected);
        await fixture.destroy();
    });

    it("a replica reloading after a full resync answers LOADING; the plan's wait for gossip (CLUSTER NODES on every node) waits until it has loaded", async () => {
        const views = await Promise.all(
            connected.map(async (c) => myself(parseClusterNodes(String(await c.client.call("CLUSTER", "NODES"))))),
        );
        const replicaIndex = views.findIndex((v) => !isMaster(v));
        const replica = connected[replicaIndex];
        const otherMaster = views.find((v) => isMaster(v) && v.id !== views[replicaIndex].masterId);
        assert.ok(otherMaster, "a second master to replicate");

        // A new master means a full resync, which the replica loads slowly.
        // Answering clients every 1 KB loaded instead of every 2 MB: this small dataset is served LOADING replies throughout.
        await replica.client.call("CONFIG", "SET", "key-load-delay", KEY_LOAD_DELAY_US, "loading-process-events-interval-bytes", "1024");
        await replica.client.call("CLUSTER", "REPLICATE", otherMaster.id);
        let loadingSeen = "";
        const until = Date.now() + 30000;
        while (!loadingSeen && Date.now() < until) {
            loadingSeen = await replica.client.call("CLUSTER", "NODES").then(
                () => "",
                (err: unknown) => (/^LOADING/.test(messageOf(err)) ? messageOf(err) : ""),
            );
        }
        assert.match(loadingSeen, /^LOADING/, `${replica.node.name} answers LOADING while it reloads`);

        const ids = new Map(views.map((v, i) => [connected[i].node.name, v.id]));
        await applyPlan([{ kind: "await-meet" }], { nodes: connected, ids, deadline: new Deadline(60000), restores: [] });

        const info = String(await replica.client.call("INFO", "replication"));
        assert.match(info, /master_link_status:up/, "the wait returned once the replica had loaded and linked up");
        assert.equal(Number(await replica.client.dbsize()) > 0, true, "the replica holds its new master's keys");
    });
});
