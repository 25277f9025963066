// A node's resources do not depend on how many nodes there are: adding nodes declares new resources
// and changes the formation, but no existing container or volume gets a new input (so `up` updates
// none of them, and each node's inputs stay the same size whatever the cluster's).
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseSettings } from "../../components/settings/config";
import { RedisCluster } from "../../components/nodes/redisCluster";
import { placeOnDocker } from "../../components/runtime/dockerPlacement";
import { buildTopology } from "../../components/topology/topology";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** The resources a RedisCluster declares under mocks, by name. */
async function declareCluster(masters: number, replicasPerMaster: number): Promise<Map<string, Registered>> {
    const resources = new Map<string, Registered>();
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                resources.set(args.name, { type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: { ...args.inputs, containerId: `${args.name}-container` } };
            },
            call: (args) => args.inputs,
        },
        "redis-stack",
        "unit",
        false,
        "organization",
    );
    const settings = parseSettings({ masters: String(masters), replicasPerMaster: String(replicasPerMaster) });
    const topology = buildTopology(settings, "redis-stack-unit");
    const docker = placeOnDocker(topology, settings, "redis-stack-unit");
    const cluster = new RedisCluster("cluster", { topology, docker, runtime: "engine", check: false });
    // Every registration has happened once the outputs that depend on all of them resolve.
    await new Promise((resolve) => cluster.nodes.apply(resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    return resources;
}

const perNode = (resources: Map<string, Registered>) => [...resources.values()].filter((r) => /EngineContainer|EngineVolume/.test(r.type));

describe("node inputs do not grow or change with the number of nodes", function () {
    this.timeout(30000);

    for (const [from, to] of [
        [
            [20, 0],
            [21, 0],
        ],
        [
            [10, 1],
            [11, 1],
        ],
    ] as const) {
        it(`${from[0] * (1 + from[1])} -> ${to[0] * (1 + to[1])} nodes (masters ${from[0]} -> ${to[0]}, ${from[1]} replicas each): every existing container and volume keeps its inputs`, async () => {
            const before = await declareCluster(from[0], from[1]);
            const after = await declareCluster(to[0], to[1]);
            const existing = perNode(before);
            assert.equal(existing.length, 2 * from[0] * (1 + from[1]));
            for (const resource of existing) {
                assert.deepEqual(after.get(resource.name)?.inputs, resource.inputs, `${resource.name} changed`);
            }
            assert.equal(perNode(after).length - existing.length, 2 * (to[0] * (1 + to[1]) - from[0] * (1 + from[1])));
        });
    }

    it("a container's inputs are the same size in a 6-node and a 60-node cluster", async () => {
        const size = (resources: Map<string, Registered>) => JSON.stringify(resources.get("cluster-node-0")!.inputs).length;
        assert.equal(size(await declareCluster(30, 1)), size(await declareCluster(3, 1)));
    });
});
