// The dynamic providers run a copy of their code that Pulumi's closure serializer wrote into the state.
// Errors thrown there must still be Errors with their message, or Pulumi prints "error: undefined".
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AuthenticationError, NodeUnreachableError } from "../../components/redis/connect";
import { FormationError } from "../../components/redis/form";
import { HandoverError } from "../../components/redis/handover";
import { failure, messageOf } from "../../components/redis/errors";
import { formationProvider } from "../../components/formation/provider";

/** Serializes `fn` as Pulumi does for a dynamic provider and loads the copy back. */
async function serializedCopy<T extends (...args: never[]) => unknown>(fn: T): Promise<T> {
    const { text } = await pulumi.runtime.serializeFunction(fn);
    const module = { exports: {} as { handler: T } };
    new Function("exports", "module", "require", text)(module.exports, module, require);
    return module.exports.handler;
}

const endpoint = { name: "node-1", host: "127.0.0.1", port: 7001 };

describe("errors thrown by serialized provider code", () => {
    const throwers: Record<string, () => Error> = {
        FormationError: () => new FormationError("timed out waiting for the nodes to meet"),
        HandoverError: () => new HandoverError("node-1 did not rejoin"),
        NodeUnreachableError: () => new NodeUnreachableError(endpoint, 3000, "ECONNREFUSED"),
        AuthenticationError: () => new AuthenticationError(endpoint, "wrong password (WRONGPASS)"),
    };
    for (const [name, make] of Object.entries(throwers)) {
        it(`${name} keeps its message, its name and its place among Errors`, async () => {
            const copy = await serializedCopy(make);
            const err = copy();
            assert.ok(err instanceof Error, "an Error");
            assert.equal(err.message, make().message);
            assert.equal(err.name, name);
            assert.match(String(err.stack), new RegExp(name));
        });
    }

    it("an AuthenticationError is still recognised as one in the serialized copy (password.ts retries on it)", async () => {
        const copy = await serializedCopy(() => {
            const err = new AuthenticationError(endpoint, "wrong password (WRONGPASS)");
            return err instanceof AuthenticationError && err.node.name === "node-1";
        });
        assert.equal(copy(), true);
    });

    it("the formation provider's update names the cluster and the cause when formation fails", async () => {
        const nodes = [{ ...endpoint, port: 1, announceHost: "127.0.0.1", announcePort: 1, busPort: 10001, shard: 0, role: "master" as const }];
        const inputs = { nodes, slotPlan: [{ start: 0, end: 16383 }], password: "", containerIds: [], connectTimeoutMs: 100, timeoutMs: 1000 };
        const update = await serializedCopy(formationProvider.update!);
        await assert.rejects(update("id", { ...inputs, nodeStates: [], clusterState: "ok", formedInMs: 0 }, inputs),
            (err: Error) => {
                assert.ok(err instanceof Error);
                assert.match(err.message, /^reconciling the cluster of node-1: node node-1 at 127\.0\.0\.1:1 did not answer within 0 s \(last error: /);
                return true;
            });
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
