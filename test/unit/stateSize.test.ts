import { strict as assert } from "assert";
import { analyzeStateExport } from "../../scripts/bench/stateSize";

/** A stack export as the CLI writes it (4-space indented, final newline), of the given resources. */
function exported(resources: object[]): string {
    return JSON.stringify({ version: 3, deployment: { manifest: { time: "t" }, resources } }, null, 4) + "\n";
}

const trace = [{ sourcePosition: "project:///index.ts#1,1" }, { sourcePosition: "project:///index.ts#2,1" }];
const container = (name: string, body: string) => ({
    urn: `urn:pulumi:dev::p::pulumi-nodejs:dynamic/redis-stack:EngineContainer::${name}`,
    type: "pulumi-nodejs:dynamic/redis-stack:EngineContainer",
    inputs: { __provider: "exports.handler = 1;", body },
    outputs: { __provider: "exports.handler = 1;", name },
    stackTrace: trace,
});
const volume = {
    urn: "urn:pulumi:dev::p::pulumi-nodejs:dynamic/redis-stack:EngineVolume::v",
    type: "pulumi-nodejs:dynamic/redis-stack:EngineVolume",
    inputs: { name: "v" },
    outputs: { name: "v" },
};

describe("state size analysis (bench)", () => {
    it("counts Pulumi's bookkeeping apart from the resources' inputs and outputs", () => {
        const small = analyzeStateExport(exported([container("a", "x"), volume]));
        const large = analyzeStateExport(exported([container("a", "x".repeat(5000)), volume]));
        assert.equal(small.bytes, Buffer.byteLength(exported([container("a", "x"), volume])));
        assert.equal(large.bookkeepingBytes, small.bookkeepingBytes, "a larger input is not bookkeeping");
        assert.equal(large.dataByType[0].bytes - small.dataByType[0].bytes, 4999);
        assert.ok(small.bookkeepingBytes < small.bytes);
    });

    it("measures the stack traces and the serialized provider strings", () => {
        const withTraces = analyzeStateExport(exported([container("a", "x"), container("b", "y")]));
        const untraced = exported([container("a", "x"), container("b", "y")].map(({ stackTrace: _, ...rest }) => rest));
        assert.equal(withTraces.stackTraceBytes, withTraces.bytes - Buffer.byteLength(untraced));
        assert.equal(withTraces.providerStrings, 4);
        assert.equal(withTraces.providerBytes, 4 * "exports.handler = 1;".length);
    });

    it("lists inputs and outputs by resource type, largest first, with counts", () => {
        const size = analyzeStateExport(exported([volume, container("a", "x".repeat(300)), container("b", "y")]));
        assert.deepEqual(
            size.dataByType.map((t) => [t.type, t.count]),
            [
                ["redis-stack:EngineContainer", 2],
                ["redis-stack:EngineVolume", 1],
            ],
        );
        assert.ok(size.dataByType[0].bytes > size.dataByType[1].bytes);
    });
});
