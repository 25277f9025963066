// whileLoading: a command a node refuses with LOADING is sent again; any other failure is not. On a
// fake clock: no real time passes.
import { strict as assert } from "assert";
import { whileLoading } from "../../components/redis/connect";
import { Deadline } from "../../components/common/wait";
import { FakeClock } from "../support/fakeClock";

const LOADING = "LOADING Redis is loading the dataset in memory";

describe("whileLoading", () => {
    it("sends again every pollMs while the reply is LOADING, then returns the answer", async () => {
        const clock = new FakeClock();
        let sent = 0;
        const answer = await clock.run(
            whileLoading(
                async () => {
                    sent++;
                    if (sent < 3) throw new Error(LOADING);
                    return "ok";
                },
                new Deadline(5000, clock),
                7,
            ),
        );
        assert.equal(answer, "ok");
        assert.equal(sent, 3);
        assert.deepEqual(clock.sleeps, [7, 7]);
    });

    it("fails at once on any other error", async () => {
        const clock = new FakeClock();
        let sent = 0;
        await assert.rejects(
            clock.run(
                whileLoading(
                    async () => {
                        sent++;
                        throw new Error("ERR unknown command");
                    },
                    new Deadline(5000, clock),
                    1,
                ),
            ),
            /ERR unknown command/,
        );
        assert.equal(sent, 1);
        assert.deepEqual(clock.sleeps, []);
    });

    it("gives up with the LOADING error itself once the deadline has expired", async () => {
        const clock = new FakeClock();
        await assert.rejects(
            clock.run(
                whileLoading(
                    async () => {
                        throw new Error(LOADING);
                    },
                    new Deadline(30, clock),
                    5,
                ),
            ),
            /^Error: LOADING/,
        );
        assert.equal(clock.now(), 30);
    });

    it("waits as long as the shared deadline is kept alive by progress elsewhere", async () => {
        const clock = new FakeClock();
        const deadline = new Deadline(100, clock);
        let sent = 0;
        const answer = await clock.run(
            whileLoading(
                async () => {
                    // Another part of the formation moves on meanwhile.
                    deadline.progressed();
                    if (++sent < 50) throw new Error(LOADING);
                    return "loaded";
                },
                deadline,
                20,
            ),
        );
        assert.equal(answer, "loaded");
        assert.equal(clock.now(), 49 * 20);
    });
});
