// A provider process loads only what its resources ask for: the formation and the engine containers
// reach the Kubernetes runtime only through node access named in their inputs (loaded by name), so
// loading their providers loads no Kubernetes code at all. Checked in a plain Node process started in
// the project, as Pulumi's provider host runs the stored provider text, by what lands in require.cache.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";

const PROJECT = path.resolve(__dirname, "../..");
const KUBERNETES_RUNTIME = path.join(PROJECT, "components", "runtime", "kubernetes") + path.sep;
const KUBERNETES_CLIENT = path.join(PROJECT, "node_modules", "@kubernetes") + path.sep;

/** The files in require.cache after a fresh provider process loaded `modules` the way the stored provider text does. */
function loadedFiles(modules: readonly string[]): string[] {
    const script = `
        const { load } = require("redis-stack/providers/load");
        for (const name of JSON.parse(process.argv[1])) load(name);
        console.log(JSON.stringify(Object.keys(require.cache)));`;
    const out = execFileSync(process.execPath, ["-e", script, JSON.stringify(modules)], {
        cwd: PROJECT,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "" },
    });
    return JSON.parse(out) as string[];
}

const kubernetesFiles = (files: readonly string[]) =>
    files.filter((f) => f.startsWith(KUBERNETES_RUNTIME) || f.startsWith(KUBERNETES_CLIENT)).map((f) => path.relative(PROJECT, f));

describe("what a provider process loads", function () {
    this.timeout(60000);

    it("loading the formation's and the engine container's providers loads nothing under components/runtime/kubernetes/ nor the Kubernetes client", () => {
        const files = loadedFiles(["redis-stack/components/formation/provider", "redis-stack/components/runtime/engine/containerProvider"]);
        // They did load (the check looks at a real provider process, not an empty one).
        assert.ok(files.some((f) => f.endsWith(path.join("formation", "provider.ts"))));
        assert.ok(files.some((f) => f.endsWith(path.join("engine", "containerProvider.ts"))));
        assert.deepEqual(kubernetesFiles(files), []);
    });

    it("the same check sees the Kubernetes runtime where a provider does load it (a NodePod's)", () => {
        const files = loadedFiles(["redis-stack/components/runtime/kubernetes/nodePodProvider"]);
        assert.ok(kubernetesFiles(files).includes(path.join("components", "runtime", "kubernetes", "nodePodProvider.ts")));
    });
});
