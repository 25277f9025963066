// Checks on the Kubernetes cluster before the program declares any resource, so that bad input leaves
// nothing behind: a kubeconfig exists, its API server answers, the storage class exists, and the
// namespace is new or this stack's own. Reads with Node's https client (GETs only; nothing is changed).
import * as fs from "fs";
import * as https from "https";
import * as yaml from "js-yaml";
import { messageOf } from "../../errorMessage";
import { DEFAULT_TIMEOUTS } from "../../timeouts";
import { kubeconfigCandidates, checkKubeconfig } from "./kubeconfig";
import { ApiAccess, ExistingNamespace, apiAccess, namespaceProblem, storageClassProblem, unreachableProblem } from "./preflightChecks";
import * as os from "os";

export interface KubernetesPreflightArgs {
    readonly kubeconfig: string;
    readonly namespace: string;
    readonly storageClass: string;
    /** `<project>-<stack>`: the owner a namespace this stack created names. */
    readonly stackPrefix: string;
}

interface Answer {
    readonly status: number;
    readonly body: string;
}

function get(access: ApiAccess, path: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
        const request = https.get(
            new URL(path, access.server),
            {
                ca: access.ca,
                cert: access.cert,
                key: access.key,
                rejectUnauthorized: !access.insecureSkipTlsVerify,
                headers: access.token ? { Authorization: `Bearer ${access.token}` } : {},
                timeout: DEFAULT_TIMEOUTS.kubernetesApiMs,
            },
            (response) => {
                let body = "";
                response.setEncoding("utf8");
                response.on("data", (chunk: string) => (body += chunk));
                response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
                response.on("error", reject);
            },
        );
        request.on("timeout", () => request.destroy(new Error(`no answer within ${DEFAULT_TIMEOUTS.kubernetesApiMs} ms`)));
        request.on("error", reject);
    });
}

/** The first readable kubeconfig file, in the order the provider reads them. */
function kubeconfigFile(setting: string): string {
    const { files } = kubeconfigCandidates(setting, process.env.KUBECONFIG, os.homedir());
    return files.find((f) => fs.existsSync(f)) ?? files[0];
}

/** Refusals, one message each; empty when the cluster can take the stack. */
export async function kubernetesPreflightProblems(args: KubernetesPreflightArgs): Promise<string[]> {
    const missing = checkKubeconfig(args.kubeconfig);
    if (missing !== undefined) return [missing];
    const file = kubeconfigFile(args.kubeconfig);
    let access: ApiAccess | string;
    try {
        access = apiAccess(yaml.load(fs.readFileSync(file, "utf8")), file, (f) => fs.readFileSync(f, "utf8"));
    } catch (err) {
        return [`kubeconfig ${file} cannot be read: ${messageOf(err)}; nothing was created or changed`];
    }
    if (typeof access === "string") return [`${access}; nothing was created or changed`];
    const server = access;
    const ask = async (path: string, accept404 = false): Promise<Answer> => {
        const answer = await get(server, path);
        if (answer.status === 200 || (accept404 && answer.status === 404)) return answer;
        throw new Error(`GET ${path}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
    };
    try {
        // Any HTTP answer means the server is there; /version needs no rights on most clusters.
        await get(server, "/version");
    } catch (err) {
        return [unreachableProblem(server, file, messageOf(err))];
    }
    // Credentials this check cannot present: the provider will, and will name any refusal itself.
    if (server.unsupportedAuth !== undefined) return [];
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
