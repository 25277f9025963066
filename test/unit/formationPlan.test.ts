// The formation planner against replies recorded from real Redis nodes (test/support/recordFormationFixtures.ts).
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { slotRangesOf } from "../../components/redis/clusterView";
import { FormationSpec } from "../../components/redis/formationTypes";
import { healthProblem } from "../../components/redis/health";
import { NodeReplies, Observation } from "../../components/redis/observation";
import { Step, describePlan, planSteps } from "../../components/redis/plan";
import { planSlots } from "../../components/topology/topology";

interface Recorded {
    readonly spec: FormationSpec;
    readonly observation: Observation;
}

function load(name: string): Recorded {
    return JSON.parse(readFileSync(join(__dirname, "fixtures", "formation", `${name}.json`), "utf8")) as Recorded;
}

const node = (i: number) => `rs-fx-plan-node-${i}`;

function ofKind<K extends Step["kind"]>(steps: readonly Step[], kind: K): Array<Extract<Step, { kind: K }>> {
    return steps.filter((s): s is Extract<Step, { kind: K }> => s.kind === kind);
}

/** The same recording with one node's replies changed. */
function withReplies(r: Recorded, name: string, change: (replies: NodeReplies) => NodeReplies): Recorded {
    return { ...r, observation: { nodes: r.observation.nodes.map((n) => (n.name === name ? { ...n, replies: change(n.replies!) } : n)) } };
}

function movedSlots(steps: readonly Step[]): number {
    return ofKind(steps, "move-slots").reduce((n, s) => n + s.slots.length, 0);
}

/** The failed-over 3x1 recording and the scale-out recording's fresh nodes 6 and 7, planned as 4x1 (optionally two nodes' planned places swapped). */
function failedOverScaleOut(swap?: readonly [number, number]): Recorded {
    const failedOver = load("failed-over-3x1");
    const scaleOut = load("scale-out-3x1-to-4x1");
    const nodes = scaleOut.spec.nodes.map((n, i) => {
        if (!swap || !swap.includes(i)) return n;
        const other = scaleOut.spec.nodes[swap[0] === i ? swap[1] : swap[0]];
        return { ...n, shard: other.shard, role: other.role };
    });
    return {
        spec: { ...scaleOut.spec, nodes },
        observation: { nodes: [...failedOver.observation.nodes, ...scaleOut.observation.nodes.slice(6)] },
    };
}

