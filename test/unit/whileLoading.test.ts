// whileLoading: a command a node refuses with LOADING is sent again; any other failure is not.
import { strict as assert } from "assert";
import { whileLoading } from "../../components/redis/connect";

describe("whileLoading", () => {
    it("sends again while the reply is LOADING, then returns the answer", async () => {
        let sent = 0;
        const answer = await whileLoading(
            async () => {
                sent++;
                if (sent < 3) throw new Error("LOADING Redis is loading the dataset in memory");
                return "ok";
            },
            Date.now() + 5000,
            1,
        );
        assert.equal(answer, "ok");
        assert.equal(sent, 3);
    });

    it("fails at once on any other error", async () => {
        let sent = 0;
        await assert.rejects(
            whileLoading(
                async () => {
                    sent++;
                    throw new Error("ERR unknown command");
                },
                Date.now() + 5000,
                1,
            ),
            /ERR unknown command/,
        );
        assert.equal(sent, 1);
    });

    it("gives up with the LOADING error once the deadline has passed", async () => {
        await assert.rejects(
            whileLoading(
                async () => {
                    throw new Error("LOADING Redis is loading the dataset in memory");
                },
                Date.now() + 30,
                5,
            ),
            /^Error: LOADING/,
        );
    });
});
