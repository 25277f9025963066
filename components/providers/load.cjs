// Runs in Pulumi's dynamic-provider process (plain Node, no ts-node): the one line stored in the state
// as a resource's provider (components/providers/dynamicResource.ts) requires this file by name and asks
// it for an implementation module. Plain JavaScript because it must teach Node TypeScript first.
"use strict";
const fs = require("fs");
const path = require("path");

/** Transpiles this project's .ts files with swc as they are required (no type check: the tests do that). */
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

/** The `provider` that module `name` (a self-reference such as "redis-stack/components/...") exports. */
exports.load = (name) => {
    registerTypeScript();
    return require(name).provider;
};
