// Moving a slot's keys is bounded by progress, not by its length (components/redis/migrate.ts): a move
// that keeps moving keys goes on however long it takes, one where no key moved for moveStallMs fails,
// naming the slot and both nodes. On a fake clock and fake nodes that answer the commands a move sends.
import { strict as assert } from "assert";
import type { Redis as RedisClient } from "ioredis";
import { applyPlan } from "../../components/redis/apply";
import { LANES, SlotHolder, moveSlots } from "../../components/redis/migrate";
import { DEFAULT_TIMEOUTS } from "../../components/common/timeouts";
import { Deadline } from "../../components/common/wait";
import { FakeClock } from "../support/fakeClock";
import { loopbackMaster } from "../support/formationNodes";

const SLOT = 7;

/** A master that holds one slot's keys; MIGRATE takes `batchMs` and, after `movesUntil` keys, moves nothing any more. */
class FakeNode {
    readonly commands: string[][] = [];
    /** The slot's keys are key:0 .. key:<held - 1>; the first `gone` of them have left. */
    held = 0;
    gone = 0;
    received = 0;
    /** What CLUSTER INFO reports, asked at each look. */
    clusterState: () => string = () => "ok";

    constructor(
        readonly name: string,
        private readonly clock: FakeClock,
        private readonly batchMs = 1000,
        private readonly movesUntil = Infinity,
        private readonly peer?: FakeNode,
    ) {}

    get keysLeft(): number {
        return this.held - this.gone;
    }

    async call(...args: string[]): Promise<unknown> {
        const [command, sub] = args;
        if (command !== "MIGRATE") this.commands.push(args);
        if (command === "CLUSTER" && sub === "GETKEYSINSLOT") {
            const count = Math.min(Number(args[3]), this.keysLeft);
            return Array.from({ length: count }, (_, i) => `key:{${SLOT}}:${this.gone + i}`);
        }
        if (command === "CLUSTER" && sub === "SETSLOT") return "OK";
        if (command === "CLUSTER" && sub === "INFO") return `cluster_state:${this.clusterState()}\r\n`;
        if (command === "MIGRATE") {
            await this.clock.sleep(this.batchMs);
            const keys = args.slice(args.indexOf("KEYS") + 1);
            if (this.peer!.received >= this.movesUntil) return "NOKEY";
            this.gone += keys.length;
            this.peer!.received += keys.length;
            return "OK";
        }
        throw new Error(`unexpected ${args.join(" ")}`);
    }

    holder(): SlotHolder {
        return { name: this.name, client: this as unknown as RedisClient, id: `${this.name}-id`, host: "10.0.0.1", port: 7000 };
    }
}

function pair(clock: FakeClock, keys: number, movesUntil = Infinity) {
    const target = new FakeNode("node-b", clock);
    const source = new FakeNode("node-a", clock, 1000, movesUntil, target);
    source.held = keys;
    return { source, target, moves: [{ slot: SLOT, source: source.holder(), target: target.holder(), otherMasters: [] }] };
}

const setSlotNode = (node: FakeNode) => node.commands.filter((c) => c[1] === "SETSLOT" && c[3] === "NODE");

