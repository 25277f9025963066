// A few Kubernetes API requests from the provider process (./nodePodProvider.ts: read a pod, delete it,
// read its StatefulSet's revision, read its logs), with the credentials of the same kubeconfig and
// context the stack's @pulumi/kubernetes provider uses. Hand-written on Node's https: the official
// client (@kubernetes/client-node) is an ES module with two dozen dependencies, loaded into every
// provider process for four GET/DELETE requests. Covers the kubeconfig forms in use: client
// certificates, bearer tokens and token files, basic auth, and exec credential plugins (EKS, GKE, AKS
// kubelogin); not the legacy `auth-provider` entries (removed from kubectl in 1.26) nor `proxy-url`.
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { DEFAULT_TIMEOUTS } from "../../timeouts";
import { kubeconfigCandidates } from "./kubeconfig";

type Obj = Record<string, unknown>;

interface Named<T> {
    readonly name: string;
    readonly cluster?: T;
    readonly user?: T;
    readonly context?: T;
}

/** The kubeconfig entries that matter here, merged from the files as kubectl merges them (first one wins). */
interface Merged {
    currentContext?: string;
    clusters: Map<string, { entry: Obj; dir: string }>;
    users: Map<string, { entry: Obj; dir: string }>;
    contexts: Map<string, Obj>;
}

function readKubeconfigs(files: readonly string[]): Merged {
    const merged: Merged = { clusters: new Map(), users: new Map(), contexts: new Map() };
    for (const file of files) {
        if (!fs.existsSync(file)) continue;
        const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as Obj;
        const dir = path.dirname(path.resolve(file));
        merged.currentContext ??= (doc["current-context"] as string | undefined) || undefined;
        for (const c of (doc.clusters ?? []) as Named<Obj>[])
            if (!merged.clusters.has(c.name)) merged.clusters.set(c.name, { entry: c.cluster ?? {}, dir });
        for (const u of (doc.users ?? []) as Named<Obj>[])
            if (!merged.users.has(u.name)) merged.users.set(u.name, { entry: u.user ?? {}, dir });
        for (const c of (doc.contexts ?? []) as Named<Obj>[])
            if (!merged.contexts.has(c.name)) merged.contexts.set(c.name, c.context ?? {});
    }
    return merged;
}

/** What one request needs: where, and the TLS and auth material. */
interface Connection {
    readonly server: URL;
    readonly tls: https.AgentOptions;
    /** The Authorization header, asked for each request (an exec plugin's token expires). */
    readonly authorization: () => Promise<string | undefined>;
}

const fileOrData = (entry: Obj, key: string, dir: string): Buffer | undefined => {
    const data = entry[`${key}-data`];
    if (typeof data === "string" && data !== "") return Buffer.from(data, "base64");
    const file = entry[key];
    return typeof file === "string" && file !== "" ? fs.readFileSync(path.resolve(dir, file)) : undefined;
};

/** An exec credential plugin's output, cached until it expires. */
function execCredentials(exec: Obj, dir: string): () => Promise<{ token?: string; cert?: string; key?: string }> {
    let cached: { token?: string; cert?: string; key?: string; expires: number } | undefined;
    return async () => {
        if (cached && cached.expires > Date.now() + 10000) return cached;
        const env = { ...process.env } as Record<string, string>;
        for (const { name, value } of (exec.env ?? []) as { name: string; value: string }[]) env[name] = value;
        env.KUBERNETES_EXEC_INFO = JSON.stringify({
            apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1",
            kind: "ExecCredential",
            spec: { interactive: false },
        });
        const command = String(exec.command);
        const stdout = await new Promise<string>((resolve, reject) =>
            execFile(
                command.includes("/") ? path.resolve(dir, command) : command,
                ((exec.args ?? []) as unknown[]).map(String),
                { env, timeout: DEFAULT_TIMEOUTS.apiRequestMs },
                (err, out) => (err ? reject(new Error(`kubeconfig exec plugin ${command}: ${err.message}`)) : resolve(out)),
            ),
        );
        const status = ((JSON.parse(stdout) as Obj).status ?? {}) as Obj;
        const expires = typeof status.expirationTimestamp === "string" ? Date.parse(status.expirationTimestamp) : Infinity;
        cached = {
            token: status.token as string | undefined,
            cert: status.clientCertificateData as string | undefined,
            key: status.clientKeyData as string | undefined,
            expires,
        };
        return cached;
    };
}

/** One connection per kubeconfig setting in the provider process: the files are read, and an exec plugin run, once (its token until it expires). */
const connections = new Map<string, Promise<Connection>>();

