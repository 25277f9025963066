// How slot moves go faster without going wrong (components/redis/migrate.ts, moveProgress.ts, apply.ts): batches
// sized by how long MIGRATE takes, pairs that can move together moving at once, and the progress said meanwhile.
import { strict as assert } from "assert";
import type { Redis as RedisClient } from "ioredis";
import { applyPlan } from "../../components/redis/apply";
import { FIRST_BATCH_KEYS, MAX_BATCH_KEYS, movesTogether, nextBatchKeys } from "../../components/redis/migrate";
import { MoveProgress, REPORT_MS } from "../../components/redis/moveProgress";
import { DEFAULT_TIMEOUTS } from "../../components/common/timeouts";
import { Deadline } from "../../components/common/wait";
import type { Step } from "../../components/redis/planSteps";
import { FakeClock } from "../support/fakeClock";
import { loopbackMaster } from "../support/formationNodes";

describe("slot moves: batch size from MIGRATE's time", () => {
    it("doubles while MIGRATE is quick, up to the most", () => {
        assert.equal(nextBatchKeys(FIRST_BATCH_KEYS, 5), 2 * FIRST_BATCH_KEYS);
        let batch = FIRST_BATCH_KEYS;
        for (let i = 0; i < 20; i++) batch = nextBatchKeys(batch, 1);
        assert.equal(batch, MAX_BATCH_KEYS);
    });

    it("halves when MIGRATE is slow (big values keep the source paused), never below the first size; in between it stays", () => {
        assert.equal(nextBatchKeys(800, 500), 400);
        assert.equal(nextBatchKeys(FIRST_BATCH_KEYS, 5000), FIRST_BATCH_KEYS);
        assert.equal(nextBatchKeys(400, 100), 400);
    });
});

describe("slot moves: which pairs move at once", () => {
    it("sources moving to one new master (scale-out) go together, as does a leaving master moving to the others (scale-in)", () => {
        assert.ok(
            movesTogether(
                [
                    { from: "node-0", to: "node-3" },
                    { from: "node-1", to: "node-3" },
                ],
                { from: "node-2", to: "node-3" },
            ),
        );
        assert.ok(movesTogether([{ from: "node-3", to: "node-0" }], { from: "node-3", to: "node-1" }));
    });

    it("a node that is a source in one and a target in the other waits (its stale claims could outrank the target)", () => {
        assert.ok(!movesTogether([{ from: "node-0", to: "node-1" }], { from: "node-1", to: "node-2" }));
        assert.ok(!movesTogether([{ from: "node-0", to: "node-1" }], { from: "node-2", to: "node-0" }));
    });
});

describe("slot moves: progress said while keys move", () => {
    it("nothing before REPORT_MS, then at most one line per REPORT_MS, and a summary with keys a second", async () => {
        const clock = new FakeClock();
        const said: string[] = [];
        const progress = new MoveProgress(4096, clock, (line) => said.push(line));
        progress.start();
        progress.onMoved(100);
        progress.onSlotMoved();
        assert.deepEqual(said, [], "a short move says nothing until its summary");
        await clock.advance(REPORT_MS);
        progress.onMoved(100);
        progress.onMoved(100);
        assert.deepEqual(said, ["moving slots: 1 of 4,096 handed over, 200 keys moved, 100 keys/s"]);
        await clock.advance(REPORT_MS);
        progress.onSlotMoved();
        assert.equal(said.length, 2);
        assert.equal(said[1], "moving slots: 2 of 4,096 handed over, 300 keys moved, 75 keys/s");
        assert.equal(progress.summary(), "moved 2 slots with 300 keys in 4.0 s (75 keys/s)");
    });
});

/** A master for applyPlan: GETKEYSINSLOT lists `keysPerSlot` keys once per slot, MIGRATE takes `migrateMs` on the clock. */
class TimedNode {
    private readonly emptied = new Set<string>();
    migrating = 0;
    mostAtOnce = 0;

    constructor(
        private readonly clock: FakeClock,
        private readonly migrateMs: number,
        private readonly keysPerSlot = 10,
        private readonly shared?: { inFlight: number; most: number },
    ) {}

    async call(...args: string[]): Promise<unknown> {
        const [command, sub] = args;
        if (command === "CLUSTER" && sub === "GETKEYSINSLOT") {
            if (this.emptied.has(args[2])) return [];
            return Array.from({ length: this.keysPerSlot }, (_, i) => `key:${args[2]}:${i}`);
        }
        if (command === "MIGRATE") {
            const slot = /^key:(\d+):/.exec(args[args.indexOf("KEYS") + 1])![1];
            if (this.shared) this.shared.most = Math.max(this.shared.most, ++this.shared.inFlight);
            await this.clock.sleep(this.migrateMs);
            if (this.shared) this.shared.inFlight--;
            this.emptied.add(slot);
            return "OK";
        }
        return "OK";
    }
}

describe("slot moves: a scale-out's sources move at once (applyPlan)", () => {
    async function run(steps: Step[]) {
        const clock = new FakeClock();
        const shared = { inFlight: 0, most: 0 };
        const names = ["node-0", "node-1", "node-2", "node-3"];
        // One MIGRATE at a time per source, as Redis runs them; 1 s each.
        const nodes = names.map((name, i) => ({
            node: loopbackMaster(name, 7000 + i),
            client: new TimedNode(clock, 1000, 10, shared) as unknown as RedisClient,
        }));
        const said: string[] = [];
        const stepsSaid: string[] = [];
        await clock.run(
            applyPlan(steps, {
                onStep: (line) => stepsSaid.push(line),
                nodes,
                ids: new Map(names.map((n) => [n, `${n}-id`])),
                deadline: new Deadline(DEFAULT_TIMEOUTS.formationMs, clock),
                restores: [],
                report: (line) => said.push(line),
            }),
        );
        return { ms: clock.now(), most: shared.most, said, stepsSaid };
    }

    it("three sources to one new master: the three pairs' slots in flight together, and the summary said once", async () => {
        const steps: Step[] = ["node-0", "node-1", "node-2"].map((from, i) => ({
            kind: "move-slots",
            from,
            to: "node-3",
            slots: [i * 10, i * 10 + 1],
            others: [],
        }));
        const { ms, most, said, stepsSaid } = await run(steps);
        assert.equal(most, 6, "every slot of every pair in flight at once");
        assert.deepEqual(stepsSaid, ["moved 6 slots with 60 keys"], "the keys every worker moved, counted once each");
        assert.ok(ms < 2000, `took ${ms} ms on the fake clock: the pairs did not wait for each other`);
        assert.deepEqual(said, ["moved 6 slots with 60 keys in 1.0 s (60 keys/s)"]);
    });

    it("a chain (node-0 -> node-1, then node-1 -> node-2) goes one pair after the other", async () => {
        const steps: Step[] = [
            { kind: "move-slots", from: "node-0", to: "node-1", slots: [1], others: [] },
            { kind: "move-slots", from: "node-1", to: "node-2", slots: [2], others: [] },
        ];
        const { ms, most } = await run(steps);
        assert.equal(most, 1);
        assert.ok(ms >= 2000, `took ${ms} ms: the second pair waited for the first`);
    });
});
