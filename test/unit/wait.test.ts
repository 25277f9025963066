// The one wait helper (components/common/wait.ts), on a fake clock: its cadence, its fixed and progress
// bounds, a bound shared between waits, and the errors it ends with. No real time passes.
import { strict as assert } from "assert";
import { Deadline, Look, WaitTimeoutError, done, notYet, pollUntil, retrying, waitFor } from "../../components/common/wait";
import { DEFAULT_TIMEOUTS } from "../../components/common/timeouts";
import { FakeClock } from "../support/fakeClock";

/** A look that is done at its `doneAt`-th call, and counts its calls. */
function counting(doneAt: number) {
    const looks = { count: 0 };
    const look = async (): Promise<Look<string>> => (++looks.count >= doneAt ? done("there") : notYet(`look ${looks.count}: not yet`));
    return { looks, look };
}

describe("wait helper", () => {
    it("returns the value of the first look that is done, pausing pollMs between looks", async () => {
        const clock = new FakeClock();
        const { looks, look } = counting(4);
        const value = await clock.run(waitFor(look, { what: "it", timeoutMs: 1000, pollMs: 20, clock }));
        assert.equal(value, "there");
        assert.equal(looks.count, 4);
        assert.deepEqual(clock.sleeps, [20, 20, 20]);
        assert.equal(clock.now(), 60);
    });

    it("pauses the table's pollMs when no cadence is given", async () => {
        const clock = new FakeClock();
        await clock.run(waitFor(counting(2).look, { what: "it", timeoutMs: 1000, clock }));
        assert.deepEqual(clock.sleeps, [DEFAULT_TIMEOUTS.pollMs]);
    });

    it("gives up at timeoutMs with an error that names what it waited for and quotes the last look", async () => {
        const clock = new FakeClock();
        const { looks, look } = counting(Infinity);
        await assert.rejects(clock.run(waitFor(look, { what: "node-3 to answer", timeoutMs: 100, pollMs: 20, clock })), (err: Error) => {
            assert.ok(err instanceof WaitTimeoutError);
            assert.equal(err.message, "timed out waiting for node-3 to answer: look 6: not yet");
            return true;
        });
        // Looks at 0, 20, ..., 100 ms: the last one at the bound itself.
        assert.equal(looks.count, 6);
        assert.equal(clock.now(), 100);
    });

    it("builds the caller's own error from the last problem and the time waited", async () => {
        const clock = new FakeClock();
        const error = (problem: string, waitedMs: number) => new Error(`node-1 did not rejoin within ${waitedMs / 1000} s: ${problem}`);
        await assert.rejects(
            clock.run(waitFor(async () => notYet("cluster_state is fail"), { what: "node-1", timeoutMs: 3000, pollMs: 500, clock, error })),
            /^Error: node-1 did not rejoin within 3 s: cluster_state is fail$/,
        );
    });

    it("looks once with a bound of 0", async () => {
        const clock = new FakeClock();
        const { looks, look } = counting(Infinity);
        const last = await clock.run(pollUntil(look, { timeoutMs: 0, clock }));
        assert.equal(looks.count, 1);
        assert.deepEqual(clock.sleeps, []);
        assert.equal(last.done, false);
    });

    it("pollUntil hands back the last look at the bound instead of throwing", async () => {
        const clock = new FakeClock();
        const last = await clock.run(pollUntil(counting(Infinity).look, { timeoutMs: 50, pollMs: 20, clock }));
        assert.deepEqual(last, { done: false, problem: "look 4: not yet", waitedMs: 60 });
    });

    it("fails at once with what a look throws", async () => {
        const clock = new FakeClock();
        let looks = 0;
        const look = async (): Promise<Look<void>> => {
            if (++looks === 2) throw new Error("ERR unknown command");
            return notYet("not yet");
        };
        await assert.rejects(clock.run(waitFor(look, { what: "it", timeoutMs: 1000, pollMs: 20, clock })), /^Error: ERR unknown command$/);
        assert.equal(looks, 2);
        assert.equal(clock.now(), 20);
    });

    it("refuses a wait without any bound", async () => {
        await assert.rejects(
            pollUntil(async () => notYet("never"), {}),
            /a wait needs a bound/,
        );
    });

    describe("a progress bound", () => {
        /** Work that moves one unit per look, each look taking `lookMs`, for `units` units, then nothing. */
        function work(clock: FakeClock, units: number, lookMs: number, total = Infinity) {
            const state = { moved: 0, looks: 0 };
            const look = async (): Promise<Look<number>> => {
                state.looks++;
                await clock.sleep(lookMs);
                if (state.moved < units) state.moved++;
                return state.moved >= total ? done(state.moved) : notYet(`${total - state.moved} left`);
            };
            return { state, look };
        }

        it("does not cut off work that keeps moving, however long it takes in all, and looks again at once after progress", async () => {
            const clock = new FakeClock();
            const { state, look } = work(clock, 500, 1000, 500);
            const moved = await clock.run(
                waitFor(look, { what: "the keys to move", timeoutMs: 5000, pollMs: 20, progress: () => state.moved, clock }),
            );
            assert.equal(moved, 500);
            // 500 s in all, a hundred times the bound, and not one pause between the looks.
            assert.equal(clock.now(), 500_000);
            assert.deepEqual(
                clock.sleeps.filter((ms) => ms !== 1000),
                [],
            );
        });

        it("fails once nothing moved for the bound, counted from the last move", async () => {
            const clock = new FakeClock();
            const { state, look } = work(clock, 30, 1000);
            const error = (problem: string, waitedMs: number) => new Error(`no key moved for ${waitedMs} ms (${problem})`);
            await assert.rejects(
                clock.run(
                    waitFor(look, { what: "the keys to move", timeoutMs: 5000, pollMs: 20, progress: () => state.moved, clock, error }),
                ),
                /^Error: no key moved for 5\d{3} ms \(Infinity left\)$/,
            );
            assert.equal(state.moved, 30);
            // The 30th unit moved at 30 s; the wait gave up once 5 s had passed with none.
            assert.ok(clock.now() >= 35_000 && clock.now() < 37_000, `gave up at ${clock.now()} ms`);
        });
    });

    describe("a shared deadline (within)", () => {
        it("ends the wait when the shared deadline expires, with the shared deadline's idle time", async () => {
            const clock = new FakeClock();
            const shared = new Deadline(100, clock);
            const last = await clock.run(pollUntil(counting(Infinity).look, { within: shared, pollMs: 20 }));
            assert.equal(last.done, false);
            assert.equal(last.waitedMs, 100);
        });

        it("lasts as long as another part of the work keeps reporting progress to it", async () => {
            const clock = new FakeClock();
            const shared = new Deadline(100, clock);
            const { looks, look } = counting(30);
            const value = await clock.run(
                pollUntil(
                    async () => {
                        shared.progressed();
                        return look();
                    },
                    { within: shared, pollMs: 20 },
                ),
            );
            assert.equal(value.done, true);
            assert.equal(looks.count, 30);
            assert.equal(clock.now(), 29 * 20);
        });

        it("and a wait's own bound, whichever ends first", async () => {
            const clock = new FakeClock();
            const shared = new Deadline(10_000, clock);
            const last = await clock.run(pollUntil(counting(Infinity).look, { within: shared, timeoutMs: 200, pollMs: 50 }));
            assert.equal(last.waitedMs, 200);
        });

        it("a deadline never told of progress is a fixed one; progress moves it on", async () => {
            const clock = new FakeClock();
            const deadline = new Deadline(1000, clock);
            await clock.advance(999);
            assert.equal(deadline.expired(), false);
            await clock.advance(1);
            assert.equal(deadline.expired(), true);
            deadline.progressed();
            assert.equal(deadline.expired(), false);
            assert.equal(deadline.idleMs(), 0);
        });
    });

    describe("retrying", () => {
        const busy = (err: unknown) => /^BUSY/.test((err as Error).message);

        it("sends again after pollMs while the error is one to retry, then returns the answer", async () => {
            const clock = new FakeClock();
            let sent = 0;
            const answer = await clock.run(
                retrying(
                    async () => {
                        if (++sent < 4) throw new Error("BUSY try later");
                        return "done";
                    },
                    busy,
                    { timeoutMs: 1000, pollMs: 30, clock },
                ),
            );
            assert.equal(answer, "done");
            assert.deepEqual(clock.sleeps, [30, 30, 30]);
        });

        it("throws any other error at once, and the last retried one as it is at the bound", async () => {
            const clock = new FakeClock();
            await assert.rejects(
                clock.run(retrying(async () => Promise.reject(new Error("ERR no")), busy, { timeoutMs: 1000, clock })),
                /^Error: ERR no$/,
            );
            assert.equal(clock.now(), 0);
            let sent = 0;
            await assert.rejects(
                clock.run(retrying(async () => Promise.reject(new Error(`BUSY ${++sent}`)), busy, { timeoutMs: 100, pollMs: 20, clock })),
                /^Error: BUSY 6$/,
            );
        });
    });
});
