// A Kubernetes stack made by the program as it was before RedisStack existed (its last commit, in a git worktree)
// is taken over in place by today's program: each pod replaced in its turn (their template is new), no claim
// replaced, node ids kept, the data its root-run nodes wrote handed to uid 999. Users
// and TLS make every former top-level resource (cluster, standalone, users, tls, the provider and the namespace)
// take part.
import { strict as assert } from "assert";
import { Stack } from "@pulumi/pulumi/automation";
import { TEST_IMAGE } from "../support/fixture";
import {
    KUBECONFIG,
    buildKubernetesToolchain,
    clusterRuns,
    kubectl,
    kubernetesCliEnv,
    startLocalCluster,
    stopLocalCluster,
} from "../support/kubernetes";
import { noChangeAfter, nodeIds, previousReleaseStack, upgradeInPlace } from "../support/previousRelease";
import { claimEntriesNotOwnedBy, podServerStatus } from "../support/podPrivileges";

describe("upgrade: a Kubernetes stack of the program before RedisStack is taken over in place (local single-node Kubernetes)", function () {
    this.timeout(900000);
    const name = `upgradek8s${Date.now().toString(36)}`;
    const namespace = `rs-${name}`;
    let startedCluster = false;
    /** Every pod's and claim's uid, and each pod's restart count: all stay when nothing is replaced or restarted. */
    const objects = () =>
        kubectl(
            "-n",
            namespace,
            "get",
            "pods,pvc",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.metadata.uid} {.status.containerStatuses[0].restartCount}{'\\n'}{end}",
        )
            .split("\n")
            .sort();
    let previousObjects: { objects: string[]; nodeIds: string[]; rootData: string[] };
    const podNames = () => kubectl("-n", namespace, "get", "pods", "-o", "jsonpath={.items[*].metadata.name}").split(" ");
    /** Entries of the pods' claims that are not uid 999's. */
    const notTheNodeUsers = () => podNames().flatMap((pod) => claimEntriesNotOwnedBy(namespace, pod, "999:999"));
    before(function () {
        buildKubernetesToolchain();
        if (!clusterRuns()) {
            startLocalCluster();
            startedCluster = true;
        }
    });
    const previous = previousReleaseStack(
        name,
        {
            "redis-stack:runtime": { value: "kubernetes" },
            "redis-stack:image": { value: TEST_IMAGE },
            "redis-stack:kubeconfig": { value: KUBECONFIG },
            "redis-stack:namespace": { value: namespace },
            "redis-stack:password": { value: "upgrade-Secret-43", secret: true },
            "redis-stack:tls": { value: "true" },
        },
        kubernetesCliEnv(),
        async (stack) => {
            previousObjects = { objects: objects(), nodeIds: await nodeIds(stack), rootData: notTheNodeUsers() };
        },
    );
    after(() => {
        try {
            kubectl("delete", "namespace", namespace, "--ignore-not-found", "--wait=false");
        } catch {
            /* the cluster is gone */
        }
        if (startedCluster) stopLocalCluster();
    });
    let stack: Stack;

    it("previews no replacement or deletion, and the up after it replaces every pod in its turn (a new template: its probes, uid 999), keeps every claim and node id, and hands the claims' files to uid 999", async () => {
        assert.equal(
            previousObjects.objects.filter((o) => /^(node-\d|standalone)-0 /.test(o)).length,
            7,
            previousObjects.objects.join("\n"),
        );
        stack = await previous.takeOver();
        // New: the rules check of each component's users (a running node judges them before the auth Secret takes them),
        // the data guard (it records where the data lives) and the stack's NetworkPolicy.
        await upgradeInPlace(
            stack,
            [
                "pulumi-nodejs:dynamic/redis-stack:KubernetesUserRules",
                "pulumi-nodejs:dynamic/redis-stack:DataGuard",
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                // The final backup's resource (off: it does nothing).
                "pulumi-nodejs:dynamic/redis-stack:FinalBackup",
                // What each node serves, now that the program signs its certificate (the CA's key in no node's resource);
                // each NodeCertificate is kept as it is, its certificate still served.
                "pulumi-nodejs:dynamic/redis-stack:ServedCertificate",
            ],
            [
                // The probes ask the node's own socket now, and the pods run as uid 999 under the default seccomp filter
                // with no capability or privilege escalation, their claims handed to that user first: a new pod template,
                // which each node's NodePod rolls out; the formation then looks at the nodes again.
                "kubernetes:apps/v1:StatefulSet",
                "pulumi-nodejs:dynamic/redis-stack:NodePod",
                "pulumi-nodejs:dynamic/redis-stack:ClusterFormation",
            ],
        );
        const claims = (list: string[]) => list.filter((o) => /^\S+-data /.test(o));
        const pods = (list: string[]) => list.filter((o) => /^(node-\d|standalone)-0 /.test(o)).map((o) => o.split(" ").slice(0, 2));
        assert.deepEqual(claims(objects()), claims(previousObjects.objects), "every claim kept");
        assert.equal(pods(objects()).length, 7);
        for (const [name, uid] of pods(objects()))
            assert.ok(!pods(previousObjects.objects).some(([n, u]) => n === name && u === uid), `${name} replaced`);
        assert.deepEqual(await nodeIds(stack), previousObjects.nodeIds);
        // The previous release's pods ran redis-server as root, which wrote their claims; the new ones run as uid 999,
        // their claims handed to it by the data owner before redis-server starts.
        assert.ok(previousObjects.rootData.length > 0, "the previous release's nodes wrote their data as root");
        assert.deepEqual(notTheNodeUsers(), [], "every file of every claim is the node's user's");
        for (const pod of podNames()) assert.match(podServerStatus(namespace, pod, "redis").Uid, /^999\s+999\s+999\s+999$/, pod);
    });

    it("then previews no change at all", async () => noChangeAfter(stack));
});
