// The queue that makes node replacements take turns: one at a time, cheapest (replicas) first. On a
// fake clock: the quiet periods it waits for pass without real time.
import { strict as assert } from "assert";
import { ReplacementTurns, awaitReplacementTurn, inTurn } from "../../components/runtime/replacementTurns";
import { DEFAULT_TIMEOUTS } from "../../components/common/timeouts";
import { FakeClock } from "../support/fakeClock";
import { lifecycle as standalone } from "../../components/redis/standaloneNodeLifecycle";

const { turnQuietMs, turnMasterQuietMs, turnGatherMs } = DEFAULT_TIMEOUTS;

describe("replacement turns", () => {
    it("hands out one turn at a time, replicas (cost 0) before masters (cost 1), re-asking costs at every turn", async () => {
        const clock = new FakeClock();
        const turns = new ReplacementTurns({ clock });
        const order: string[] = [];
        let inside = 0;
        let mostInside = 0;
        const costs: Record<string, number> = { m0: 1, r3: 0, m1: 1, r4: 0 };
        const replace = async (name: string) => {
            const release = await turns.awaitTurn(async () => costs[name]);
            inside++;
            mostInside = Math.max(mostInside, inside);
            order.push(name);
            // A master that failed over meanwhile costs nothing any more.
            if (name === "r3") costs.m1 = 0;
            await clock.sleep(10);
            inside--;
            release();
        };
        await clock.run(Promise.all(["m0", "r3", "m1", "r4"].map(replace)));
        assert.equal(mostInside, 1, "never two at once");
        // m1 failed over during r3's turn, so it is as cheap as r4 and keeps its place in the queue ahead of it.
        assert.deepEqual(order, ["r3", "m1", "r4", "m0"]);
    });

    it("the first turn waits until no request has arrived for turnQuietMs", async () => {
        const clock = new FakeClock();
        const turns = new ReplacementTurns({ clock });
        let grantedAt: number | undefined;
        const replica = turns
            .awaitTurn(async () => 0)
            .then((release) => {
                grantedAt = clock.now();
                release();
            });
        await clock.run(replica);
        assert.equal(grantedAt, turnQuietMs);
    });

    it("a master that arrives first waits for a replica of the same deployment arriving up to seconds later", async () => {
        const clock = new FakeClock();
        const turns = new ReplacementTurns({ clock });
        const order: string[] = [];
        const replace = async (name: string, cost: number) => {
            const release = await turns.awaitTurn(async () => cost);
            order.push(name);
            release();
        };
        const master = replace("master", 1);
        await clock.advance(turnQuietMs + 300); // past the quiet period: only a master is waiting
        assert.deepEqual(order, [], "a lone master does not go at the end of the quiet period");
        await clock.run(Promise.all([master, replace("replica", 0)]));
        assert.deepEqual(order, ["replica", "master"]);
    });

    it("a lone master goes once nothing arrived for turnMasterQuietMs", async () => {
        const clock = new FakeClock();
        const turns = new ReplacementTurns({ clock });
        let grantedAt: number | undefined;
        await clock.run(
            turns
                .awaitTurn(async () => 1)
                .then((release) => {
                    grantedAt = clock.now();
                    release();
                }),
        );
        assert.equal(grantedAt, turnMasterQuietMs);
    });

    it("gathering ends after turnGatherMs even while requests keep arriving", async () => {
        const clock = new FakeClock();
        const turns = new ReplacementTurns({ clock });
        let grantedAt: number | undefined;
        const first = turns
            .awaitTurn(async () => 0)
            .then((release) => {
                grantedAt = clock.now();
                release();
            });
        // A new request every 400 ms, within the quiet period each time, for longer than the gathering bound.
        const late: Promise<void>[] = [];
        for (let t = 400; t < 2 * turnGatherMs; t += 400) {
            await clock.advance(400);
            if (grantedAt !== undefined) break;
            late.push(turns.awaitTurn(async () => 0).then((release) => release()));
        }
        await clock.run(Promise.all([first, ...late]));
        assert.ok(grantedAt !== undefined && grantedAt >= turnGatherMs && grantedAt < turnGatherMs + 400, `first turn at ${grantedAt} ms`);
    });

    it("right after a turn, the next one goes without waiting for quiet", async () => {
        const clock = new FakeClock();
        const turns = new ReplacementTurns({ clock });
        const grants: number[] = [];
        const replace = async (cost: number) => {
            const release = await turns.awaitTurn(async () => cost);
            grants.push(clock.now());
            release();
        };
        await clock.run(Promise.all([replace(0), replace(1)]));
        assert.deepEqual(grants, [turnQuietMs, turnQuietMs]);
    });

    it("a cost that cannot be asked counts as cheap rather than blocking the queue", async () => {
        const clock = new FakeClock();
        const turns = new ReplacementTurns({ clock });
        const release = await clock.run(
            turns.awaitTurn(async () => {
                throw new Error("node down");
            }),
        );
        release();
        release(); // a second release is harmless
        const next = await clock.run(turns.awaitTurn(async () => 1));
        next();
    });

    it("awaitReplacementTurn queues in the process's one queue, kept on globalThis for every copy of the module", async () => {
        const key = "__redisStackReplacementTurns";
        const holder = globalThis as Record<string, unknown>;
        const clock = new FakeClock();
        const queue = new ReplacementTurns({ clock });
        holder[key] = queue;
        try {
            let granted = false;
            await clock.run(
                awaitReplacementTurn(async () => 0, { group: "stack", node: "node-0" }).then((release) => {
                    granted = true;
                    release();
                }),
            );
            assert.ok(granted);
            assert.equal(clock.now(), turnQuietMs, "the turn came from the queue on globalThis (on its clock)");
            assert.equal(holder[key], queue);
        } finally {
            delete holder[key];
        }
    });

    it("a failed replacement refuses the rest of its stack's in this run, waiting and later ones, naming the failed node; another stack's go on", async () => {
        const clock = new FakeClock();
        const turns = new ReplacementTurns({ clock });
        const replaced: string[] = [];
        const refusals: Record<string, string> = {};
        const replace = async (group: string, node: string, fails = false) => {
            try {
                const release = await turns.awaitTurn(async () => (node.endsWith("r") ? 0 : 1), { group, node });
                await inTurn(release, async () => {
                    await clock.sleep(10);
                    if (fails) throw new Error("node a-1r did not answer within 120 s\n(more)");
                    replaced.push(node);
                });
            } catch (err) {
                refusals[node] = (err as Error).message;
            }
        };
        // Replicas first: a-1r goes first and fails; a-0m waits behind it, b's nodes share the queue.
        await clock.run(Promise.all([replace("a", "a-0m"), replace("a", "a-1r", true), replace("b", "b-0m"), replace("b", "b-1r")]));
        await clock.run(replace("a", "a-2r"));
        assert.deepEqual(replaced.sort(), ["b-0m", "b-1r"]);
        assert.match(refusals["a-1r"], /^node a-1r did not answer within 120 s/, "the failed one's own error");
        for (const node of ["a-0m", "a-2r"]) {
            assert.match(
                refusals[node],
                new RegExp(
                    `^${node} was not replaced: the replacement of a-1r failed earlier in this run \\(node a-1r did not answer within 120 s\\)`,
                ),
            );
            assert.match(refusals[node], /set the previous image again/);
        }
    });

    it("inTurn ends the turn after a success too, so the next one goes", async () => {
        const clock = new FakeClock();
        const turns = new ReplacementTurns({ clock });
        const order: string[] = [];
        const replace = async (node: string) => {
            const release = await turns.awaitTurn(async () => 0, { group: "a", node });
            order.push(await inTurn(release, async () => node));
        };
        await clock.run(Promise.all([replace("n0"), replace("n1")]));
        assert.deepEqual(order.sort(), ["n0", "n1"]);
    });
});

describe("replacement turns: the standalone node's place", () => {
    it("after every cluster node (a failed cluster replacement halts it too, which an image its data cannot take needs)", async () => {
        const clock = new FakeClock();
        const turns = new ReplacementTurns({ clock });
        const order: string[] = [];
        const replace = async (name: string, cost: () => Promise<number>) => {
            const release = await turns.awaitTurn(cost, { group: "stack", node: name });
            order.push(name);
            release();
        };
        await clock.run(
            Promise.all([
                replace("standalone", () => standalone.cost({} as never)),
                replace("master", async () => 1),
                replace("replica", async () => 0),
            ]),
        );
        assert.equal(standalone.oneAtATime, true);
        assert.deepEqual(order, ["replica", "master", "standalone"]);
    });
});
