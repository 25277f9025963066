// The kubernetes runtime's password change and refresh, on the local single-node Kubernetes: a new
// password is taken by every running node in place (no pod restarts), the old one is refused, no key
// is lost; after a master's pod is deleted and its replica took over, `refresh` records the swapped roles.
import { strict as assert } from "assert";
import { Stack } from "@pulumi/pulumi/automation";
import { Cluster } from "ioredis";
import { waitClusterOk } from "../support/clusterState";
import { ask, kubectl, poll } from "../support/kubernetes";
import { kubernetesSuiteStack } from "../support/kubernetesStack";
import { withRawClient } from "../support/rawClient";
import { PROJECT_USER } from "../../components/settings/aclUsers";
import { passwordFromFile } from "../../components/topology/nodeHealth";
import { POD_AUTH_CONFIG_PATH } from "../../components/runtime/kubernetes/manifests";

const OLD_PASSWORD = `k8s-old-${Math.random().toString(36).slice(2)}`;
const NEW_PASSWORD = `k8s-new-${Math.random().toString(36).slice(2)}`;
const KEYS = 200;

interface NodeState {
    name: string;
    id: string;
    role: string;
    /** Announced `host:port`. */
    address: string;
    replicaOf?: string;
}

/** AUTH with `password` on one node: "OK", or the node's refusal. */
function auth(address: string, password: string): Promise<string> {
    return withRawClient(address, (c) => c.auth(password)).catch((err: Error) => err.message);
}

