// The kubernetes runtime for real: the single-node Kubernetes that scripts/k8s/ builds and runs on this
// machine, the pulumi-resource-kubernetes it builds, and index.ts through the Automation API. From
// where the test runs, the nodes' Service ClusterIPs are reachable directly (see scripts/k8s/README.md).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { waitClusterOk } from "../support/clusterState";
import { ask, kubectl, poll } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { withRawClient } from "../support/rawClient";
import { POD_AUTH_CONFIG_PATH } from "../../components/runtime/kubernetes/manifests";
import { RECIPE_KEYS } from "../support/recipe";
import { runBackup } from "../support/backupScript";
import { RdbLoader } from "../support/rdbLoader";
import { connects, reachesSoon, startProbePod } from "../support/reachability";
import { claimEntriesNotOwnedBy, podCanWrite, podServerStatus, secretFileMode } from "../support/podPrivileges";

const PASSWORD = `k8s-${Math.random().toString(36).slice(2)}-Secret`;

/** The first slot of a node's ranges. */
const slotStart = (ranges: readonly string[]) => Math.min(...ranges.map((r) => Number(r.split("-")[0])));

/** Whether `slot` is in a range as the outputs print it (`0-5460`, or one slot). */
function slotIn(slot: number, range: string): boolean {
    const [from, to] = range.split("-").map(Number);
    return slot >= from && slot <= (to ?? from);
}

interface NodeOutput {
    name: string;
    id: string;
    role: string;
    address: string;
    hostAddress: string;
    replicaOf?: string;
    slots: string[];
}

