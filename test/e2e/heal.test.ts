// The project's `up` heals: a master and a replica, in turn stopped (docker stop), killed (SIGKILL,
// docker kill) and removed (docker rm -f), each come back with their node id and data, the cluster
// returns to ok, and no key is lost.
import { strict as assert } from "assert";
import Dockerode from "dockerode";
import Redis, { Cluster } from "ioredis";
import { waitClusterOk } from "../support/clusterState";
import { ScriptStack } from "../support/projectScripts";

const PASSWORD = `e2e-${Math.random().toString(36).slice(2)}-Heal`;
const KEYS = 500;

interface NodeOutput {
    name: string;
    id: string;
    hostAddress: string;
}

describe("end to end: the project's up brings back stopped, killed and removed nodes", function () {
    const stack = new ScriptStack(`e2eheal${Date.now().toString(36)}`, {
        basePort: 7970,
        standalonePort: 6388,
        subnet: "172.30.125.0/24",
        password: PASSWORD,
    });
    const docker = new Dockerode();
    let seeds: string[] = [];
    let ids: Record<string, string> = {};

    const cluster = () =>
        new Cluster(
            seeds.map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            { redisOptions: { password: PASSWORD } },
        );

    /** A node of that live role, asked on the node itself (failovers of earlier tests swap roles). */
    async function nodeWithRole(role: "master" | "replica"): Promise<NodeOutput> {
        for (const node of (await stack.outputs()).clusterNodes as NodeOutput[]) {
            const client = new Redis({ host: "127.0.0.1", port: Number(node.hostAddress.split(":")[1]), password: PASSWORD });
            try {
                if (((await client.call("ROLE")) as string[])[0] === (role === "master" ? "master" : "slave")) return node;
            } finally {
                client.disconnect();
            }
        }
        throw new Error(`no ${role} found`);
    }

    async function keysIntact(): Promise<number> {
        const c = cluster();
        try {
            let intact = 0;
            for (let i = 0; i < KEYS; i++) if ((await c.get(`heal:${i}`)) === String(i)) intact++;
            return intact;
        } finally {
            c.disconnect();
        }
    }

    before(async function () {
        await stack.init();
        await stack.runScript("up");
        const outputs = await stack.outputs();
        seeds = outputs.clusterSeeds as string[];
        ids = Object.fromEntries((outputs.clusterNodes as NodeOutput[]).map((n) => [n.name, n.id]));
        const c = cluster();
        try {
            for (let i = 0; i < KEYS; i++) await c.set(`heal:${i}`, String(i));
            // Every key on a replica too, so a failover keeps it.
            for (const node of c.nodes("master")) await node.call("WAIT", "1", "5000");
        } finally {
            c.disconnect();
        }
    });
    after(() => stack.remove());

    const harms: Record<string, (name: string) => Promise<unknown>> = {
        "stopped (docker stop)": (name) => docker.getContainer(name).stop({ t: 1 }),
        "killed (docker kill, SIGKILL)": (name) => docker.getContainer(name).kill({ signal: "SIGKILL" }),
        "removed (docker rm -f)": (name) => docker.getContainer(name).remove({ force: true }),
    };
    for (const [harm, doHarm] of Object.entries(harms)) {
        for (const role of ["master", "replica"] as const) {
            it(`a ${role} ${harm}: the project's up brings it back with its node id, the cluster is ok on every node, no key is lost`, async () => {
                const victim = await nodeWithRole(role);
                await doHarm(victim.name);
                const containerBefore = await docker
                    .getContainer(victim.name)
                    .inspect()
                    .catch(() => undefined);
                assert.ok(!containerBefore?.State.Running, `${victim.name} is down before the up`);

                await stack.runScript("up");
                const after = await docker.getContainer(victim.name).inspect();
                assert.equal(after.State.Running, true, `${victim.name} runs again`);
                await waitClusterOk(seeds, PASSWORD, 60000);
                const nodes = (await stack.outputs()).clusterNodes as NodeOutput[];
                assert.deepEqual(Object.fromEntries(nodes.map((n) => [n.name, n.id])), ids, "every node kept its cluster identity");
                assert.equal(await keysIntact(), KEYS);
            });
        }
    }
});