describe("moving slots: a bound about progress", () => {
    it("a move that keeps moving keys is not failed for its length, and keeps the formation's bound alive", async () => {
        const clock = new FakeClock();
        // 100,000 keys in batches of 100, one batch a second: 1,000 s, many times moveStallMs and formationMs.
        const { source, target, moves } = pair(clock, 100_000);
        const formation = new Deadline(DEFAULT_TIMEOUTS.formationMs, clock);
        const moved = await clock.run(moveSlots(moves, undefined, { clock, onProgress: () => formation.progressed() }));
        assert.equal(moved, 100_000);
        assert.equal(clock.now(), 1_000_000);
        assert.ok(clock.now() > 10 * DEFAULT_TIMEOUTS.moveStallMs);
        assert.equal(source.keysLeft, 0);
        assert.equal(target.received, 100_000);
        assert.equal(setSlotNode(target).length, 1, "the target took the slot at the end");
        assert.equal(formation.expired(), false, "every batch moved counted as the formation's progress");
    });

    it("a move where no key moved for moveStallMs fails, naming the slot and both nodes, and leaves the slot open", async () => {
        const clock = new FakeClock();
        const { source, target, moves } = pair(clock, 10_000, 500);
        await assert.rejects(clock.run(moveSlots(moves, undefined, { clock })), (err: Error) => {
            assert.equal(
                err.message,
                `moving slot ${SLOT}: no key moved from node-a to node-b for ${DEFAULT_TIMEOUTS.moveStallMs / 1000} s (node-a still lists 100 or more keys in it)`,
            );
            return true;
        });
        assert.equal(target.received, 500);
        // The last keys moved at 5 s (five batches of a second); it gave up moveStallMs after the look that saw them gone.
        const stalledFor = clock.now() - 5000;
        assert.ok(
            stalledFor >= DEFAULT_TIMEOUTS.moveStallMs && stalledFor < DEFAULT_TIMEOUTS.moveStallMs + 2000,
            `gave up ${stalledFor} ms after the last key moved`,
        );
        assert.deepEqual(setSlotNode(target), [], "the slot stays open (MIGRATING/IMPORTING) for the next formation to close");
        assert.deepEqual(setSlotNode(source), []);
    });

    it("follows the timeouts it is given", async () => {
        const clock = new FakeClock();
        const { moves } = pair(clock, 1000, 100);
        const timeouts = { ...DEFAULT_TIMEOUTS, moveStallMs: 5000 };
        await assert.rejects(clock.run(moveSlots(moves, undefined, { clock, timeouts })), /no key moved from node-a to node-b for 5 s/);
        assert.ok(clock.now() < 10_000, `gave up at ${clock.now()} ms`);
    });
});

describe("a formation's bound is about progress (apply.ts)", () => {
    /** A plan that moves slot 7 from node-a to node-b, then waits for cluster_state:ok, with the formation's bound. */
    async function movesThenAwaitsOk(clock: FakeClock, keys: number, clusterState: () => string) {
        const { source, target } = pair(clock, keys);
        target.clusterState = clusterState;
        const nodes = [
            { node: loopbackMaster("node-a", 7000), client: source as unknown as RedisClient },
            { node: loopbackMaster("node-b", 7001), client: target as unknown as RedisClient },
        ];
        const deadline = new Deadline(DEFAULT_TIMEOUTS.formationMs, clock);
        await applyPlan(
            [
                { kind: "move-slots", from: "node-a", to: "node-b", slots: [SLOT], others: [] },
                { kind: "await-ok", why: "the test" },
            ],
            {
                nodes,
                ids: new Map([
                    ["node-a", "node-a-id"],
                    ["node-b", "node-b-id"],
                ]),
                deadline,
                restores: [],
            },
        );
    }

    it("a migration many times longer than formationMs is not cut off, nor is the wait after it", async () => {
        const clock = new FakeClock();
        let asked = 0;
        // cluster_state:ok only at the fourth look: the wait after the move has its own formationMs to wait in.
        await clock.run(movesThenAwaitsOk(clock, 100_000, () => (++asked > 3 ? "ok" : "fail")));
        assert.equal(asked, 4);
        assert.ok(clock.now() > 5 * DEFAULT_TIMEOUTS.formationMs, `ran ${clock.now()} ms`);
    });

    it("fails once nothing moved for formationMs, counted from the last step done", async () => {
        const clock = new FakeClock();
        await assert.rejects(
            clock.run(movesThenAwaitsOk(clock, 100_000, () => "fail")),
            /^FormationError: timed out waiting for cluster_state:ok on every node: node node-b reports cluster_state:fail/,
        );
        // The move ended at 1,000 s; the wait gave up formationMs later.
        const waited = clock.now() - 1_000_000;
        assert.ok(waited >= DEFAULT_TIMEOUTS.formationMs && waited < DEFAULT_TIMEOUTS.formationMs + 1000, `gave up after ${waited} ms`);
    });
});

