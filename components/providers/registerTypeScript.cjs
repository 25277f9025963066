// Teaches plain Node this project's TypeScript, transpiled by swc as each file is required (no type
// check: the tests do that). Used where ts-node would cost more than the work: Pulumi's dynamic-provider
// process (./load.cjs), the small scripts around `pulumi up` (scripts/lib/swc-register.cjs) and the
// component package's plugin (plugin/index.ts). Only in a checkout: an installed package runs compiled code.
"use strict";
const fs = require("fs");
const path = require("path");

/**
 * `replace`: take over from a `.ts` handler that is already there. The plugin needs it: Pulumi's run-plugin
 * script sets ts-node up for the consumer's directory (not this project's tsconfig) and type-checks every file.
 * Without it, a handler already there stays (ts-node under the program and the tests).
 */
function registerTypeScript({ replace = false } = {}) {
    if (require.extensions[".ts"] && !replace) return;
    const swc = require("@swc/core");
    const options = { module: { type: "commonjs" }, jsc: { target: "es2020", parser: { syntax: "typescript" } } };
    require.extensions[".ts"] = (module, filename) => {
        if (filename.split(path.sep).includes("node_modules")) throw new Error(`cannot load ${filename}: TypeScript inside node_modules`);
        module._compile(swc.transformSync(fs.readFileSync(filename, "utf8"), { ...options, filename }).code, filename);
    };
}

exports.registerTypeScript = registerTypeScript;
