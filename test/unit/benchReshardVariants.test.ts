import { strict as assert } from "assert";
import { RESHARD_VARIANTS, parseReshardVariants } from "../../scripts/bench/reshardVariants";

describe("resharding bench variants (BENCH_RESHARD_VARIANTS)", () => {
    it("runs every variant when the setting is unset or empty", () => {
        for (const text of [undefined, "", " "]) assert.deepEqual(parseReshardVariants("BENCH_RESHARD_VARIANTS", text), RESHARD_VARIANTS);
    });

    it("runs the named variants in the order given, with their replicas and writer", () => {
        const picked = parseReshardVariants("BENCH_RESHARD_VARIANTS", "replicas-writer, plain");
        assert.deepEqual(
            picked.map((v) => [v.name, v.replicas, v.writer]),
            [
                ["replicas-writer", 1, true],
                ["plain", 0, false],
            ],
        );
    });

    it("refuses an unknown name, naming the setting and every allowed one", () => {
        assert.throws(
            () => parseReshardVariants("BENCH_RESHARD_VARIANTS", "plain,replica"),
            /^Error: BENCH_RESHARD_VARIANTS: unknown variant "replica"; allowed: plain,replicas,writer,replicas-writer$/,
        );
    });
});
