// Runs in Pulumi's dynamic-provider process (plain Node, no ts-node): the one line stored in the state
// as a resource's provider (components/providers/dynamicResource.ts) requires this file by name and asks
// it for an implementation module. Plain JavaScript because it must work before any TypeScript can load.
//
// Module names in the state are this package's ("redis-stack/components/<path>"), the same everywhere:
// - in a checkout (its TypeScript sources are here) they load those sources, taught to Node by swc, as
//   package.json `exports` resolves them: a checkout never runs compiled code, however old a build lying there;
// - in the installed package (npm pack: no sources, no swc) they load its compiled JavaScript, dist/<path>.js.
"use strict";
const fs = require("fs");
const path = require("path");

const PREFIX = "redis-stack/components/";
const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");
const FROM_SOURCES = fs.existsSync(path.join(__dirname, "dynamicResource.ts"));

/** The compiled module of the installed package that `name` names. */
function compiledModule(name) {
    const relative = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : "";
    if (!relative || relative.split("/").includes("..")) throw new Error(`${name}: not a module name of redis-stack (${PREFIX}...)`);
    return path.join(PACKAGE_ROOT, "dist", "components", `${relative}.js`);
}

/** The exports of module `name` (a name as stored in the state, such as "redis-stack/components/redis/clusterNodeLifecycle"). */
function loadModule(name) {
    if (!FROM_SOURCES) return require(compiledModule(name));
    require("./registerTypeScript.cjs").registerTypeScript();
    return require(name);
}

/** The `provider` that module `name` exports. */
exports.load = (name) => loadModule(name).provider;
exports.loadModule = loadModule;