/** The connection of the kubeconfig's current context (the setting's file, else KUBECONFIG, else ~/.kube/config). */
export function kubeConnection(setting: string): Promise<Connection> {
    let connection = connections.get(setting);
    if (!connection) {
        connection = openConnection(setting);
        connections.set(setting, connection);
        // A failure (a file being written, a plugin that failed) is not kept: the next request tries again.
        connection.catch(() => connections.delete(setting));
    }
    return connection;
}

async function openConnection(setting: string): Promise<Connection> {
    const { files, source } = kubeconfigCandidates(setting, process.env.KUBECONFIG, os.homedir());
    const config = readKubeconfigs(files);
    const contextName = config.currentContext;
    const context = contextName !== undefined ? config.contexts.get(contextName) : undefined;
    if (!context) throw new Error(`kubeconfig ${files.join(", ")} (from ${source}): no current context to reach the API server with`);
    const cluster = config.clusters.get(String(context.cluster));
    const user = config.users.get(String(context.user)) ?? { entry: {}, dir: "." };
    if (!cluster || typeof cluster.entry.server !== "string") {
        throw new Error(`kubeconfig ${files.join(", ")}: context ${contextName} names no cluster with a server`);
    }
    const tls: https.AgentOptions = {
        ca: fileOrData(cluster.entry, "certificate-authority", cluster.dir),
        rejectUnauthorized: cluster.entry["insecure-skip-tls-verify"] !== true,
        ...(typeof cluster.entry["tls-server-name"] === "string" ? { servername: cluster.entry["tls-server-name"] } : {}),
    };
    const u = user.entry;
    const cert = fileOrData(u, "client-certificate", user.dir);
    const key = fileOrData(u, "client-key", user.dir);
    const exec = u.exec ? execCredentials(u.exec as Obj, user.dir) : undefined;
    let execTls: https.AgentOptions = {};
    if (exec) {
        const first = await exec();
        if (first.cert && first.key) execTls = { cert: first.cert, key: first.key };
    }
    const authorization = async (): Promise<string | undefined> => {
        if (exec) {
            const token = (await exec()).token;
            if (token) return `Bearer ${token}`;
        }
        if (typeof u.token === "string" && u.token !== "") return `Bearer ${u.token}`;
        if (typeof u.tokenFile === "string" && u.tokenFile !== "") {
            return `Bearer ${fs.readFileSync(path.resolve(user.dir, u.tokenFile), "utf8").trim()}`;
        }
        if (typeof u.username === "string")
            return `Basic ${Buffer.from(`${u.username}:${typeof u.password === "string" ? u.password : ""}`).toString("base64")}`;
        return undefined;
    };
    return { server: new URL(cluster.entry.server), tls: { ...tls, ...(cert && key ? { cert, key } : {}), ...execTls }, authorization };
}

/** One API request; the parsed JSON body, or undefined for 404 (the object is gone). */
export async function kubeRequest(
    connection: Connection,
    method: "GET" | "DELETE",
    apiPath: string,
    body?: object,
    raw = false,
): Promise<unknown> {
    const url = new URL(connection.server.pathname.replace(/\/$/, "") + apiPath, connection.server);
    const authorization = await connection.authorization();
    const payload = body ? JSON.stringify(body) : undefined;
    const secure = url.protocol === "https:";
    return new Promise((resolve, reject) => {
        const request = (secure ? https : http).request(
            url,
            {
                method,
                ...(secure ? connection.tls : {}),
                headers: {
                    Accept: "application/json",
                    ...(authorization ? { Authorization: authorization } : {}),
                    ...(payload ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } : {}),
                },
                timeout: DEFAULT_TIMEOUTS.apiRequestMs,
            },
            (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    const status = response.statusCode ?? 0;
                    if (status === 404) return resolve(undefined);
                    if (status >= 300) {
                        let message = text;
                        try {
                            const parsed = (JSON.parse(text) as Obj).message;
                            if (typeof parsed === "string") message = parsed;
                        } catch {
                            /* not JSON: the text as it is */
                        }
                        return reject(new Error(`Kubernetes API ${method} ${apiPath}: ${status} ${message}`));
                    }
                    try {
                        resolve(raw ? text : text === "" ? {} : JSON.parse(text));
                    } catch (err) {
                        reject(err instanceof Error ? err : new Error(String(err)));
                    }
                });
            },
        );
        request.on("timeout", () =>
            request.destroy(new Error(`Kubernetes API ${method} ${apiPath}: no answer within ${DEFAULT_TIMEOUTS.apiRequestMs} ms`)),
        );
        request.on("error", (err) => reject(new Error(`Kubernetes API ${method} ${apiPath} at ${connection.server.host}: ${err.message}`)));
        if (payload) request.write(payload);
        request.end();
    });
}
