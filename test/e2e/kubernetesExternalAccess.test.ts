// `redis-stack:externalAccess nodePort` on the local single-node Kubernetes, played from outside the cluster: with
// the Services' range blackholed on this machine (no ClusterIP opens from here), an ioredis Cluster client given one
// external seed finds every node and follows MOVED redirects to the external host's NodePorts, and the standalone
// node answers at its external URL. The stack's own code reaches the nodes through the API server (access portForward).
import { strict as assert } from "assert";
import { Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { RECIPE_KEYS } from "../support/recipe";
import { NODE_IP, blackholeServices, opens } from "../support/serviceRange";

const PASSWORD = `k8s-${Math.random().toString(36).slice(2)}-Secret`;

describe("kubernetes runtime with externalAccess nodePort (Service range unreachable from this machine)", function () {
    const suite = kubernetesSuiteStack("ext", {
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:access": { value: "portForward" },
        "redis-stack:externalAccess": { value: "nodePort" },
        "redis-stack:externalHost": { value: NODE_IP },
    });
    const { log } = suite;
    let stack: Stack;

    before(function () {
        stack = suite.stack;
    });

    it("a cluster client on this machine, given one external seed, writes and reads the recipe's keys through the NodePorts, redirected to the external host; the standalone node answers at its external URL", async () => {
        const restore = blackholeServices();
        try {
            const result = await timed("up from nothing (externalAccess nodePort)", () => stack.up({ onOutput: log }));
            assert.equal(result.summary.result, "succeeded");
            const outputs = result.outputs;
            const seeds = outputs.clusterExternalSeeds.value as string[];
            assert.deepEqual(
                seeds,
                [0, 1, 2, 3, 4, 5].map((i) => `${NODE_IP}:${31000 + i}`),
            );
            const clusterIps = outputs.clusterSeeds.value as string[];
            assert.equal(await opens(clusterIps[0]), false, "a node's ClusterIP must not be reachable from here");

            // A plain client at one NodePort is redirected to the owner of a key elsewhere, at the external host.
            const single = new Redis({ host: NODE_IP, port: 31000, password: PASSWORD, lazyConnect: true });
            await single.connect();
            try {
                const slots = (await single.call("CLUSTER", "SLOTS")) as [number, number, [string, number]][];
                assert.equal(slots.length, 3);
                for (const [, , [host, port]] of slots) {
                    assert.equal(host, NODE_IP, "CLUSTER SLOTS names the external host");
                    assert.ok(seeds.includes(`${host}:${port}`), `${host}:${port} is an external seed`);
                }
                const moved = await Promise.all(
                    RECIPE_KEYS.map(([key]) =>
                        single.get(key).then(
                            () => "",
                            (err: Error) => err.message,
                        ),
                    ),
                );
                assert.ok(
                    moved.some((m) => new RegExp(`^MOVED \\d+ ${NODE_IP.replace(/\./g, "\\.")}:310\\d\\d$`).test(m)),
                    `a redirect to the external host: ${moved.join("; ")}`,
                );
            } finally {
                single.disconnect();
            }

            const cluster = new Cluster([{ host: NODE_IP, port: 31000 }], { redisOptions: { password: PASSWORD } });
            try {
                for (const [key, value] of RECIPE_KEYS) assert.equal(await cluster.set(key, value), "OK");
                for (const [key, value] of RECIPE_KEYS) assert.equal(await cluster.get(key), value);
                // The recipe's keys live on three different masters: each got one, through its NodePort.
                const masters = cluster.nodes("master");
                assert.deepEqual(
                    masters.map((node) => node.options.host),
                    [NODE_IP, NODE_IP, NODE_IP],
                    "the client knows the masters at the external host only",
                );
                assert.deepEqual(await Promise.all(masters.map((node) => node.dbsize())), [1, 1, 1]);
            } finally {
                cluster.disconnect();
            }

            const standalone = new Redis(outputs.standaloneExternalUrl.value as string, { password: PASSWORD });
            try {
                assert.equal(outputs.standaloneExternalUrl.value, `redis://${NODE_IP}:31379`);
                assert.equal(await standalone.ping(), "PONG");
            } finally {
                standalone.disconnect();
            }
        } finally {
            restore();
        }
    });
});
