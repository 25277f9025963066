// A few Kubernetes API requests (the NodePod provider: read a pod, delete it, read its StatefulSet's
// revision, read its logs; the preflight: GETs only), with the credentials of the same kubeconfig and
// context the stack's @pulumi/kubernetes provider uses. The kubeconfig and every way it can
// authenticate (client certificates, tokens, exec plugins, OIDC) are the official client's
// (@kubernetes/client-node `KubeConfig`); the requests themselves are plain https with a bounded wait.
import * as http from "http";
import * as https from "https";
import * as os from "os";
import { KubeConfig } from "@kubernetes/client-node";
import { DEFAULT_TIMEOUTS } from "../../common/timeouts";
import { kubeconfigCandidates } from "./kubeconfig";

/** What one request needs: where, with which credentials, and how to name it in a message. */
export interface Connection {
    readonly server: URL;
    readonly context: string;
    /** The kubeconfig files read, for messages. */
    readonly files: string;
    readonly config: KubeConfig;
}

/** The kubeconfig as kubectl reads it: one file, or KUBECONFIG's list merged by the client itself. */
function loadKubeconfig(files: readonly string[], fromEnv: boolean): KubeConfig {
    const config = new KubeConfig();
    if (fromEnv) config.loadFromDefault();
    else config.loadFromFile(files[0]);
    return config;
}

/** One connection per kubeconfig setting in the provider process: the files are read once. */
const connections = new Map<string, Connection>();

/** The connection of the kubeconfig's current context (the setting's file, else KUBECONFIG, else ~/.kube/config). */
export function kubeConnection(setting: string): Connection {
    const known = connections.get(setting);
    if (known) return known;
    const { files, source } = kubeconfigCandidates(setting, process.env.KUBECONFIG, os.homedir());
    const config = loadKubeconfig(files, source === "KUBECONFIG");
    const context = config.getCurrentContext();
    const cluster = config.getCurrentCluster();
    if (!context || !cluster?.server) {
        throw new Error(
            `kubeconfig ${files.join(", ")} (from ${source}): no current context with a cluster server to reach the API server with`,
        );
    }
    const connection: Connection = { server: new URL(cluster.server), context, files: files.join(", "), config };
    connections.set(setting, connection);
    return connection;
}

/** The requests the runtime makes itself (the rest goes through @pulumi/kubernetes). */
export type KubeMethod = "GET" | "DELETE" | "PATCH";

/** An API answer: its status and body (404 is an answer too). */
export interface Answer {
    readonly status: number;
    readonly body: string;
}

/** One request, answered with its status and body; rejects only when no answer came (within `timeoutMs`). */
export async function kubeAsk(
    connection: Connection,
    method: KubeMethod,
    apiPath: string,
    body?: object,
    timeoutMs = DEFAULT_TIMEOUTS.apiRequestMs,
): Promise<Answer> {
    const url = new URL(connection.server.pathname.replace(/\/$/, "") + apiPath, connection.server);
    const payload = body ? JSON.stringify(body) : undefined;
    const options: https.RequestOptions = {
        method,
        headers: {
            Accept: "application/json",
            // A PATCH body is a JSON merge patch: only the fields it names change.
            ...(payload
                ? {
                      "Content-Type": method === "PATCH" ? "application/merge-patch+json" : "application/json",
                      "Content-Length": Buffer.byteLength(payload),
                  }
                : {}),
        },
        timeout: timeoutMs,
    };
    // Certificates, CA, the Authorization header (a token, an exec plugin's, refreshed when it expires).
    await connection.config.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
        const request = (url.protocol === "https:" ? https : http).request(url, options, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
            response.on("error", reject);
        });
        request.on("timeout", () => request.destroy(new Error(`Kubernetes API ${method} ${apiPath}: no answer within ${timeoutMs} ms`)));
        request.on("error", (err) => reject(new Error(`Kubernetes API ${method} ${apiPath} at ${connection.server.host}: ${err.message}`)));
        if (payload) request.write(payload);
        request.end();
    });
}

/** One API request; the parsed JSON body (the text when `raw`), or undefined for 404 (the object is gone). */
export async function kubeRequest(
    connection: Connection,
    method: KubeMethod,
    apiPath: string,
    body?: object,
    raw = false,
): Promise<unknown> {
    const { status, body: text } = await kubeAsk(connection, method, apiPath, body);
    if (status === 404) return undefined;
    if (status >= 300) {
        let message = text;
        try {
            const parsed = (JSON.parse(text) as { message?: unknown }).message;
            if (typeof parsed === "string") message = parsed;
        } catch {
            /* not JSON: the text as it is */
        }
        throw new Error(`Kubernetes API ${method} ${apiPath}: ${status} ${message}`);
    }
    return raw ? text : text === "" ? {} : JSON.parse(text);
}
