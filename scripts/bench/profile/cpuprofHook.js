// Loaded into every node process of a `pulumi up` with NODE_OPTIONS="--require <this file>" (Node refuses
// --cpu-prof in NODE_OPTIONS): CPU-profiles the process through the inspector and writes
// $REDIS_STACK_PROF_DIR/<script>.<pid>.cpuprofile when it exits or is told to stop (the engine stops the
// dynamic-provider process with a signal).
"use strict";
const inspector = require("inspector");
const fs = require("fs");
const path = require("path");

const dir = process.env.REDIS_STACK_PROF_DIR;
if (dir) {
    const session = new inspector.Session();
    session.connect();
    session.post("Profiler.enable");
    session.post("Profiler.setSamplingInterval", { interval: 500 });
    session.post("Profiler.start");
    const script = (process.argv[1] || "eval")
        .replace(/.*node_modules\//, "")
        .replace(/[^a-z0-9]+/gi, "_")
        .slice(-40);
    let stopped = false;
    const stop = () => {
        if (stopped) return;
        stopped = true;
        // The in-process inspector session answers synchronously, so this completes inside an exit handler.
        session.post("Profiler.stop", (err, result) => {
            if (!err) fs.writeFileSync(path.join(dir, `${script}.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
        });
    };
    process.on("exit", stop);
    for (const signal of ["SIGTERM", "SIGINT"])
        process.on(signal, () => {
            stop();
            process.exit(0);
        });
}
