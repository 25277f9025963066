// How the stack's own connections find a node in portForward mode: the ClusterIP:port -> pod mapping,
// the resolver scoping that the provider side injects into the protocol layer, and the access as
// resources record it (by module name; older state by mode).
import { strict as assert } from "assert";
import { reachableAddress, reachingThrough, recordedAccess } from "../../components/contracts/nodeAccess";
import {
    PORT_FORWARD_MODULE,
    forwardTarget,
    portForwardAccess,
    portForwardOptions,
    servicesOf,
} from "../../components/runtime/kubernetes/nodeAccess";

const SERVICE_LIST = {
    kind: "ServiceList",
    items: [
        {
            metadata: { name: "node-0" },
            spec: {
                clusterIP: "10.213.128.10",
                ports: [
                    { name: "client", port: 7000, targetPort: 7000 },
                    { name: "bus", port: 17000, targetPort: 17000 },
                ],
            },
        },
        { metadata: { name: "node-1" }, spec: { clusterIP: "10.213.128.11", ports: [{ name: "client", port: 7001, targetPort: "7101" }] } },
        { metadata: { name: "standalone" }, spec: { clusterIP: "10.213.128.12", ports: [{ name: "client", port: 6379 }] } },
        { metadata: { name: "headless" }, spec: { clusterIP: "None", ports: [{ port: 7000 }] } },
    ],
};

describe("port-forward access: which pod and port a node address is forwarded to", () => {
    const services = servicesOf(SERVICE_LIST);

    it("maps a node Service's ClusterIP and client port to its StatefulSet's only pod and the target port", () => {
        assert.deepEqual(forwardTarget(services, "10.213.128.10", 7000), { pod: "node-0-0", port: 7000 });
        assert.deepEqual(forwardTarget(services, "10.213.128.10", 17000), { pod: "node-0-0", port: 17000 });
        assert.deepEqual(forwardTarget(services, "10.213.128.12", 6379), { pod: "standalone-0", port: 6379 });
    });

    it("follows a numeric targetPort, given as a number or a string", () => {
        assert.deepEqual(forwardTarget(services, "10.213.128.11", 7001), { pod: "node-1-0", port: 7101 });
    });

    it("finds nothing for an address no Service has, or a port the Service does not expose", () => {
        assert.equal(forwardTarget(services, "10.213.128.99", 7000), undefined);
        assert.equal(forwardTarget(services, "10.213.128.10", 7001), undefined);
        assert.equal(forwardTarget(services, "None", 7000)?.pod, "headless-0");
    });

    it("reads nothing from an answer without items", () => {
        assert.deepEqual(servicesOf(undefined), []);
        assert.deepEqual(servicesOf({ kind: "Status" }), []);
    });
});

describe("port-forward access: the resolver the protocol layer connects through", () => {
    const node = { name: "node-0", host: "10.213.128.10", port: 7000 };

    it("connects at the node's own address outside an operation that injects a resolver", async () => {
        assert.deepEqual(await reachableAddress(node), { host: "10.213.128.10", port: 7000 });
    });

    it("connects where the injected resolver says inside the operation, at any depth, and only there", async () => {
        const seen = await reachingThrough(
            async (n) => ({ host: "127.0.0.1", port: n.port + 40000 }),
            async () => {
                const nested = await Promise.resolve().then(() => reachableAddress(node));
                return [await reachableAddress(node), nested];
            },
        );
        assert.deepEqual(seen, [
            { host: "127.0.0.1", port: 47000 },
            { host: "127.0.0.1", port: 47000 },
        ]);
        assert.deepEqual(await reachableAddress(node), { host: "10.213.128.10", port: 7000 });
    });

    it("keeps two concurrent operations' resolvers apart", async () => {
        const tick = () => new Promise((resolve) => setImmediate(resolve));
        const run = (port: number) =>
            reachingThrough(
                async () => ({ host: "127.0.0.1", port }),
                async () => {
                    await tick();
                    const first = await reachableAddress(node);
                    await tick();
                    return [first.port, (await reachableAddress(node)).port];
                },
            );
        assert.deepEqual(await Promise.all([run(1111), run(2222)]), [
            [1111, 1111],
            [2222, 2222],
        ]);
    });
});

describe("node access as resources record it", () => {
    it("names the port-forward module and its options; the options read back as what forwards are opened with", () => {
        const recorded = portForwardAccess("/home/me/.kube/config", "redis-ns");
        assert.deepEqual(recorded, {
            module: PORT_FORWARD_MODULE,
            options: { kubeconfig: "/home/me/.kube/config", namespace: "redis-ns" },
        });
        assert.deepEqual(recordedAccess(recorded), recorded);
        assert.deepEqual(portForwardOptions(recorded.options), {
            mode: "portForward",
            kubeconfig: "/home/me/.kube/config",
            namespace: "redis-ns",
        });
    });

    it("reads state written before access was named by module ({ mode: portForward, ... }) as the same access", () => {
        const older = { mode: "portForward", kubeconfig: "", namespace: "redis-ns" };
        assert.deepEqual(recordedAccess(older), portForwardAccess("", "redis-ns"));
    });

    it("finds no access in a value that is absent, not known yet (a preview's unknown) or of an unknown mode", () => {
        assert.equal(recordedAccess(undefined), undefined);
        assert.equal(recordedAccess("04da6b54-80e4-46f7-96ec-b56ff0331ba9"), undefined);
        assert.equal(recordedAccess({ mode: "direct" }), undefined);
    });
});
