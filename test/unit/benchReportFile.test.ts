import { strict as assert } from "assert";
import { GENERATED_END, GENERATED_START, withGeneratedReport } from "../../scripts/bench/reportFile";

const BEFORE = "# Benchmarks\n\nHow this file is made (by hand).\n\n### Analysis of an earlier pass\n\n| a | b |\n| --- | --- |\n\n";
const AFTER = "\n\n## TLS (issue 11)\n\nFigures pasted by hand from scripts/bench/tls.ts.\n";
const sample = (generated: string) => `${BEFORE}${GENERATED_START}\n\n${generated}\n\n${GENERATED_END}${AFTER}`;

describe("bench report file (docs/BENCHMARKS.md)", () => {
    it("replaces only the generated part: the hand-written text before and after the markers survives byte for byte", () => {
        const written = withGeneratedReport(
            sample("## 1. Formation\n\nold figures"),
            "Machine: 2 cores\n\n## 1. Formation\n\nnew figures\n",
            "b.md",
        );
        assert.equal(written, sample("Machine: 2 cores\n\n## 1. Formation\n\nnew figures"));
        assert.ok(written.startsWith(BEFORE) && written.endsWith(AFTER));
        assert.ok(!written.includes("old figures"));
    });

    it("gives the same file when the same report is written twice", () => {
        const once = withGeneratedReport(sample("old"), "report", "b.md");
        assert.equal(withGeneratedReport(once, "report", "b.md"), once);
    });

    it("writes a new file as the report between the two markers", () => {
        assert.equal(withGeneratedReport(undefined, "report\n", "/tmp/bench.md"), `${GENERATED_START}\n\nreport\n\n${GENERATED_END}\n`);
    });

    it("refuses a file without markers, naming it, instead of writing over what was written by hand", () => {
        assert.throws(
            () => withGeneratedReport(BEFORE + AFTER, "report", "docs/BENCHMARKS.md"),
            /^Error: docs\/BENCHMARKS\.md has no single generated part to replace .*add the two markers/,
        );
    });

    it("refuses markers that are repeated or out of order", () => {
        const twice = sample("a") + sample("b");
        const reversed = `${BEFORE}${GENERATED_END}\nreport\n${GENERATED_START}${AFTER}`;
        const endOnly = `${BEFORE}report\n${GENERATED_END}${AFTER}`;
        for (const text of [twice, reversed, endOnly])
            assert.throws(() => withGeneratedReport(text, "report", "b.md"), /no single generated part/);
    });
});
