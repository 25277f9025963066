// Node contract: how the provider process reaches nodes whose addresses are not routable from where Pulumi
// runs (Kubernetes ClusterIPs from a laptop: port-forwards through the API server). A resource that
// connects to nodes records in its `nodeAccess` input which module opens the way, as a node records its
// lifecycle; the provider side loads that module by name for the operation (../providers/nodeAccess.ts),
// and the protocol layer asks `reachableAddress` where to open each connection. So neither imports the
// runtime that provides the access, and a provider process loads its code only for a resource that asks.
// The same per-operation scope says whether the operation may change a node at all: `preview` and
// `refresh` (a provider's check, diff and read) run `readingOnly`, and their connections only read.
import { AsyncLocalStorage } from "async_hooks";
import { loadNamed } from "./loadNamed";

/** Small settings recorded with the module name (a kubeconfig path, a namespace). */
export type AccessOptions = Readonly<Record<string, string | number | boolean>>;

/** Node access as a resource records it: which module opens the way to the nodes, with which options. */
export interface NodeAccess {
    /** A module name this package resolves (package.json `exports`) whose `nodeAccess` is a NodeAccessModule. */
    readonly module: string;
    readonly options: AccessOptions;
}

/** The input that carries it, in the inputs of every resource that connects to nodes. */
export const NODE_ACCESS_KEY = "nodeAccess";

export interface Address {
    readonly host: string;
    readonly port: number;
}

/** The way to the nodes that one provider operation opened; closed when the operation ends. */
export interface OpenAccess {
    /** Where a connection to the node at `node` (its own address) is opened from here. */
    reach(node: Address): Promise<Address>;
    /** Closes whatever the operation opened (listeners, connections). */
    close(): Promise<void>;
}

/** What an access module exports as `nodeAccess`. */
export interface NodeAccessModule {
    open(options: AccessOptions): OpenAccess;
}

/**
 * Access as state written before it was named by module records it (`{ mode, kubeconfig, namespace }`),
 * mode -> the module that provides it now. Such state stays until the resource's next update.
 */
const MODULE_OF_MODE: Readonly<Record<string, string>> = {
    portForward: "redis-stack/components/runtime/kubernetes/portForward",
};

/** The node access a recorded input asks for, in either shape; undefined for none (or a value not known yet, in a preview). */
export function recordedAccess(value: unknown): NodeAccess | undefined {
    if (!value || typeof value !== "object") return undefined;
    const recorded = value as Record<string, unknown>;
    if (typeof recorded.module === "string") {
        const options = recorded.options && typeof recorded.options === "object" ? (recorded.options as AccessOptions) : {};
        return { module: recorded.module, options };
    }
    const module = typeof recorded.mode === "string" ? MODULE_OF_MODE[recorded.mode] : undefined;
    if (!module) return undefined;
    const { mode: _mode, ...options } = recorded;
    return { module, options: options as AccessOptions };
}

/** The access module a resource recorded, loaded in the provider process. */
export function loadNodeAccess(access: NodeAccess): NodeAccessModule {
    return loadNamed<NodeAccessModule>(access.module, "nodeAccess");
}

/** Maps a node's own address to the one this process opens a connection to (planning and every message keep the node's own). */
export type AddressResolver = (node: Address) => Promise<Address>;

/** The resolver of the operation running now (scoped per async call chain, so concurrent operations do not mix). */
const resolvers = new AsyncLocalStorage<AddressResolver>();

/** Runs `run` with every connection opened inside it (at any depth) going where `resolver` says. */
export function reachingThrough<T>(resolver: AddressResolver, run: () => Promise<T>): Promise<T> {
    return resolvers.run(resolver, run);
}

/** Where a connection to `node` is opened now: the resolver's answer inside reachingThrough, else the node's own address. */
export async function reachableAddress(node: Address): Promise<Address> {
    const resolver = resolvers.getStore();
    return resolver ? resolver({ host: node.host, port: node.port }) : { host: node.host, port: node.port };
}

/** Operations that must not change a node (scoped per async call chain, like the resolver). */
const readOnlyOperations = new AsyncLocalStorage<true>();

/** Runs `run` with every connection opened inside it (at any depth) read-only: `preview` and `refresh` never write to a node. */
export function readingOnly<T>(run: () => Promise<T>): Promise<T> {
    return readOnlyOperations.run(true, run);
}

/** Whether connections opened now may change a node: not inside readingOnly. */
export function writesAllowed(): boolean {
    return readOnlyOperations.getStore() !== true;
}
