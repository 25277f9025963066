// components/providers/load.cjs, the one place that turns a module name stored in the state into a module:
// in an installed package (no TypeScript sources, no swc) the compiled JavaScript under dist/. The checkout's
// side (its TypeScript sources) is what thinProviders.test.ts and storedModuleNames.test.ts load.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../support/automation";

/** A package laid out as npm installs the packed one: package.json, load.cjs and a compiled module, nothing else. */
function installedLayout(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-installed-"));
    const packageDir = path.join(root, "node_modules", "redis-stack");
    fs.mkdirSync(path.join(packageDir, "components", "providers"), { recursive: true });
    fs.mkdirSync(path.join(packageDir, "dist", "components", "formation"), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_DIR, "package.json"), path.join(packageDir, "package.json"));
    fs.copyFileSync(path.join(PROJECT_DIR, "components/providers/load.cjs"), path.join(packageDir, "components/providers/load.cjs"));
    fs.writeFileSync(
        path.join(packageDir, "dist/components/formation/provider.js"),
        'exports.provider = { create: async () => ({ id: "compiled", outs: {} }) };\n',
    );
    return root;
}

/** Runs `script` in a plain Node process in `dir` (no ts-node, nothing of this checkout on its path). */
function inPlainNode(dir: string, script: string): string {
    return execFileSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } }).trim();
}

describe("load.cjs in an installed package", function () {
    this.timeout(20000);
    const root = installedLayout();
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("loads a stored module name's compiled JavaScript, where neither TypeScript sources nor swc exist", () => {
        const out = inPlainNode(
            root,
            `const { load } = require("redis-stack/providers/load");
             load("redis-stack/components/formation/provider").create().then((r) => console.log(r.id));`,
        );
        assert.equal(out, "compiled");
    });

    it("refuses a name that is not a module of this package, naming it", () => {
        for (const name of ["other-package/components/x", "redis-stack/components/../../../etc/passwd", "redis-stack/components/"]) {
            const out = inPlainNode(
                root,
                `try { require("redis-stack/providers/load").loadModule(${JSON.stringify(name)}); console.log("loaded"); }
                 catch (err) { console.log(err.message); }`,
            );
            assert.equal(out, `${name}: not a module name of redis-stack (redis-stack/components/...)`);
        }
    });
});
