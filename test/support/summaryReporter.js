// Mocha's spec reporter plus plain closing lines: the files that took longest (where a faster suite would
// start), and two that CI reads: the time each part of the suite took (unit, integration, e2e on Docker,
// e2e on Kubernetes; a file's hooks included) and `N passed, N failed, N skipped`.
"use strict";
const path = require("path");
const Mocha = require("mocha");
const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END } = Mocha.Runner.constants;

/** The part of the suite a test file belongs to, by its place under test/. */
function partOf(file) {
    const [dir, name] = path.relative(path.join(__dirname, ".."), file ?? "").split(path.sep);
    if (dir === "e2e") return name.startsWith("kubernetes") ? "e2e kubernetes" : "e2e docker";
    return dir;
}

class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        const started = new Map();
        const partMs = new Map();
        const fileMs = new Map();
        runner.on(EVENT_SUITE_BEGIN, (suite) => {
            if (suite.parent?.root && suite.file) started.set(suite, Date.now());
        });
        runner.on(EVENT_SUITE_END, (suite) => {
            if (!started.has(suite)) return;
            const part = partOf(suite.file);
            const ms = Date.now() - started.get(suite);
            partMs.set(part, (partMs.get(part) ?? 0) + ms);
            const file = path.relative(path.join(__dirname, "../.."), suite.file);
            fileMs.set(file, (fileMs.get(file) ?? 0) + ms);
        });
        runner.once(EVENT_RUN_END, () => {
            const s = runner.stats;
            const slowest = [...fileMs].sort(([, a], [, b]) => b - a).slice(0, 12);
            const files = slowest.map(([file, ms]) => `${file} ${(ms / 1000).toFixed(0)} s`).join(", ");
            process.stdout.write(`\nslowest files: ${files}\n`);
            const parts = [...partMs].map(([part, ms]) => `${part} ${(ms / 1000).toFixed(0)} s`).join(", ");
            process.stdout.write(`time by part: ${parts} (mocha ${(s.duration / 1000).toFixed(0)} s in all)\n`);
            process.stdout.write(`${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
        });
    }
}
module.exports = SummaryReporter;
