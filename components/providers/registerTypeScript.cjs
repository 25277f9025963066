// Teaches plain Node this project's TypeScript, transpiled by swc as each file is required (no type
// check: the tests do that). Used where ts-node would cost more than the work: Pulumi's dynamic-provider
// process (./load.cjs) and the small scripts around `pulumi up` (scripts/lib/swc-register.cjs).
"use strict";
const fs = require("fs");
const path = require("path");

function registerTypeScript() {
    // Already there under ts-node (the program, the tests).
    if (require.extensions[".ts"]) return;
    const swc = require("@swc/core");
    const options = { module: { type: "commonjs" }, jsc: { target: "es2020", parser: { syntax: "typescript" } } };
    require.extensions[".ts"] = (module, filename) => {
        if (filename.split(path.sep).includes("node_modules")) throw new Error(`cannot load ${filename}: TypeScript inside node_modules`);
        module._compile(swc.transformSync(fs.readFileSync(filename, "utf8"), { ...options, filename }).code, filename);
    };
}

exports.registerTypeScript = registerTypeScript;
