import { strict as assert } from "assert";
import { ExistingContainer, containerRuntime, runtimeSwitchRefusal } from "../../components/runtime/runtimeSwitch";
import { RUNTIME_LABEL, STACK_LABEL } from "../../components/runtime/dockerPlacement";

const made = (name: string, runtime: string): ExistingContainer => ({
    name,
    labels: { [STACK_LABEL]: "rs-dev", [RUNTIME_LABEL]: runtime },
});
const unlabelled = (name: string, createdWithImage: string): ExistingContainer => ({
    name,
    labels: { [STACK_LABEL]: "rs-dev" },
    createdWithImage,
});
const nodes = (runtime: string) =>
    [0, 1, 2, 3, 4, 5].map((i) => made(`rs-dev-node-${i}`, runtime)).concat(made("rs-dev-standalone", runtime));

describe("runtime switch", () => {
    it("allows a stack with no containers yet, or whose containers the configured runtime made", () => {
        assert.equal(runtimeSwitchRefusal("engine", []), undefined);
        assert.equal(runtimeSwitchRefusal("engine", nodes("engine")), undefined);
        assert.equal(runtimeSwitchRefusal("docker", nodes("docker")), undefined);
    });

    it("refuses engine -> docker, naming the setting, both runtimes, the containers and the ways out", () => {
        const message = runtimeSwitchRefusal("docker", nodes("engine"));
        assert.equal(
            message,
            [
                "redis-stack:runtime is docker, but containers of this stack were made by another runtime; nothing was created or changed:",
                "  - engine: rs-dev-node-0, rs-dev-node-1, rs-dev-node-2, rs-dev-node-3, rs-dev-node-4, rs-dev-node-5, rs-dev-standalone",
                "Switching the runtime of a running stack would let both runtimes act on the same containers and volumes, a path to losing the data. " +
                    "Set it back (pulumi config set redis-stack:runtime engine), or run `pulumi destroy` first and then `pulumi up` with the new runtime " +
                    "(destroy deletes the data volumes unless redis-stack:retainData was true at the last `up`).",
            ].join("\n"),
        );
    });

    it("refuses docker -> engine the same way", () => {
        assert.match(
            runtimeSwitchRefusal("engine", nodes("docker"))!,
            /^redis-stack:runtime is engine[\s\S]* {2}- docker: rs-dev-node-0[\s\S]*Set it back \(pulumi config set redis-stack:runtime docker\)/,
        );
    });

    it("refuses when only some containers were made by another runtime (an interrupted switch)", () => {
        const message = runtimeSwitchRefusal("engine", [...nodes("engine").slice(1), made("rs-dev-node-0", "docker")])!;
        assert.match(message, / {2}- docker: rs-dev-node-0\n/);
        assert.ok(!message.includes("rs-dev-node-1"), "the engine-made containers are not listed");
    });

    it("offers only destroy when the containers come from several runtimes, or one this version does not know", () => {
        const mixed = runtimeSwitchRefusal("engine", [made("a", "docker"), made("b", "kubernetes")])!;
        assert.match(mixed, / {2}- docker: a\n {2}- kubernetes: b\n/);
        assert.match(mixed, /losing the data\. Run `pulumi destroy` first/);
        assert.ok(!mixed.includes("Set it back"));
    });

    it("takes a container made before the label by the image it was created with: an image id means the docker runtime", () => {
        // @pulumi/docker containers are created from RemoteImage.imageId; engine ones from the configured reference.
        assert.equal(containerRuntime(unlabelled("n", "sha256:" + "a".repeat(64))), "docker");
        assert.equal(containerRuntime(unlabelled("n", "redis:7.2")), "engine");
        assert.equal(containerRuntime(unlabelled("n", "redis@sha256:" + "b".repeat(64))), "engine");
        assert.equal(containerRuntime({ name: "n", labels: {} }), "engine");
        assert.equal(containerRuntime(made("n", "docker")), "docker");
        assert.equal(runtimeSwitchRefusal("engine", [unlabelled("n", "redis-stack-local/redis:7")]), undefined);
        assert.match(runtimeSwitchRefusal("docker", [unlabelled("n", "redis-stack-local/redis:7")])!, / {2}- engine: n/);
        assert.match(runtimeSwitchRefusal("engine", [unlabelled("n", "sha256:" + "c".repeat(64))])!, / {2}- docker: n/);
    });
});
