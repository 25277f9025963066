// The component package's plugin entry (package.json `main`, for PulumiPlugin.yaml): what Pulumi runs when a
// program of another language declares redis-stack:index:RedisStack through this checkout (in YAML, a
// `packages:` entry naming it). @pulumi/pulumi's run-plugin script loads this file and calls what it exports.
// Plain JavaScript: run-plugin sets ts-node up for the consumer's directory, not this project's tsconfig, and
// type-checks every TypeScript file it loads (about 14 s for this entry alone); this package's sources load
// through swc instead, as in Pulumi's provider process (the tests type-check them).
"use strict";
require("../components/providers/registerTypeScript.cjs").registerTypeScript({ replace: true });

module.exports = async () => {
    const { RedisStack } = require("../components/index.ts");
    const { servePlugin } = require("./servePlugin.ts");
    await servePlugin([RedisStack], process.argv.slice(2));
};