describe("kubernetes runtime end to end (local single-node Kubernetes)", function () {
    const suite = kubernetesSuiteStack("", { "redis-stack:password": { value: PASSWORD, secret: true } });
    const { namespace, log } = suite;
    let stack: Stack;
    let outputs: OutputMap;

    /** A namespace the stack's allowFrom admits to the client ports (by its name label), and one it does not. */
    const allowedNamespace = `${namespace}-allowed`;
    const otherNamespace = `${namespace}-other`;

    before(async function () {
        stack = suite.stack;
        // As a user sets it (pulumi config set --path).
        await stack.setAllConfig(
            { 'redis-stack:allowFrom[0].namespaceSelector["kubernetes.io/metadata.name"]': { value: allowedNamespace } },
            true,
        );
        const result = await timed("up from nothing", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    });

    const seeds = () => outputs.clusterSeeds.value as string[];
    const nodes = () => outputs.clusterNodes.value as NodeOutput[];

    it("up from nothing: every node reports cluster_state:ok; 3 masters and 3 replicas cover the slots", async () => {
        for (const seed of seeds()) {
            const info = await ask(seed, PASSWORD, "CLUSTER", "INFO");
            assert.match(info ?? "", /cluster_state:ok/, seed);
        }
        assert.equal(nodes().filter((n) => n.role === "master").length, 3);
        assert.equal(nodes().filter((n) => n.role === "replica" && n.replicaOf).length, 3);
        assert.equal(outputs.namespace.value, namespace);
        assert.deepEqual(outputs.clusterServices.value, ["node-0", "node-1", "node-2", "node-3", "node-4", "node-5"]);
        // Seeds are the Services' ClusterIPs, which pods (and this machine) reach; nothing to translate.
        assert.deepEqual(outputs.natMap.value, {});
        for (const [i, seed] of seeds().entries()) {
            assert.equal(
                seed,
                `${kubectl("get", "service", `node-${i}`, "-n", namespace, "-o", "jsonpath={.spec.clusterIP}")}:${7000 + i}`,
            );
        }
    });

    it("requires the password on every node, which appears in no pod spec", async () => {
        for (const seed of [...seeds(), (outputs.standaloneUrl.value as string).replace("redis://", "")]) {
            await withRawClient(seed, async (c) => {
                await assert.rejects(c.call("PING"), /NOAUTH/, `${seed} answers without a password`);
                await assert.rejects(c.call("AUTH", "not-the-Password-1"), /WRONGPASS/, `${seed} accepts a wrong password`);
            });
        }
        assert.ok(!kubectl("get", "pods,statefulsets", "-n", namespace, "-o", "json").includes(PASSWORD));
        assert.ok(!suite.cliOutput.includes(PASSWORD));
    });

    it("keys written through ioredis Cluster at the seeds are read back, and the standalone URL works", async () => {
        const cluster = new Cluster(
            seeds().map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            { redisOptions: { password: PASSWORD } },
        );
        try {
            for (let i = 0; i < 100; i++) assert.equal(await cluster.set(`k8s-key-${i}`, `value-${i}`), "OK");
            for (let i = 0; i < 100; i++) assert.equal(await cluster.get(`k8s-key-${i}`), `value-${i}`);
        } finally {
            cluster.disconnect();
        }
        const standalone = new Redis(outputs.standaloneUrl.value as string, { password: PASSWORD });
        try {
            assert.equal(await standalone.set("standalone-key", "here"), "OK");
            assert.equal(await standalone.get("standalone-key"), "here");
        } finally {
            standalone.disconnect();
        }
    });

    it("npm run backup from this machine (access direct): an RDB per master as the cluster names them, holding its keys, and the standalone node's", async () => {
        const parent = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-backups-"));
        const loader = new RdbLoader();
        try {
            const { dir, manifest, ms } = runBackup(suite, parent);
            console.log(`      npm run backup on Kubernetes: ${ms} ms`);
            const masters = nodes().filter((n) => n.role === "master");
            assert.deepEqual(
                manifest.masters.map((m) => [m.node, m.id, m.slots]),
                masters.map((n) => [n.name, n.id, n.slots]).sort((a, b) => slotStart(a[2] as string[]) - slotStart(b[2] as string[])),
            );
            let keys = 0;
            for (const master of manifest.masters) {
                const file = await loader.load(dir, master.file);
                try {
                    const count = await file.dbsize();
                    const address = masters.find((n) => n.name === master.node)!.address;
                    assert.equal(String(count), await ask(address, PASSWORD, "DBSIZE"), `${master.node}: the keys it holds`);
                    keys += count;
                } finally {
                    file.disconnect();
                }
            }
            assert.ok(keys >= 100, `${keys} keys in the masters' files`);
            const standalone = await loader.load(dir, manifest.standalone!.file);
            try {
                assert.equal(await standalone.get("standalone-key"), "here");
            } finally {
                standalone.disconnect();
            }
        } finally {
            loader.removeAll();
            fs.rmSync(parent, { recursive: true, force: true });
        }
    });

    it("the recipe's keys through redis-cli -c from a pod: written and read at one seed, redirected to the masters that own them", () => {
        // As the hand-run recipe did from the host, from a pod in the cluster: every command at the first seed,
        // redis-cli following MOVED. The standalone node's pod has redis-cli and no seed routes back to it; the
        // password is read from its mounted auth file, never put on a command line.
        const [host, port] = seeds()[0].split(":");
        const cli = `redis-cli -c -h ${host} -p ${port}`;
        const script =
            `while read -r k v; do [ "$k" = requirepass ] && export REDISCLI_AUTH="$v"; done < ${POD_AUTH_CONFIG_PATH}; ` +
            RECIPE_KEYS.map(([key, value]) => `${cli} set ${key} ${value} && ${cli} get ${key} && ${cli} cluster keyslot ${key}`).join(
                " && ",
            );
        const lines = kubectl("exec", "standalone-0", "-n", namespace, "--", "sh", "-c", script).split("\n");
        const masters = nodes().filter((n) => n.role === "master");
        const owners = new Set<string>();
        RECIPE_KEYS.forEach(([key, value], i) => {
            const [set, got, slot] = lines.slice(3 * i, 3 * i + 3);
            assert.deepEqual([set, got], ["OK", value], key);
            const owner = masters.find((m) => m.slots.some((r) => slotIn(Number(slot), r)));
            assert.ok(owner, `${key}: slot ${slot} has an owner`);
            owners.add(owner.name);
        });
        // foo, hello and weather live on three different masters: two of the three went through a redirect.
        assert.equal(owners.size, 3);
    });

    it("NetworkPolicy: a bus port only from the stack's pods; the client ports from the stack's namespace and allowFrom, from nowhere else", async () => {
        const [host, port] = seeds()[0].split(":");
        const client = seeds()[0];
        const bus = `${host}:${Number(port) + 10000}`;
        const standalone = (outputs.standaloneUrl.value as string).replace("redis://", "");
        for (const ns of [allowedNamespace, otherNamespace]) kubectl("create", "namespace", ns);
        try {
            const [inStack, allowed, other] = await Promise.all(
                [namespace, allowedNamespace, otherNamespace].map((ns) => startProbePod(ns, "probe", { app: "probe" })),
            );
            // Admitted: a pod of the stack's namespace and one of the namespace allowFrom names.
            for (const probe of [inStack, allowed]) for (const target of [client, standalone]) assert.ok(await reachesSoon(probe, target));
            // The other namespace's pod reaches a pod no policy selects (its network works), but no node.
            assert.ok(await reachesSoon(other, inStack.address));
            assert.deepEqual(
                [client, standalone, bus].map((target) => connects(other, target)),
                [false, false, false],
                "a pod of another namespace reaches a node",
            );
            // No pod but the stack's own reaches a bus port.
            assert.deepEqual(
                [inStack, allowed].map((probe) => connects(probe, bus)),
                [false, false],
                "a pod that is not the stack's reaches a bus port",
            );
        } finally {
            kubectl("delete", "pod", "probe", "-n", namespace, "--ignore-not-found", "--wait=false");
            for (const ns of [allowedNamespace, otherNamespace]) kubectl("delete", "namespace", ns, "--ignore-not-found", "--wait=false");
        }
        // The stack's own pods still reach it (the refused connections above are the policy's, not the port's).
        const fromStackPod = kubectl(
            "exec",
            "standalone-0",
            "-n",
            namespace,
            "--",
            "sh",
            "-c",
            `redis-cli -h ${host} -p ${Number(port) + 10000} -t 2 ping 2>&1 || true`,
        );
        assert.doesNotMatch(fromStackPod, /Could not connect/);
    });

    it("least privilege: every pod's redis-server runs as uid 999 with no capability, no new privileges and a read-only root; its Secret's files are 0440 root:999; its claim is 999's", () => {
        const pods = kubectl(
            "-n",
            namespace,
            "get",
            "pods",
            "-l",
            "app.kubernetes.io/name=redis-stack",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ).split(" ");
        assert.equal(pods.length, 7, pods.join(", "));
        for (const pod of pods) {
            const status = podServerStatus(namespace, pod, "redis");
            assert.deepEqual([status.Uid, status.Gid], ["999\t999\t999\t999", "999\t999\t999\t999"], `${pod}: ${JSON.stringify(status)}`);
            assert.equal(status.CapEff, "0000000000000000", `${pod}'s effective capabilities`);
            assert.equal(status.NoNewPrivs, "1", `${pod} may gain privileges`);
            assert.equal(podCanWrite(namespace, pod, "redis", "/etc/probe-of-the-root"), false, `${pod} wrote to its root filesystem`);
            assert.equal(secretFileMode(namespace, pod, "auth", "auth.conf"), "440 0:999", `${pod}: the auth file`);
            assert.deepEqual(claimEntriesNotOwnedBy(namespace, pod, "999:999"), [], `${pod}: every file of its claim is the node's user's`);
        }
    });

    it("a second preview right after up reports no changes", async () => {
        const preview = await timed("no-op preview", () => stack.preview({ onOutput: log }));
        const changes = Object.entries(preview.changeSummary ?? {}).filter(([op, n]) => op !== "same" && n > 0);
        assert.deepEqual(changes, []);
    });

    it("a deleted master's pod comes back by itself with its node id and the cluster is ok again, with no up", async () => {
        const master = nodes().find((n) => n.role === "master" && n.name.endsWith("-node-0"))!;
        const pod = "node-0-0";
        const uidBefore = kubectl("get", "pod", pod, "-n", namespace, "-o", "jsonpath={.metadata.uid}");
        const started = Date.now();
        kubectl("delete", "pod", pod, "-n", namespace, "--wait=false");
        // A new pod (new uid), answering at the node's Service address with the id it had.
        await poll("the recreated pod answers with the same node id", 120000, async () => {
            const uid = kubectl("get", "pod", pod, "-n", namespace, "-o", "jsonpath={.metadata.uid}");
            if (uid === uidBefore || uid === "") return undefined;
            const id = await ask(master.address, PASSWORD, "CLUSTER", "MYID");
            if (id === undefined) return undefined;
            assert.equal(id, master.id, "the node id survived the pod's deletion");
            return id;
        });
        const backMs = Date.now() - started;
        await waitClusterOk(seeds(), PASSWORD, 120000);
        console.log(
            `      pod deleted -> node answers with its id: ${backMs} ms; -> cluster_state:ok on every node: ${Date.now() - started} ms`,
        );
        // Every node sees node-0 connected again, and the keys are all there.
        const view = await ask(seeds()[1], PASSWORD, "CLUSTER", "NODES");
        const line = (view ?? "").split("\n").find((l) => l.startsWith(master.id))!;
        assert.match(line, /connected/);
        assert.doesNotMatch(line, /fail/);
        const cluster = new Cluster(
            seeds().map((s) => ({ host: s.split(":")[0], port: Number(s.split(":")[1]) })),
            { redisOptions: { password: PASSWORD } },
        );
        try {
            for (let i = 0; i < 100; i++) assert.equal(await cluster.get(`k8s-key-${i}`), `value-${i}`);
        } finally {
            cluster.disconnect();
        }
    });

    it("a new namespace or storage class, which would replace every data claim: preview and up refuse it, naming the setting and the value that keeps the data; no claim or pod changes", async () => {
        const objects = () =>
            kubectl("-n", namespace, "get", "pods,pvc", "-o", "jsonpath={range .items[*]}{.metadata.name} {.metadata.uid}{'\\n'}{end}");
        const before = objects();
        for (const [key, value, expected] of [
            [
                "namespace",
                `${namespace}-moved`,
                new RegExp(`namespace: got "${namespace}-moved", but the data claims are in "${namespace}"`),
            ],
            ["storageClass", "local", /storageClass: got "local" for claims of the cluster's default: a claim's class cannot change/],
        ] as const) {
            await stack.setConfig(`redis-stack:${key}`, { value });
            try {
                for (const run of [() => stack.preview({ onOutput: log }), () => stack.up({ onOutput: log })]) {
                    await assert.rejects(run(), (err: Error) => {
                        assert.match(err.message, /this change would delete the stack's data:/);
                        assert.match(err.message, expected);
                        assert.match(err.message, /set allowDataReplacement true for that up/);
                        return true;
                    });
                }
            } finally {
                if (key === "namespace") await stack.setConfig("redis-stack:namespace", { value: namespace });
                else await stack.removeConfig(`redis-stack:${key}`);
            }
        }
        assert.equal(objects(), before);
        assert.equal(kubectl("get", "namespace", `${namespace}-moved`, "--ignore-not-found", "-o", "name"), "");
    });

    it("destroy removes everything it made: the namespace is gone", async () => {
        const result = await timed("destroy", () => stack.destroy({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        assert.throws(() => kubectl("get", "namespace", namespace), /NotFound/);
    });
});