describe("kubernetes runtime: password change in place and refresh (local single-node Kubernetes)", function () {
    const suite = kubernetesSuiteStack("pw", {
        "redis-stack:password": { value: OLD_PASSWORD, secret: true },
        // Short, so that a deleted master's pod is failed over before it is back.
        "redis-stack:clusterNodeTimeoutMs": { value: "1000" },
    });
    const { namespace } = suite;
    let stack: Stack;
    let seeds: string[] = [];
    let standalone = "";

    const podUids = () =>
        kubectl(
            "get",
            "pods",
            "-n",
            namespace,
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}/{.status.containerStatuses[0].restartCount} {end}",
        );

    before(async function () {
        stack = suite.stack;
        const result = await stack.up();
        seeds = result.outputs.clusterSeeds.value as string[];
        standalone = (result.outputs.standaloneUrl.value as string).replace("redis://", "");
        const cluster = new Cluster(
            seeds.map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            { redisOptions: { password: OLD_PASSWORD } },
        );
        try {
            for (let i = 0; i < KEYS; i++) await cluster.set(`pw-key-${i}`, `value-${i}`);
        } finally {
            cluster.disconnect();
        }
    });

    it("a new password: every node takes it in place (no pod restarted), the old one is refused, no key is lost", async () => {
        const podsBefore = podUids();
        await stack.setConfig("redis-stack:password", { value: NEW_PASSWORD, secret: true });
        const started = Date.now();
        assert.equal((await stack.up()).summary.result, "succeeded");
        console.log(`      password change up: ${Date.now() - started} ms`);
        assert.equal(podUids(), podsBefore, "no pod was replaced or restarted");
        for (const address of [...seeds, standalone]) {
            assert.equal(await auth(address, NEW_PASSWORD), "OK", address);
            assert.match(await auth(address, OLD_PASSWORD), /WRONGPASS/, address);
        }
        await waitClusterOk(seeds, NEW_PASSWORD, 60000);
        const cluster = new Cluster(
            seeds.map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            { redisOptions: { password: NEW_PASSWORD } },
        );
        try {
            for (let i = 0; i < KEYS; i++) assert.equal(await cluster.get(`pw-key-${i}`), `value-${i}`);
        } finally {
            cluster.disconnect();
        }
    });

    it("no pod restarts while the kubelet brings the mounted Secret up to date: the probes take the refused old password as an answer", async () => {
        const podsBefore = podUids();
        const pods = [...seeds.map((_, i) => ({ pod: `node-${i}-0`, port: 7000 + i })), { pod: "standalone-0", port: 6379 }];
        const started = Date.now();
        // What the probes send: the password in the pod's mounted file, which the node accepts once the kubelet synced it.
        for (const { pod, port } of pods) {
            const ping = `${passwordFromFile(POD_AUTH_CONFIG_PATH)} redis-cli --user ${PROJECT_USER} -h 127.0.0.1 -p ${port} ping`;
            await poll(`${pod}'s mounted auth file holds the new password`, 180000, async () =>
                kubectl("exec", pod, "-n", namespace, "--", "sh", "-c", ping) === "PONG" ? true : undefined,
            );
        }
        console.log(`      every pod's mounted auth file had the new password after ${Date.now() - started} ms`);
        assert.equal(podUids(), podsBefore, "no container restarted meanwhile");
    });

    it("a restarted pod starts with the new password (the Secret holds it)", async () => {
        const uidBefore = kubectl("get", "pod", "standalone-0", "-n", namespace, "-o", "jsonpath={.metadata.uid}");
        kubectl("delete", "pod", "standalone-0", "-n", namespace, "--wait=false");
        await poll("the standalone pod is back and takes the new password", 120000, async () => {
            const uid = kubectl("get", "pod", "standalone-0", "-n", namespace, "-o", "jsonpath={.metadata.uid}");
            if (uid === "" || uid === uidBefore) return undefined;
            return (await auth(standalone, NEW_PASSWORD)) === "OK" ? true : undefined;
        });
        assert.match(await auth(standalone, OLD_PASSWORD), /WRONGPASS/);
    });

    it("refresh after a master's pod was deleted and its replica took over: the state records the swapped roles", async () => {
        const formationStates = async (): Promise<NodeState[]> => {
            const state = await stack.exportStack();
            const resources = (state.deployment as { resources: { type: string; outputs?: { nodeStates?: NodeState[] } }[] }).resources;
            return resources.find((r) => r.type.endsWith(":ClusterFormation"))!.outputs!.nodeStates!;
        };
        const before = await formationStates();
        const master = before.find((n) => n.name.endsWith("-node-0"))!;
        assert.equal(master.role, "master");
        const replica = before.find((n) => n.role === "replica" && n.replicaOf === master.name)!;
        kubectl("delete", "pod", "node-0-0", "-n", namespace, "--wait=false");
        // The replica is promoted, and the deleted master's pod comes back as its replica. The pod can be
        // back (about 3 s here) before Redis fails it over on its own: then the replica is asked to take
        // over (CLUSTER FAILOVER FORCE), as an operator would; either way the roles swap behind the state's back.
        const promoted = await poll("a replica of node-0 is promoted", 120000, async () => {
            if ((await ask(replica.address, NEW_PASSWORD, "ROLE"))?.startsWith("slave")) {
                await ask(replica.address, NEW_PASSWORD, "CLUSTER", "FAILOVER", "FORCE");
            }
            for (const seed of seeds.slice(1)) {
                const role = await ask(seed, NEW_PASSWORD, "ROLE");
                const myId = await ask(seed, NEW_PASSWORD, "CLUSTER", "MYID");
                if (role?.startsWith("master") && myId !== undefined && before.find((n) => n.id === myId)?.role === "replica") return myId;
            }
            return undefined;
        });
        assert.equal(promoted, replica.id);
        await waitClusterOk(seeds, NEW_PASSWORD, 120000);
        await poll("node-0 is back as a replica", 120000, async () =>
            (await ask(seeds[0], NEW_PASSWORD, "ROLE"))?.startsWith("slave") ? true : undefined,
        );
        await stack.refresh();
        const after = await formationStates();
        assert.equal(after.find((n) => n.id === master.id)?.role, "replica");
        assert.equal(after.find((n) => n.id === promoted)?.role, "master");
        assert.equal(after.filter((n) => n.role === "master").length, 3);
    });
});
