// Two RedisStacks of one program must not share names, host ports, subnets or namespaces (pure rules).
import { strict as assert } from "assert";
import { parseSettings } from "../../components/settings/config";
import { hostPortsNeeded } from "../../components/runtime/hostPorts";
import { StackFootprint, overlapProblems } from "../../components/stack/footprint";
import { placeOnDocker } from "../../components/runtime/dockerPlacement";
import { buildTopology } from "../../components/topology/topology";

function dockerFootprint(component: string, raw: Record<string, string> = {}): StackFootprint {
    const settings = parseSettings(raw);
    const namePrefix = `p-s-${component}`;
    const topology = placeOnDocker(buildTopology(settings, namePrefix), settings, namePrefix);
    return {
        component,
        namePrefix,
        hostPorts: hostPortsNeeded(topology),
        ...(settings.networkMode === "bridge" ? { subnet: settings.subnet } : {}),
        standaloneNode: topology.standalone.name,
    };
}

describe("stack footprints (several RedisStacks in one program)", () => {
    it("finds nothing between stacks with their own ports and subnets", () => {
        const cache = dockerFootprint("cache");
        const queue = dockerFootprint("queue", { basePort: "7100", standalonePort: "6380", subnet: "172.30.58.0/24" });
        assert.deepEqual(overlapProblems([cache], queue), []);
    });

    it("names basePort for a cluster port another stack publishes, and subnet for an overlapping network", () => {
        const cache = dockerFootprint("cache");
        const queue = dockerFootprint("queue", { standalonePort: "6380", subnet: "172.30.57.128/25" });
        const problems = overlapProblems([cache], queue);
        assert.equal(problems.length, 2);
        assert.match(
            problems[0],
            /^basePort: 127\.0\.0\.1:7000 \(client port of p-s-queue-node-0\) is also published by RedisStack "cache" of this program;/,
        );
        assert.match(
            problems[1],
            /^subnet: got "172\.30\.57\.128\/25", which overlaps 172\.30\.57\.0\/24 of RedisStack "cache" of this program;/,
        );
    });

    it("names standalonePort when only the standalone node's port is taken, also through a wildcard address", () => {
        const cache = dockerFootprint("cache", { publishAddress: "0.0.0.0" });
        const queue = dockerFootprint("queue", { basePort: "7100", subnet: "172.30.58.0/24" });
        const [problem, ...rest] = overlapProblems([cache], queue);
        assert.deepEqual(rest, []);
        assert.match(
            problem,
            /^standalonePort: 172\.30\.58\.1:6379 \(client port of p-s-queue-standalone\) is also published by RedisStack "cache"/,
        );
    });

    it("refuses a name prefix or a namespace another stack uses, on the same cluster only", () => {
        const kube = (component: string, namespace: string, kubeconfig = ""): StackFootprint => ({
            component,
            namePrefix: `p-s-${component}`,
            hostPorts: [],
            namespace: { name: namespace, kubeconfig },
            standaloneNode: `p-s-${component}-standalone`,
        });
        assert.match(
            overlapProblems([kube("a", "redis")], kube("b", "redis"))[0],
            /^namespace: got "redis", which RedisStack "a" of this program uses/,
        );
        assert.deepEqual(overlapProblems([kube("a", "redis", "/one")], kube("b", "redis", "/two")), []);
        assert.match(
            overlapProblems([kube("a", "x")], { ...kube("b", "y"), namePrefix: "p-s-a" })[0],
            /^namePrefix: got "p-s-a", which RedisStack "a"/,
        );
    });
});