/**
 * A connection to a Valkey 8 master with a replica, as slot moves see it: it answers one command at a time, and
 * each CLUSTER SETSLOT only once the replica acknowledged it (`ackMs` on the fake clock). Holds no keys.
 */
class SerialConnection {
    readonly commands: string[][] = [];
    private queue: Promise<unknown> = Promise.resolve();

    constructor(
        private readonly clock: FakeClock,
        private readonly ackMs: number,
    ) {}

    call(...args: string[]): Promise<unknown> {
        const answer = this.queue.then(async () => {
            this.commands.push(args);
            if (args[1] === "GETKEYSINSLOT") return [];
            await this.clock.sleep(this.ackMs);
            return "OK";
        });
        this.queue = answer.catch(() => undefined);
        return answer;
    }
}

describe("moving slots on lanes (Valkey 8: SETSLOT answered once the replicas have it)", () => {
    const SLOTS = 64;
    const ACK_MS = 10;

    /** Moves SLOTS empty slots from node-a to node-b, telling node-c; with `lanes`, each worker on lanes of its own. */
    async function move(lanes: boolean) {
        const clock = new FakeClock();
        const main = {
            a: new SerialConnection(clock, ACK_MS),
            b: new SerialConnection(clock, ACK_MS),
            c: new SerialConnection(clock, ACK_MS),
        };
        const opened = new Map<string, SerialConnection>();
        const holder = (name: "a" | "b" | "c"): SlotHolder => ({
            name: `node-${name}`,
            client: main[name] as unknown as RedisClient,
            id: `node-${name}-id`,
            host: "10.0.0.1",
            port: 7000,
        });
        const moves = Array.from({ length: SLOTS }, (_, slot) => ({
            slot,
            source: holder("a"),
            target: holder("b"),
            otherMasters: [holder("c")],
        }));
        const lane = async (h: SlotHolder, index: number) => {
            const key = `${h.name}#${index}`;
            if (!opened.has(key)) opened.set(key, new SerialConnection(clock, ACK_MS));
            return opened.get(key) as unknown as RedisClient;
        };
        await clock.run(moveSlots(moves, undefined, { clock, ...(lanes ? { lane } : {}) }));
        return { tookMs: clock.now(), main, opened };
    }

    it("each worker sends its slots' commands on lanes of its own, LANES per node, and the move takes a fraction of one connection's time", async () => {
        const one = await move(false);
        const spread = await move(true);
        // On one connection the target's IMPORTING and NODE for every slot wait for each other.
        assert.ok(one.tookMs >= 2 * SLOTS * ACK_MS, `one connection: ${one.tookMs} ms`);
        assert.ok(spread.tookMs <= one.tookMs / 4, `lanes: ${spread.tookMs} ms against ${one.tookMs} ms on one connection`);
        assert.equal(spread.opened.size, 3 * LANES, "LANES lanes to the source, the target and the other master");
        const setSlots = (c: SerialConnection) => c.commands.filter((args) => args[1] === "SETSLOT").length;
        assert.equal(
            setSlots(spread.main.a) + setSlots(spread.main.b) + setSlots(spread.main.c),
            0,
            "nothing of the move on the nodes' own connections",
        );
        const onLanes = [...spread.opened.values()].reduce((n, c) => n + setSlots(c), 0);
        assert.equal(onLanes, 5 * SLOTS, "IMPORTING, MIGRATING, and NODE on the target, the source and the other master, for each slot");
    });

    it("every other master is told each slot's new owner before the move returns", async () => {
        const { opened } = await move(true);
        const told = [...opened]
            .filter(([key]) => key.startsWith("node-c#"))
            .flatMap(([, lane]) => lane.commands)
            .filter((args) => args[1] === "SETSLOT" && args[3] === "NODE" && args[4] === "node-b-id");
        assert.deepEqual(
            told.map((args) => Number(args[2])).sort((x, y) => x - y),
            Array.from({ length: SLOTS }, (_, slot) => slot),
        );
    });
});
