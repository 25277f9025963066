// `redis-stack:externalAccess` on the local single-node Kubernetes, played from outside the cluster: with the
// Services' range blackholed on this machine (no ClusterIP opens from here), an ioredis Cluster client given one
// external seed finds every node and follows MOVED redirects to the nodes' external addresses, and the standalone
// node answers at its external URL. nodePort: every node at the external host's NodePorts; loadBalancer: every node at
// its own load balancer's address (kube-router's allocator gives one from the local cluster's load balancer range,
// which this machine reaches through kube-proxy as it would a cloud's load balancer; that allocator may give Services
// created at once the same address, which kube-proxy tells apart by their ports, so the test checks each node's
// address against its own Service's status rather than asking every address to differ). The stack's own code reaches the
// nodes through the API server (access portForward).
import { strict as assert } from "assert";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { kubectl } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { RECIPE_KEYS } from "../support/recipe";
import { LOAD_BALANCER_PREFIX, NODE_IP, NODE_NETWORK, blackholeServices, opens } from "../support/serviceRange";

const PASSWORD = `k8s-${Math.random().toString(36).slice(2)}-Secret`;

const addressOf = (seed: string) => ({ host: seed.slice(0, seed.lastIndexOf(":")), port: Number(seed.slice(seed.lastIndexOf(":") + 1)) });

/**
 * What a client on this machine finds from outside the cluster, given the stack's outputs: CLUSTER SLOTS and MOVED
 * name external seeds only, a Cluster client given the first seed writes and reads the recipe's keys on three masters
 * it knows at their external seeds, and the standalone node answers at its external URL.
 */
async function reachedFromOutside(outputs: OutputMap): Promise<void> {
    const seeds = outputs.clusterExternalSeeds.value as string[];
    const clusterIps = outputs.clusterSeeds.value as string[];
    assert.equal(await opens(clusterIps[0]), false, "a node's ClusterIP must not be reachable from here");

    // A plain client at one seed is redirected to the owner of a key elsewhere, at that node's external address.
    const single = new Redis({ ...addressOf(seeds[0]), password: PASSWORD, lazyConnect: true });
    await single.connect();
    try {
        const slots = (await single.call("CLUSTER", "SLOTS")) as [number, number, [string, number]][];
        assert.equal(slots.length, 3);
        for (const [, , [host, port]] of slots)
            assert.ok(seeds.includes(`${host}:${port}`), `CLUSTER SLOTS names ${host}:${port}, an external seed`);
        const replies = await Promise.all(
            RECIPE_KEYS.map(([key]) =>
                single.get(key).then(
                    () => "",
                    (err: Error) => err.message,
                ),
            ),
        );
        const moved = replies.flatMap((reply) => /^MOVED \d+ (\S+)$/.exec(reply)?.[1] ?? []);
        assert.ok(moved.length > 0, `a redirect: ${replies.join("; ")}`);
        for (const to of moved) assert.ok(seeds.includes(to), `MOVED to ${to}, an external seed`);
    } finally {
        single.disconnect();
    }

    const cluster = new Cluster([addressOf(seeds[0])], { redisOptions: { password: PASSWORD } });
    try {
        for (const [key, value] of RECIPE_KEYS) assert.equal(await cluster.set(key, value), "OK");
        for (const [key, value] of RECIPE_KEYS) assert.equal(await cluster.get(key), value);
        // The recipe's keys live on three different masters: each got one, at its external address.
        const masters = cluster.nodes("master");
        const known = masters.map((node) => `${node.options.host}:${node.options.port}`);
        assert.equal(known.length, 3);
        for (const address of known) assert.ok(seeds.includes(address), `the client knows master ${address} at an external seed`);
        assert.deepEqual(await Promise.all(masters.map((node) => node.dbsize())), [1, 1, 1]);
    } finally {
        cluster.disconnect();
    }

    const standalone = new Redis(outputs.standaloneExternalUrl.value as string, { password: PASSWORD });
    try {
        assert.equal(await standalone.ping(), "PONG");
    } finally {
        standalone.disconnect();
    }
}

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
            assert.deepEqual(
                outputs.clusterExternalSeeds.value,
                [0, 1, 2, 3, 4, 5].map((i) => `${NODE_IP}:${31000 + i}`),
            );
            assert.equal(outputs.standaloneExternalUrl.value, `redis://${NODE_IP}:31379`);
            await reachedFromOutside(outputs);
        } finally {
            restore();
        }
    });
});

describe("kubernetes runtime with externalAccess loadBalancer (Service range unreachable from this machine)", function () {
    const suite = kubernetesSuiteStack("lb", {
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:access": { value: "portForward" },
        "redis-stack:externalAccess": { value: "loadBalancer" },
    });
    const { log } = suite;
    let stack: Stack;

    before(function () {
        stack = suite.stack;
    });

    it("every node announces its own load balancer's address: a cluster client on this machine, given one seed, writes and reads the recipe's keys across the masters' load balancers; the standalone node answers at its own", async () => {
        const restore = blackholeServices();
        try {
            // Admitted: the range of this machine's address on the node's bridge, where its traffic comes from (as a
            // cloud user lists their own network's).
            await stack.setConfig("redis-stack:loadBalancerSourceRanges[0]", { value: NODE_NETWORK }, true);
            const result = await timed("up from nothing (externalAccess loadBalancer)", () => stack.up({ onOutput: log }));
            assert.equal(result.summary.result, "succeeded");
            const outputs = result.outputs;
            // Each node at the usual client port of its own load balancer, whose address the cluster gave it.
            const ingress = (service: string) =>
                kubectl("-n", suite.namespace, "get", "service", service, "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}");
            assert.deepEqual(
                outputs.clusterExternalSeeds.value,
                [0, 1, 2, 3, 4, 5].map((i) => `${ingress(`node-${i}-external`)}:${7000 + i}`),
            );
            assert.equal(outputs.standaloneExternalUrl.value, `redis://${ingress("standalone-external")}:6379`);
            for (const seed of outputs.clusterExternalSeeds.value)
                assert.ok(seed.startsWith(LOAD_BALANCER_PREFIX), `${seed} is at a load balancer's address`);
            await reachedFromOutside(outputs);
        } finally {
            restore();
        }
    });
});
