// Provider rejections must be Errors that say what failed, or Pulumi prints "error: undefined".
import { strict as assert } from "assert";
import { formationProvider } from "../../components/formation/provider";
import { messageOf } from "../../components/common/errorMessage";
import { failure } from "../../components/redis/errors";

const endpoint = { name: "node-1", host: "127.0.0.1", port: 7001 };

describe("provider errors", () => {
    it("the formation provider's update names the cluster and the cause when formation fails", async () => {
        const nodes = [
            { ...endpoint, port: 1, announceHost: "127.0.0.1", announcePort: 1, busPort: 10001, shard: 0, role: "master" as const },
        ];
        const inputs = {
            nodes,
            slotPlan: [{ start: 0, end: 16383 }],
            password: "",
            containerIds: [],
            connectTimeoutMs: 100,
            timeoutMs: 1000,
        };
        await assert.rejects(
            formationProvider.update!("id", { ...inputs, nodeStates: [], clusterState: "ok", formedInMs: 0 }, inputs),
            (err: Error) => {
                assert.ok(err instanceof Error);
                assert.match(
                    err.message,
                    /^reconciling the cluster of node-1: node node-1 at 127\.0\.0\.1:1 did not answer within 0 s \(last error: /,
                );
                return true;
            },
        );
    });
});

describe("messageOf and failure", () => {
    it("say something for every kind of rejection, never 'undefined' alone", () => {
        assert.equal(messageOf(new Error("boom")), "boom");
        assert.equal(messageOf("a string"), "a string");
        assert.equal(messageOf(undefined), "a rejection with undefined and no message");
        assert.equal(messageOf(""), "a rejection with an empty string and no message");
        assert.equal(messageOf(new Error("")), "Error without a message");
        assert.equal(messageOf({ password: "secret" }), "an object without a message");
        assert.equal(failure("forming the cluster", undefined).message, "forming the cluster: a rejection with undefined and no message");
    });
});
