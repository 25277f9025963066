// Checks on the Kubernetes cluster before the program declares any resource, so that bad input leaves
// nothing behind: a kubeconfig exists, its API server answers, the storage and priority classes exist, and the
// namespace is new or this stack's own. GETs only, through the same kubeconfig client as the NodePods
// (./kubeApi.ts: every way a kubeconfig authenticates); nothing is changed.
import { messageOf } from "../../common/errorMessage";
import { DEFAULT_TIMEOUTS } from "../../common/timeouts";
import { checkKubeconfig } from "./kubeconfig";
import { Answer, Connection, kubeAsk, kubeConnection } from "./kubeApi";
import {
    ExistingNamespace,
    namespaceProblem,
    priorityClassProblem,
    serviceMonitorProblem,
    storageClassProblem,
    unreachableProblem,
} from "./preflightChecks";

export interface KubernetesPreflightArgs {
    readonly kubeconfig: string;
    readonly namespace: string;
    readonly storageClass: string;
    /** The pods' PriorityClass; empty: none, not asked about. */
    readonly priorityClassName: string;
    /** `<project>-<stack>`: the owner a namespace this stack created names. */
    readonly stackPrefix: string;
    /** Whether the stack declares a ServiceMonitor, whose resource the cluster must then serve. */
    readonly metricsServiceMonitor?: boolean;
}

/** A GET bounded by the preflight's own wait (a server that does not answer is refused quickly). */
const get = (connection: Connection, path: string): Promise<Answer> =>
    kubeAsk(connection, "GET", path, undefined, DEFAULT_TIMEOUTS.kubernetesApiMs);

/** Refusals, one message each; empty when the cluster can take the stack. */
export async function kubernetesPreflightProblems(args: KubernetesPreflightArgs): Promise<string[]> {
    const missing = checkKubeconfig(args.kubeconfig);
    if (missing !== undefined) return [missing];
    let connection: Connection;
    try {
        connection = kubeConnection(args.kubeconfig);
    } catch (err) {
        return [`the kubeconfig cannot be used: ${messageOf(err)}; nothing was created or changed`];
    }
    const server = { server: connection.server.href.replace(/\/$/, ""), context: connection.context };
    const file = connection.files;
    const ask = async (path: string, accept404 = false): Promise<Answer> => {
        const answer = await get(connection, path);
        if (answer.status === 200 || (accept404 && answer.status === 404)) return answer;
        throw new Error(`GET ${path}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
    };
    try {
        // Any HTTP answer means the server is there; /version needs no rights on most clusters.
        await get(connection, "/version");
    } catch (err) {
        return [unreachableProblem(server, file, messageOf(err))];
    }
    const problems: string[] = [];
    try {
        const classes = JSON.parse((await ask("/apis/storage.k8s.io/v1/storageclasses")).body) as {
            items: { metadata: { name: string } }[];
        };
        const problem = storageClassProblem(
            args.storageClass,
            classes.items.map((c) => c.metadata.name),
        );
        if (problem) problems.push(problem);
        if (args.priorityClassName !== "") {
            const priorities = JSON.parse((await ask("/apis/scheduling.k8s.io/v1/priorityclasses")).body) as {
                items: { metadata: { name: string } }[];
            };
            const priority = priorityClassProblem(
                args.priorityClassName,
                priorities.items.map((c) => c.metadata.name),
            );
            if (priority) problems.push(priority);
        }
        if (args.metricsServiceMonitor) {
            const group = await ask("/apis/monitoring.coreos.com/v1", true);
            const served =
                group.status === 404
                    ? undefined
                    : (JSON.parse(group.body) as { resources: { name: string }[] }).resources.map((r) => r.name);
            const monitor = serviceMonitorProblem(true, served);
            if (monitor) problems.push(monitor);
        }
        const ns = await ask(`/api/v1/namespaces/${encodeURIComponent(args.namespace)}`, true);
        const existing: ExistingNamespace | undefined =
            ns.status === 404
                ? undefined
                : (() => {
                      const meta = (
                          JSON.parse(ns.body) as { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } }
                      ).metadata;
                      return { labels: meta.labels ?? {}, annotations: meta.annotations ?? {} };
                  })();
        const nsProblem = namespaceProblem(args.namespace, args.stackPrefix, existing);
        if (nsProblem) problems.push(nsProblem);
    } catch (err) {
        problems.push(
            `the Kubernetes API server ${server.server} (context ${server.context} of ${file}) refused the preflight's reads: ${messageOf(err)}; nothing was created or changed`,
        );
    }
    return problems;
}
