// The queue that makes node replacements take turns: one at a time, cheapest (replicas) first.
import { strict as assert } from "assert";
import { awaitReplacementTurn } from "../../components/runtime/replacementTurns";

describe("replacement turns", () => {
    beforeEach(() => {
        delete (globalThis as Record<string, unknown>).__redisStackReplacementTurns;
    });

    it("hands out one turn at a time, replicas (cost 0) before masters (cost 1), re-asking costs at every turn", async () => {
        const order: string[] = [];
        let inside = 0;
        let mostInside = 0;
        const costs: Record<string, number> = { m0: 1, r3: 0, m1: 1, r4: 0 };
        const replace = async (name: string) => {
            const release = await awaitReplacementTurn(async () => costs[name]);
            inside++;
            mostInside = Math.max(mostInside, inside);
            order.push(name);
            // A master that failed over meanwhile costs nothing any more.
            if (name === "r3") costs.m1 = 0;
            await new Promise((r) => setTimeout(r, 10));
            inside--;
            release();
        };
        await Promise.all(["m0", "r3", "m1", "r4"].map(replace));
        assert.equal(mostInside, 1, "never two at once");
        // m1 failed over during r3's turn, so it is as cheap as r4 and keeps its place in the queue ahead of it.
        assert.deepEqual(order, ["r3", "m1", "r4", "m0"]);
    });

    it("a master that arrives first waits for a replica of the same deployment arriving up to seconds later", async () => {
        const order: string[] = [];
        const replace = async (name: string, cost: number) => {
            const release = await awaitReplacementTurn(async () => cost);
            order.push(name);
            release();
        };
        const master = replace("master", 1);
        await new Promise((r) => setTimeout(r, 800)); // longer than the 500 ms quiet period
        await Promise.all([master, replace("replica", 0)]);
        assert.deepEqual(order, ["replica", "master"]);
    }).timeout(15000);

    it("a cost that cannot be asked counts as cheap rather than blocking the queue", async () => {
        const release = await awaitReplacementTurn(async () => {
            throw new Error("node down");
        });
        release();
        release(); // a second release is harmless
        const next = await awaitReplacementTurn(async () => 1);
        next();
    });
});
