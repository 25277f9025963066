// Module names that stacks' state holds: a resource's provider text names its implementation module, a
// node's `lifecycle` input its lifecycle module. An existing stack runs `refresh`, `destroy` and its next
// `up` through those names, so every name ever stored must keep loading, in the provider process (plain
// Node started in the project, as Pulumi's provider host runs the stored text).
// The lists: every such name in the history (`git log -p -- components | grep '"redis-stack/components/'`).
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { providerText } from "../../components/providers/dynamicResource";

const PROJECT = path.resolve(__dirname, "../..");

/** Implementation modules named by the provider text of a thin dynamic resource. */
const STORED_PROVIDERS = [
    "redis-stack/components/formation/provider",
    "redis-stack/components/providers/userPasswordProvider",
    "redis-stack/components/runtime/dataOwnerProvider",
    "redis-stack/components/runtime/engine/containerProvider",
    "redis-stack/components/runtime/engine/networkProvider",
    "redis-stack/components/runtime/engine/volumeProvider",
    "redis-stack/components/runtime/kubernetes/nodePasswordProvider",
    "redis-stack/components/runtime/kubernetes/nodePodProvider",
    "redis-stack/components/runtime/kubernetes/nodeUsersProvider",
    "redis-stack/components/runtime/kubernetes/userRulesProvider",
    "redis-stack/components/tls/certificatesProvider",
    "redis-stack/components/tls/nodeCertificateProvider",
    "redis-stack/components/tls/servedCertificateProvider",
];

/** Lifecycle modules named by the `lifecycle.module` input of node containers, pods, passwords and users. */
const STORED_LIFECYCLES = ["redis-stack/components/redis/clusterNodeLifecycle", "redis-stack/components/redis/standaloneNodeLifecycle"];

/** Node access as resources recorded it: before it was named by module (mode), and since. */
const STORED_ACCESS = [
    { mode: "portForward", kubeconfig: "", namespace: "redis" },
    { module: "redis-stack/components/runtime/kubernetes/portForward", options: { kubeconfig: "", namespace: "redis" } },
];

/** Runs `script` in a plain Node process in the project (no ts-node: the stored text teaches Node TypeScript itself). */
function inProviderProcess(script: string, ...args: string[]): unknown {
    const out = execFileSync(process.execPath, ["-e", script, ...args], {
        cwd: PROJECT,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "" },
    });
    return JSON.parse(out);
}

describe("module names stored in stacks' state", function () {
    this.timeout(60000);

    it("every provider module ever stored loads from its stored text and has create, read, diff, update and delete", () => {
        const script = `
            const requireFromString = require(require.resolve("require-from-string", { paths: [process.cwd()] }));
            const texts = JSON.parse(process.argv[1]);
            console.log(JSON.stringify(texts.map((t) => Object.keys(requireFromString(t).handler()).sort())));`;
        const methods = inProviderProcess(script, JSON.stringify(STORED_PROVIDERS.map(providerText))) as string[][];
        STORED_PROVIDERS.forEach((name, i) => {
            for (const method of ["create", "delete", "diff", "read", "update"])
                assert.ok(methods[i].includes(method), `${name}: ${methods[i].join(",")}`);
        });
    });

    it("every lifecycle module ever stored loads by its name, as the providers load it, with every method of the node lifecycle", () => {
        const script = `
            require("./components/providers/registerTypeScript.cjs").registerTypeScript();
            const { loadLifecycle } = require("redis-stack/components/contracts/nodeLifecycle");
            const names = JSON.parse(process.argv[1]);
            console.log(JSON.stringify(names.map((module) => Object.keys(loadLifecycle({ module, options: {} })).sort())));`;
        const methods = inProviderProcess(script, JSON.stringify(STORED_LIFECYCLES)) as string[][];
        const required = ["afterStart", "applySettings", "beforeStop", "changePassword", "changeUsers", "cost", "readSettings", "refuse"];
        STORED_LIFECYCLES.forEach((name, i) => {
            for (const method of required) assert.ok(methods[i].includes(method), `${name}: ${methods[i].join(",")}`);
        });
    });

    it("node access recorded in either shape loads its module by name, which opens the way to the nodes", () => {
        const script = `
            require("./components/providers/registerTypeScript.cjs").registerTypeScript();
            const { loadNodeAccess, recordedAccess } = require("redis-stack/components/contracts/nodeAccess");
            const recorded = JSON.parse(process.argv[1]);
            console.log(JSON.stringify(recorded.map((value) => typeof loadNodeAccess(recordedAccess(value)).open)));`;
        assert.deepEqual(inProviderProcess(script, JSON.stringify(STORED_ACCESS)), ["function", "function"]);
    });
});
