// Pure: what the kubernetes preflight decides from what it read (a kubeconfig, the cluster's storage
// classes, an existing namespace). No I/O here; ./preflight.ts reads and asks, then calls these.
import { INSTANCE_LABEL, NAME_LABEL } from "./manifests";

/** Annotation the stack puts on the namespace it creates: `<project>-<stack>`, the stack that owns it. */
export const OWNER_ANNOTATION = "redis-stack/stack";

/** The parts of a kubeconfig the preflight needs: the server, and how to prove who we are. */
export interface ApiAccess {
    readonly context: string;
    readonly server: string;
    /** PEM (decoded from `*-data`, or read from the named file by the caller). */
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly token?: string;
    readonly insecureSkipTlsVerify: boolean;
    /** Set when the user authenticates in a way the preflight does not (exec plugins, auth providers): it then checks only that the server answers. */
    readonly unsupportedAuth?: string;
}

interface NamedEntry<T> {
    name?: string;
    cluster?: T;
    user?: T;
    context?: T;
}
interface KubeconfigDoc {
    "current-context"?: string;
    contexts?: NamedEntry<{ cluster?: string; user?: string }>[];
    clusters?: NamedEntry<Record<string, unknown>>[];
    users?: NamedEntry<Record<string, unknown>>[];
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const decode = (v: unknown): string | undefined => (str(v) ? Buffer.from(v as string, "base64").toString("utf8") : undefined);

/**
 * The server and credentials of the current context of a parsed kubeconfig, or a message naming what
 * is missing. `readFile` resolves the file references (`certificate-authority`, `client-key`, ...).
 */
export function apiAccess(doc: unknown, file: string, readFile: (path: string) => string): ApiAccess | string {
    const config = (doc ?? {}) as KubeconfigDoc;
    const contextName = str(config["current-context"]);
    if (!contextName) return `kubeconfig ${file} has no current-context; set one (kubectl config use-context <name>)`;
    const context = config.contexts?.find((c) => c.name === contextName)?.context;
    if (!context) return `kubeconfig ${file}: current-context ${contextName} is not among its contexts`;
    const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
    if (!cluster || !str(cluster.server))
        return `kubeconfig ${file}: context ${contextName} names cluster ${context.cluster ?? "(none)"}, which has no server`;
    const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
    const fromFile = (v: unknown) => (str(v) ? readFile(v as string) : undefined);
    const unsupportedAuth = user.exec ? "an exec credential plugin" : user["auth-provider"] ? "an auth provider" : undefined;
    return {
        context: contextName,
        server: cluster.server as string,
        ca: decode(cluster["certificate-authority-data"]) ?? fromFile(cluster["certificate-authority"]),
        cert: decode(user["client-certificate-data"]) ?? fromFile(user["client-certificate"]),
        key: decode(user["client-key-data"]) ?? fromFile(user["client-key"]),
        token: str(user.token) ?? fromFile(user.tokenFile),
        insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
        ...(unsupportedAuth ? { unsupportedAuth } : {}),
    };
}

export function unreachableProblem(access: Pick<ApiAccess, "server" | "context">, file: string, reason: string): string {
    return (
        `the Kubernetes API server ${access.server} (context ${access.context} of ${file}) does not answer: ${reason}; ` +
        "nothing was created or changed. Start the cluster, or set redis-stack:kubeconfig (or KUBECONFIG) to one that answers."
    );
}

/** Why the configured storage class cannot hold the claims, listing the ones there are; undefined when it exists (or none is set). */
export function storageClassProblem(wanted: string, existing: readonly string[]): string | undefined {
    if (wanted === "" || existing.includes(wanted)) return undefined;
    const known = existing.length > 0 ? existing.join(", ") : "none: the cluster has no StorageClass";
    return `storageClass: got ${JSON.stringify(wanted)}; allowed: a StorageClass of the cluster (${known}), or unset for its default`;
}

export interface ExistingNamespace {
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
}

/**
 * Whether the stack may use a namespace that already exists: only one this stack created (its owner
 * annotation names the stack, as after `destroy` with retainData or on a later `up`).
 */
export function namespaceProblem(namespace: string, stackPrefix: string, existing: ExistingNamespace | undefined): string | undefined {
    if (existing === undefined) return undefined;
    const owner = existing.annotations[OWNER_ANNOTATION];
    if (owner === stackPrefix) return undefined;
    // Made before the annotation existed: the stack's labels for this namespace are all there is to go by.
    if (owner === undefined && existing.labels[NAME_LABEL] === "redis-stack" && existing.labels[INSTANCE_LABEL] === namespace)
        return undefined;
    const belongs = owner !== undefined ? `it belongs to redis-stack stack ${owner}` : "it was not created by this stack";
    return (
        `namespace: got ${JSON.stringify(namespace)}, which exists and ${belongs} (no ${OWNER_ANNOTATION}=${stackPrefix} annotation); ` +
        "allowed: a namespace that does not exist yet, or one this stack created. Choose another redis-stack:namespace."
    );
}