describe("formation planner (recorded replies)", () => {
    describe("fresh nodes", () => {
        const { spec, observation } = load("fresh-3x1");
        const { steps, layout } = planSteps(spec, observation);

        it("gives the masters exactly redis-cli's slot ranges", () => {
            assert.deepEqual(
                ofKind(steps, "add-slots").map((s) => [s.node, slotRangesOf(s.slots)]),
                [
                    [node(0), ["0-5460"]],
                    [node(1), ["5461-10922"]],
                    [node(2), ["10923-16383"]],
                ],
            );
            assert.equal(layout[5460], 0);
            assert.equal(layout[5461], 1);
            assert.equal(layout[16383], 2);
        });

        it("sets distinct config epochs, then meets each pair once, then waits for the handshakes", () => {
            assert.deepEqual(
                ofKind(steps, "set-epoch").map((s) => s.epoch),
                [1, 2, 3, 4, 5, 6],
            );
            const pairs = ofKind(steps, "meet").map((s) => [s.node, s.peer].sort().join("+"));
            assert.equal(pairs.length, 15);
            assert.equal(new Set(pairs).size, 15);
            const kinds = steps.map((s) => s.kind);
            assert.ok(kinds.lastIndexOf("set-epoch") < kinds.indexOf("meet"));
            assert.equal(kinds[kinds.lastIndexOf("meet") + 1], "await-meet");
        });

        it("shortens cluster-node-timeout after the handshakes, and makes the replicas follow their masters", () => {
            const [override] = ofKind(steps, "override-config");
            assert.equal(override.name, "cluster-node-timeout");
            assert.equal(override.value, "500");
            assert.equal(override.nodes.length, 6);
            assert.ok(steps.indexOf(override) > steps.findIndex((s) => s.kind === "await-meet"));
            assert.deepEqual(
                ofKind(steps, "replicate").map((s) => [s.node, s.master]),
                [
                    [node(3), node(0)],
                    [node(4), node(1)],
                    [node(5), node(2)],
                ],
            );
            assert.equal(movedSlots(steps), 0);
        });

        it("refuses a node that holds keys", () => {
            const dirty = withReplies(load("fresh-3x1"), node(4), (r) => ({ ...r, dbsize: 7 }));
            assert.throws(() => planSteps(dirty.spec, dirty.observation), /node rs-fx-plan-node-4 is not empty \(7 keys\)/);
        });

        it("refuses a node that is not cluster-enabled", () => {
            const plain = withReplies(load("fresh-3x1"), node(2), (r) => ({
                ...r,
                infoCluster: "# Cluster\r\ncluster_enabled:0\r\n",
                clusterNodes: undefined,
            }));
            assert.throws(
                () => planSteps(plain.spec, plain.observation),
                /node rs-fx-plan-node-2 at 127\.0\.0\.1:7502 is not cluster-enabled/,
            );
        });

        it("describes the plan in readable lines", () => {
            const lines = describePlan(steps);
            assert.ok(lines.includes(`${node(0)} takes free slots 0-5460`), lines.join("\n"));
            assert.ok(lines.includes(`${node(0)} meets ${[1, 2, 3, 4, 5].map(node).join(", ")}`), lines.join("\n"));
            assert.ok(lines.includes(`${node(3)} replicates ${node(0)}`));
        });
    });

    describe("a cluster formed as planned plans nothing", () => {
        for (const name of ["healthy-3x1", "healthy-4x1"]) {
            it(name, () => {
                const { spec, observation } = load(name);
                const plan = planSteps(spec, observation);
                assert.deepEqual(plan.steps, []);
                assert.equal(healthProblem(spec, observation, plan), undefined);
            });
        }

        it("a failed-over shard (node 3 leads shard 0, node 0 replicates it)", () => {
            const { spec, observation } = load("failed-over-3x1");
            const plan = planSteps(spec, observation);
            assert.deepEqual(plan.steps, []);
            assert.equal(healthProblem(spec, observation, plan), undefined);
        });
    });

    describe("membership", () => {
        it("refuses a node that knows a node of another cluster", () => {
            const foreign = withReplies(load("healthy-3x1"), node(1), (r) => ({
                ...r,
                clusterNodes: `${r.clusterNodes}0123456789abcdef0123456789abcdef01234567 10.9.9.9:7000@17000 master - 0 0 9 connected\n`,
            }));
            assert.throws(
                () => planSteps(foreign.spec, foreign.observation),
                /node rs-fx-plan-node-1 already belongs to another cluster: it knows node 0123456789abcdef0123456789abcdef01234567 at 10\.9\.9\.9:7000/,
            );
        });

        it("forgets a stale entry at one of our own addresses, and nothing else changes", () => {
            const { spec } = load("healthy-3x1");
            const address = `${spec.nodes[2].announceHost}:${spec.nodes[2].announcePort}`;
            const stale = withReplies(load("healthy-3x1"), node(1), (r) => ({
                ...r,
                clusterNodes: `${r.clusterNodes}0123456789abcdef0123456789abcdef01234567 ${address}@17502 master,fail - 0 0 9 disconnected\n`,
            }));
            const { steps } = planSteps(stale.spec, stale.observation);
            assert.deepEqual(
                steps.map((s) => s.kind),
                ["forget"],
            );
            assert.deepEqual(ofKind(steps, "forget")[0].on, [node(1)]);
        });

        it("a node known at an old address (the stack moved to another subnet) is met at its new one", () => {
            const { spec, observation } = load("new-address-3x1");
            const { steps } = planSteps(spec, observation);
            const meets = ofKind(steps, "meet");
            assert.equal(meets.length, 15, "each pair once");
            assert.deepEqual([...new Set(steps.map((s) => s.kind))], ["meet", "await-meet"]);
            assert.equal(ofKind(steps, "forget").length, 0, "the nodes keep their ids");
        });
    });

    describe("scaling", () => {
        it("3 -> 4 masters: a new node leads the new shard and takes only its share (4096 slots), ~1365 from each master", () => {
            const { spec, observation } = load("scale-out-3x1-to-4x1");
            const { steps, layout } = planSteps(spec, observation);
            const moves = ofKind(steps, "move-slots");
            assert.equal(movedSlots(steps), 4096);
            assert.deepEqual(
                moves.map((m) => [m.from, m.to, m.slots.length]),
                [
                    [node(0), node(6), 1365],
                    [node(1), node(6), 1366],
                    [node(2), node(6), 1365],
                ],
            );
            assert.equal(ofKind(steps, "add-slots").length, 0);
            // Every master/replica pair stays as it is (node 3 keeps following node 0): nothing is reset,
            // only the new node 7 replicates (node 6).
            assert.deepEqual(ofKind(steps, "reset"), []);
            assert.deepEqual(
                ofKind(steps, "replicate").map((s) => [s.node, s.master]),
                [[node(7), node(6)]],
            );
            for (let shard = 0; shard < 4; shard++) assert.equal(layout.filter((s) => s === shard).length, 4096);
            const kinds = steps.map((s) => s.kind);
            assert.ok(kinds.indexOf("await-ok") < kinds.indexOf("move-slots"), "moves wait for cluster_state:ok");
            const override = ofKind(steps, "override-config").find((s) => s.name === "cluster-allow-replica-migration");
            assert.ok(override && steps.indexOf(override) < kinds.indexOf("move-slots"));
        });

        it("3 -> 4 masters after a failover, also where index mod masters pairs the promoted node with another owner: 4096 slot moves, every pair kept", () => {
            // Recorded: the 3x1 cluster after node 3 took shard 0 over, plus the two fresh nodes of the
            // scale-out recording, planned as 4x1. With node 3's and node 5's planned places swapped, the
            // promoted node is planned into a shard that has an owner already (node 1's), as a failover in
            // shard 1 is under index mod masters: that pairing moved 8192 slots.
            for (const failedOver of [failedOverScaleOut(), failedOverScaleOut([3, 5])]) {
                const { spec, observation } = failedOver;
                const plan = planSteps(spec, observation);
                assert.equal(movedSlots(plan.steps), 4096, describePlan(plan.steps).join("\n"));
                assert.deepEqual(ofKind(plan.steps, "reset"), [], "no node leaves its master");
                assert.deepEqual(
                    ofKind(plan.steps, "replicate").map((s) => [s.node, s.master]),
                    [[node(7), node(6)]],
                );
                for (let shard = 0; shard < 4; shard++) assert.equal(plan.layout.filter((s) => s === shard).length, 4096);
            }
        });

        it("with pinShards (runtimes that place nodes by shard), 3 -> 4 masters puts every node in its planned shard, healthy or failed over", () => {
            const healthy = load("scale-out-3x1-to-4x1");
            for (const { spec, observation } of [healthy, failedOverScaleOut()]) {
                const pinned = { ...spec, pinShards: true };
                const plan = planSteps(pinned, observation);
                for (const n of spec.nodes) assert.equal(plan.shards[n.name], n.shard, `${n.name} in its planned shard`);
                for (let shard = 0; shard < 4; shard++) assert.equal(plan.layout.filter((s) => s === shard).length, 4096);
            }
            // Healthy, the pinned plan still moves only the new master's share.
            assert.equal(movedSlots(planSteps({ ...healthy.spec, pinShards: true }, healthy.observation).steps), 4096);
        });

        it("4 -> 3 masters: only the leaving master's 4096 slots move, back to redis-cli's layout, then nodes 6 and 7 retire", () => {
            const { spec, observation } = load("scale-in-4x1-to-3x1");
            const { steps, layout } = planSteps(spec, observation);
            assert.equal(movedSlots(steps), 4096);
            assert.ok(ofKind(steps, "move-slots").every((m) => m.from === node(3)));
            planSlots(3).forEach((r, shard) => {
                for (let slot = r.start; slot <= r.end; slot++) assert.equal(layout[slot], shard, `slot ${slot}`);
            });
            const kinds = steps.map((s) => s.kind);
            // Node 3 follows shard 0's master only once its slots are gone.
            const replicate3 = steps.findIndex((s) => s.kind === "replicate" && s.node === node(3));
            assert.ok(replicate3 > kinds.lastIndexOf("move-slots"));
            assert.deepEqual(
                ofKind(steps, "retire").map((s) => s.node),
                [node(6), node(7)],
            );
            assert.ok(kinds.indexOf("retire") > replicate3);
            const forgets = ofKind(steps, "forget");
            assert.equal(forgets.length, 2);
            assert.ok(forgets.every((f) => f.retired && f.on.length === 6));
        });

        it("1 -> 2 replicas: the new nodes meet the cluster and replicate, no slot moves", () => {
            const { spec, observation } = load("replicas-1-to-2");
            const { steps } = planSteps(spec, observation);
            assert.equal(movedSlots(steps), 0);
            assert.equal(ofKind(steps, "add-slots").length, 0);
            assert.deepEqual(
                ofKind(steps, "replicate").map((s) => [s.node, s.master]),
                [
                    [node(6), node(0)],
                    [node(7), node(1)],
                    [node(8), node(2)],
                ],
            );
            const meets = ofKind(steps, "meet");
            assert.ok(meets.every((m) => [6, 7, 8].map(node).includes(m.peer) || [6, 7, 8].map(node).includes(m.node)));
            assert.equal(meets.length, 6 * 3 + 3, "each new node meets every node once");
            assert.deepEqual(
                ofKind(steps, "set-epoch").map((s) => s.node),
                [6, 7, 8].map(node),
            );
        });
    });

    describe("leaving nodes", () => {
        it("a leaving master whose replica stays hands its shard over by CLUSTER FAILOVER, moving no slot", () => {
            // Node 3 leads shard 0 after a failover, and leaves; node 0 replicates it and stays.
            const { spec, observation } = load("failed-over-3x1");
            const leaving = spec.nodes[3];
            const { steps, layout } = planSteps(
                { ...spec, nodes: spec.nodes.filter((n) => n !== leaving), retiring: [leaving] },
                observation,
            );
            assert.equal(movedSlots(steps), 0);
            assert.deepEqual(
                ofKind(steps, "failover").map((s) => [s.node, s.from]),
                [[node(0), node(3)]],
            );
            const kinds = steps.map((s) => s.kind);
            assert.ok(kinds.indexOf("await-ok") < kinds.indexOf("failover"));
            assert.ok(kinds.indexOf("failover") < kinds.indexOf("retire"));
            assert.deepEqual(
                ofKind(steps, "retire").map((s) => s.node),
                [node(3)],
            );
            assert.equal(layout[0], 0);
        });
    });

    describe("previewing before the nodes exist", () => {
        it("plans nodes that do not answer as fresh ones: redis-cli's layout, every pair met, replicas following", () => {
            const { spec } = load("fresh-3x1");
            const { steps } = planSteps(spec, { nodes: spec.nodes.map((n) => ({ name: n.name, problem: "not created yet" })) });
            assert.deepEqual(
                ofKind(steps, "add-slots").map((s) => slotRangesOf(s.slots)),
                [["0-5460"], ["5461-10922"], ["10923-16383"]],
            );
            assert.equal(ofKind(steps, "meet").length, 15);
            assert.equal(ofKind(steps, "replicate").length, 3);
            assert.ok(describePlan(steps).length > 0);
        });
    });

    describe("open slots", () => {
        it("a half-moved slot is finished as redis-cli --cluster fix does, then moved back to keep the layout", () => {
            const { spec, observation } = load("half-moved-slot");
            const { steps, layout } = planSteps(spec, observation);
            const [close] = ofKind(steps, "close-slot");
            assert.deepEqual(close, { kind: "close-slot", slot: 15495, action: { kind: "finish", from: node(2), to: node(0) } });
            assert.deepEqual(
                ofKind(steps, "move-slots").map((m) => [m.from, m.to, m.slots]),
                [[node(0), node(2), [15495]]],
            );
            assert.equal(layout[15495], 2);
            assert.ok(steps.indexOf(close) > steps.findIndex((s) => s.kind === "await-ok"));
        });

        it("a slot left MIGRATING on its owner with nobody importing and no key elsewhere is marked stable", () => {
            const recorded = load("half-moved-slot");
            const noImporter = withReplies(recorded, node(0), (r) => ({
                ...r,
                clusterNodes: r.clusterNodes!.replace(/ \[15495-<-[0-9a-f]+\]/, ""),
                keysInSlots: { 15495: 0 },
            }));
            const { steps } = planSteps(noImporter.spec, noImporter.observation);
            assert.deepEqual(
                ofKind(steps, "close-slot").map((s) => s.action),
                [{ kind: "stable", nodes: [node(2)] }],
            );
            assert.equal(movedSlots(steps), 0);
        });

        it("a master holding keys of a slot it does not own counts as importing it (redis-cli's rule): the move is finished", () => {
            const recorded = load("half-moved-slot");
            const unmarked = withReplies(recorded, node(0), (r) => ({
                ...r,
                clusterNodes: r.clusterNodes!.replace(/ \[15495-<-[0-9a-f]+\]/, ""),
            }));
            const { steps } = planSteps(unmarked.spec, unmarked.observation);
            assert.deepEqual(
                ofKind(steps, "close-slot").map((s) => s.action),
                [{ kind: "finish", from: node(2), to: node(0) }],
            );
        });
    });
});
