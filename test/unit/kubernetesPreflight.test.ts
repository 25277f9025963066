import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { kubeConnection } from "../../components/runtime/kubernetes/kubeApi";
import { kubeconfigProblem } from "../../components/runtime/kubernetes/kubeconfig";
import {
    OWNER_ANNOTATION,
    namespaceProblem,
    priorityClassProblem,
    storageClassProblem,
    unreachableProblem,
} from "../../components/runtime/kubernetes/preflightChecks";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const config = (user: Record<string, unknown>) => ({
    "current-context": "ctx",
    contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
    clusters: [{ name: "c", cluster: { server: "https://10.0.0.1:6443", "certificate-authority-data": b64("CA") } }],
    users: [{ name: "u", user }],
});

describe("kubernetes preflight: kubeconfig", () => {
    it("names every file tried and where the list came from", () => {
        const problem = kubeconfigProblem("", "/a:/b", "/home/x", () => false);
        assert.match(problem ?? "", /Tried \/a, \/b \(from KUBECONFIG\)/);
        assert.match(
            kubeconfigProblem("", undefined, "/home/x", () => false) ?? "",
            /\/home\/x\/\.kube\/config \(from the default location\)/,
        );
        assert.match(kubeconfigProblem("/k", "/a", "/home/x", () => false) ?? "", /Tried \/k \(from redis-stack:kubeconfig\)/);
    });

    it("reads the current context's server through the official client; a kubeconfig without a current context is refused, naming the file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-unit-kubeconfig-"));
        try {
            const good = path.join(dir, "good");
            fs.writeFileSync(good, yaml.dump(config({ "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") })));
            const connection = kubeConnection(good);
            assert.equal(connection.server.href, "https://10.0.0.1:6443/");
            assert.equal(connection.context, "ctx");
            assert.equal(connection.files, good);
            const none = path.join(dir, "none");
            fs.writeFileSync(none, yaml.dump({ ...config({}), "current-context": "" }));
            assert.throws(
                () => kubeConnection(none),
                new RegExp(`kubeconfig ${none} \\(from redis-stack:kubeconfig\\): no current context`),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("an unreachable server: names the server URL, the context and the file", () => {
        const message = unreachableProblem({ server: "https://10.9.9.9:6443", context: "prod" }, "/kc", "connect ETIMEDOUT");
        assert.match(
            message,
            /https:\/\/10\.9\.9\.9:6443 \(context prod of \/kc\) does not answer: connect ETIMEDOUT; nothing was created/,
        );
    });
});

describe("kubernetes preflight: storage class and namespace", () => {
    it("an unknown storage class lists the existing ones; unset or known passes", () => {
        assert.equal(
            storageClassProblem("fast", ["local", "standard"]),
            'storageClass: got "fast"; allowed: a StorageClass of the cluster (local, standard), or unset for its default',
        );
        assert.match(storageClassProblem("fast", []) ?? "", /none: the cluster has no StorageClass/);
        assert.equal(storageClassProblem("", []), undefined);
        assert.equal(storageClassProblem("local", ["local"]), undefined);
    });

    it("an unknown PriorityClass (the API server would refuse every pod) lists the existing ones; unset or known passes", () => {
        assert.equal(
            priorityClassProblem("redis-high", ["system-cluster-critical", "system-node-critical"]),
            'priorityClassName: got "redis-high"; allowed: a PriorityClass of the cluster (system-cluster-critical, system-node-critical), or unset for its default priority',
        );
        assert.match(priorityClassProblem("redis-high", []) ?? "", /\(none\)/);
        assert.equal(priorityClassProblem("", []), undefined);
        assert.equal(priorityClassProblem("redis-high", ["redis-high"]), undefined);
    });

    it("a new namespace, or one this stack created (annotation names it), is accepted", () => {
        assert.equal(namespaceProblem("ns", "p-s", undefined), undefined);
        assert.equal(namespaceProblem("ns", "p-s", { labels: {}, annotations: { [OWNER_ANNOTATION]: "p-s" } }), undefined);
        // Made by this stack before the annotation existed: its labels name it.
        const legacy = { "app.kubernetes.io/name": "redis-stack", "app.kubernetes.io/instance": "ns" };
        assert.equal(namespaceProblem("ns", "p-s", { labels: legacy, annotations: {} }), undefined);
    });

    it("a namespace of someone else (another stack, or not made by redis-stack) is refused, naming it", () => {
        assert.match(
            namespaceProblem("ns", "p-s", { labels: {}, annotations: { [OWNER_ANNOTATION]: "p-other" } }) ?? "",
            /namespace: got "ns", which exists and it belongs to redis-stack stack p-other .*allowed: a namespace that does not exist yet, or one this stack created/,
        );
        assert.match(namespaceProblem("ns", "p-s", { labels: {}, annotations: {} }) ?? "", /it was not created by this stack/);
    });
});
