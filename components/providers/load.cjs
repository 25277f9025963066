// Runs in Pulumi's dynamic-provider process (plain Node, no ts-node): the one line stored in the state
// as a resource's provider (components/providers/dynamicResource.ts) requires this file by name and asks
// it for an implementation module. Plain JavaScript because it must teach Node TypeScript first.
"use strict";
const { registerTypeScript } = require("./registerTypeScript.cjs");

/** The `provider` that module `name` (a self-reference such as "redis-stack/components/...") exports. */
exports.load = (name) => {
    registerTypeScript();
    return require(name).provider;
};
