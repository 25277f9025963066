// Dynamic providers as the state stores them: one line that loads the implementation by name, which
// must work in Pulumi's provider process (plain Node, working directory = the project).
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { providerText } from "../../components/providers/dynamicResource";
import { PROVIDER_KEY, implementation } from "../../components/providers/implementation";
import { provider as networkProvider } from "../../components/runtime/engine/networkProvider";
import { provider as volumeProvider } from "../../components/runtime/engine/volumeProvider";
import { provider as dataOwnerProvider } from "../../components/runtime/dataOwnerProvider";

const PROJECT = path.resolve(__dirname, "../..");
const IMPLEMENTATIONS = [
    "redis-stack/components/formation/provider",
    "redis-stack/components/runtime/engine/containerProvider",
    "redis-stack/components/runtime/engine/networkProvider",
    "redis-stack/components/runtime/engine/volumeProvider",
    "redis-stack/components/providers/userPasswordProvider",
    "redis-stack/components/stack/stackOwnerProvider",
    "redis-stack/components/runtime/dataOwnerProvider",
    "redis-stack/components/runtime/engine/sidecarProvider",
    "redis-stack/components/backup/finalBackupProvider",
    "redis-stack/components/backup/restoreProvider",
];

describe("thin dynamic providers", function () {
    this.timeout(20000);

    it("store a few hundred bytes that name no path of this machine", () => {
        for (const name of IMPLEMENTATIONS) {
            const text = providerText(name);
            assert.ok(text.length < 300, `${name}: ${text.length} bytes`);
            assert.ok(!text.includes(PROJECT) && !text.includes("/root") && !text.includes("/work"), text);
        }
    });

    it("load every implementation in a plain Node process started in the project, as Pulumi's provider host does", () => {
        // What @pulumi/pulumi/cmd/dynamic-provider does with the stored text: require-from-string, then handler().
        const script = `
            const requireFromString = require(require.resolve("require-from-string", { paths: [process.cwd()] }));
            const texts = JSON.parse(process.argv[1]);
            const methods = texts.map((t) => Object.keys(requireFromString(t).handler()).sort().join(","));
            console.log(JSON.stringify({ methods, ts: Boolean(require.extensions[".ts"]) }));`;
        const out = execFileSync(process.execPath, ["-e", script, JSON.stringify(IMPLEMENTATIONS.map(providerText))], {
            cwd: PROJECT,
            encoding: "utf8",
            env: { PATH: process.env.PATH ?? "" },
        });
        const { methods } = JSON.parse(out) as { methods: string[] };
        assert.deepEqual(methods, [
            "check,create,delete,diff,read,update",
            "check,create,delete,diff,read,update",
            "check,create,delete,diff,read,update",
            "check,create,delete,diff,read,update",
            "create,delete,diff,read,update",
            "check,create,delete,diff,read,update",
            "create,delete,diff,read,update",
            "check,create,delete,diff,read,update",
            "create,delete,diff,read,update",
            "check,create,delete,diff,read,update",
        ]);
    });

    it("turn a rejection that is not an Error into one that says where it came from", async () => {
        const wrapped = implementation("Thing", {
            create: () =>
                Promise.reject("boom") /* eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- the case under test */,
        });
        await assert.rejects(wrapped.create({}), (err: unknown) => err instanceof Error && err.message === "Thing create: boom");
    });

    it("report a change for a resource whose state still holds another provider, so the next up records the current one", async () => {
        const wrapped = implementation("Thing", { create: async () => ({ id: "x" }), diff: async () => ({ changes: false }) });
        assert.equal((await wrapped.diff!("x", { [PROVIDER_KEY]: "old closure" }, { [PROVIDER_KEY]: "new line" })).changes, true);
        assert.equal((await wrapped.diff!("x", { [PROVIDER_KEY]: "new line" }, { [PROVIDER_KEY]: "new line" })).changes, false);
    });
});

describe("docker runtime data owner diff", () => {
    const target = { node: "rs-dev-node-0", image: "sha256:1", volume: "rs-dev-node-0-data", labels: { "redis-stack.stack": "rs-dev" } };

    it("runs again (deleted first, then created) only for a new volume; a new image is recorded", async () => {
        const moved = await dataOwnerProvider.diff!("v", target, { ...target, volume: "rs-dev2-node-0-data" });
        assert.deepEqual([moved.changes, moved.replaces, moved.deleteBeforeReplace], [true, ["volume"], true]);
        const image = await dataOwnerProvider.diff!("v", target, { ...target, image: "sha256:2" });
        assert.deepEqual([image.changes, image.replaces], [true, []]);
        assert.equal((await dataOwnerProvider.diff!("v", target, { ...target })).changes, false);
    });
});

describe("engine volume and network diff", () => {
    const labels = { "redis-stack.stack": "s", "redis-stack.kind": "cluster-node" };

    it("a volume with new labels only is updated, never replaced (replacing would delete the node's data)", async () => {
        const result = await volumeProvider.diff!(
            "v",
            { name: "v", labels },
            { name: "v", labels: { ...labels, "redis-stack.runtime": "engine" } },
        );
        assert.equal(result.changes, true);
        assert.deepEqual(result.replaces, []);
        const updated = await volumeProvider.update!("v", { name: "v", labels }, { name: "v", labels: { ...labels, extra: "1" } });
        assert.deepEqual(updated.outs, { name: "v", labels: { ...labels, extra: "1" } });
    });

    it("a volume with the same labels in another order has no change; a new name replaces it", async () => {
        const reversed = Object.fromEntries(Object.entries(labels).reverse());
        assert.equal((await volumeProvider.diff!("v", { name: "v", labels }, { name: "v", labels: reversed })).changes, false);
        assert.deepEqual((await volumeProvider.diff!("v", { name: "v", labels }, { name: "w", labels })).replaces, ["name"]);
    });

    it("an owner id alone changes neither (objects an earlier release made are kept as they are)", async () => {
        const owner = { stackLabel: "s", ownerId: "0b5e" };
        assert.equal((await volumeProvider.diff!("v", { name: "v", labels }, { name: "v", labels, owner })).changes, false);
        const spec = { name: "n", subnet: "172.30.57.0/24", gateway: "172.30.57.1", labels };
        assert.equal((await networkProvider.diff!("n", { spec }, { spec, owner })).changes, false);
    });

    it("the network is replaced for a new subnet, and only updated for new labels", async () => {
        const spec = { name: "n", subnet: "172.30.57.0/24", gateway: "172.30.57.1", labels };
        assert.deepEqual(
            (await networkProvider.diff!("n", { spec }, { spec: { ...spec, subnet: "172.30.58.0/24", gateway: "172.30.58.1" } })).replaces,
            ["spec"],
        );
        const relabelled = await networkProvider.diff!("n", { spec }, { spec: { ...spec, labels: { ...labels, extra: "1" } } });
        assert.equal(relabelled.changes, true);
        assert.deepEqual(relabelled.replaces, []);
    });
});
