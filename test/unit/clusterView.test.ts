import { linkFields, peerViewOf } from "../../components/redis/busLinks";
import { strict as assert } from "assert";
import { isPending, myself, parseClusterNodes, parseInfo, slotRangesOf } from "../../components/redis/clusterView";

const NODES = [
    "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 172.30.57.1:7000@17000 myself,master - 0 0 1 connected 0-5460",
    "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 172.30.57.1:7003@17003,host.example slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238316232 1 connected",
    "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 172.30.57.1:7001@17001 master - 0 1426238318243 2 connected 5461-10921 10922 [10922->-abc] [10923-<-def]",
    "824fe116063bc5fcf9f4ffd895bc17aee7731ac3 :0@0 handshake,noaddr - 0 0 0 disconnected",
    "",
].join("\n");

describe("cluster view parsing", () => {
    const view = parseClusterNodes(NODES);

    it("reads ids, addresses without bus port or hostname, flags and masters", () => {
        assert.equal(view.length, 4);
        assert.equal(view[1].address, "172.30.57.1:7003");
        assert.equal(view[1].masterId, view[0].id);
        assert.equal(view[0].masterId, undefined);
        assert.equal(myself(view).id, "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca");
        assert.equal(view[0].configEpoch, 1);
    });

    it("reads open slots: [slot->-id] as migrating, [slot-<-id] as importing, neither as owned", () => {
        assert.deepEqual(view[2].migrating, [{ slot: 10922, peer: "abc" }]);
        assert.deepEqual(view[2].importing, [{ slot: 10923, peer: "def" }]);
        assert.deepEqual(view[0].migrating, []);
        assert.ok(!view[2].slots.includes(10923));
    });

    it("expands slot ranges and single slots", () => {
        assert.equal(view[0].slots.length, 5461);
        assert.equal(view[2].slots.length, 5462);
        assert.deepEqual(slotRangesOf(view[2].slots), ["5461-10922"]);
        assert.deepEqual(slotRangesOf([5, 1, 2, 3, 9]), ["1-3", "5", "9"]);
    });

    it("marks handshakes and unknown addresses as pending", () => {
        assert.equal(isPending(view[3]), true);
        assert.equal(isPending(view[2]), false);
        assert.equal(view[3].connected, false);
    });

    it("parses INFO fields and skips section headers", () => {
        assert.deepEqual(parseInfo("# Cluster\r\ncluster_state:ok\r\ncluster_slots_assigned:16384\r\n"), {
            cluster_state: "ok",
            cluster_slots_assigned: "16384",
        });
    });
});

describe("a peer's view of a restarted node (busLinks)", () => {
    const nodes = [
        "07c37dfeb235213a872192d90877d0cd55635b91 10.213.128.10:7000@17000 myself,master - 0 0 1 connected 0-5460",
        "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 10.213.128.14:7004@17004,node-4 slave 07c37dfeb235213a872192d90877d0cd55635b91 1732640000000 1732640001234 1 connected",
    ].join("\n");

    it("reads the node's announced bus port and when the peer last had a PONG from it", () => {
        assert.deepEqual(peerViewOf(nodes, "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca"), { busPort: 17004, pongReceivedMs: 1732640001234 });
        assert.equal(peerViewOf(nodes, "ffffffffffffffffffffffffffffffffffffffff"), undefined);
    });

    it("reads a CLUSTER LINKS entry's direction, node and creation time", () => {
        const entry = ["direction", "to", "node", "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca", "create-time", 1732640000123, "events", "r"];
        assert.deepEqual(linkFields(entry), {
            direction: "to",
            node: "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca",
            "create-time": "1732640000123",
            events: "r",
        });
    });
});
