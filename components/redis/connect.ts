// Connecting to one Redis node with a bounded wait and errors that name the node (never the password).
import { AsyncLocalStorage } from "async_hooks";
import type { Redis as RedisClient } from "ioredis";
import { type PeerCertificate, checkServerIdentity } from "tls";
import { PROJECT_USER, projectAccount, setUserRules } from "../aclUsers";
import { messageOf } from "../errorMessage";
import { DEFAULT_TIMEOUTS } from "../timeouts";
import type { NodeTls } from "../tls/nodeTls";
import { Deadline, Look, done, notYet, retrying, waitFor } from "../wait";

export interface Endpoint {
    /** Container/node name, used in every error. */
    readonly name: string;
    readonly host: string;
    readonly port: number;
    /** Speak TLS, trusting `ca` and presenting `cert` (the node serves TLS only, or asks for a client certificate). */
    readonly tls?: NodeTls;
}

/** Where a TCP connection to a node is actually opened (the node's own address, or a local forward to it). */
export interface ReachableAddress {
    readonly host: string;
    readonly port: number;
}

/**
 * Maps a node's announced address to one this process can open a connection to: injected by the
 * provider side for runtimes whose node addresses are not routable from where Pulumi runs (Kubernetes
 * ClusterIPs, reached through the API server). Planning and every message keep the announced address.
 */
export type AddressResolver = (node: Endpoint) => Promise<ReachableAddress>;

/** The resolver of the operation running now (scoped per async call chain, so concurrent operations do not mix). */
const resolvers = new AsyncLocalStorage<AddressResolver>();

/** Runs `run` with every connectNode inside it (at any depth) opening its connection where `resolver` says. */
export function reachingThrough<T>(resolver: AddressResolver, run: () => Promise<T>): Promise<T> {
    return resolvers.run(resolver, run);
}

/** Where connectNode connects for `node` now: the resolver's answer inside reachingThrough, else the node's own address. */
export async function reachableAddress(node: Endpoint): Promise<ReachableAddress> {
    const resolver = resolvers.getStore();
    return resolver ? resolver(node) : { host: node.host, port: node.port };
}

export class NodeUnreachableError extends Error {
    constructor(
        readonly node: Endpoint,
        waitedMs: number,
        cause: string,
    ) {
        super(
            `node ${node.name} at ${node.host}:${node.port} did not answer within ${Math.round(waitedMs / 1000)} s (last error: ${cause})`,
        );
        this.name = "NodeUnreachableError";
    }
}

export class AuthenticationError extends Error {
    constructor(
        readonly node: Endpoint,
        reason: string,
    ) {
        super(`node ${node.name} at ${node.host}:${node.port} rejected the credentials: ${reason}`);
        this.name = "AuthenticationError";
    }
}

/** Longest any single command may take; MIGRATE batches stay far below it. */
export const COMMAND_TIMEOUT_MS = DEFAULT_TIMEOUTS.commandMs;

/**
 * Runs `send` again while the node answers LOADING (it ran nothing then), until `deadline` expires,
 * then fails with that LOADING error: a node restarted with a large dataset, or a replica reloading
 * after a full resync, answers PING but refuses other commands with LOADING for a while, at any point
 * of a formation.
 */
export function whileLoading<T>(send: () => Promise<T>, deadline: Deadline, pollMs = DEFAULT_TIMEOUTS.pollMs): Promise<T> {
    return retrying(send, (err) => /^LOADING/.test(messageOf(err)), { within: deadline, pollMs });
}

/** An error's message with every given password masked: Redis and ioredis may echo command arguments. */
export function maskSecrets(err: unknown, ...secrets: (string | undefined)[]): string {
    let message = messageOf(err);
    for (const secret of secrets) if (secret) message = message.split(secret).join("***");
    return message;
}

/** Replies that mean "not ready yet, ask again" rather than a real failure. */
function isTransient(message: string): boolean {
    // TLS: docker-proxy accepts and drops the connection while the node is still starting, mid-handshake.
    return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|EPIPE|LOADING|Connection is closed|connect ETIMEDOUT|closed|socket disconnected before secure TLS/i.test(
        message,
    );
}

function authProblem(message: string, passwordGiven: boolean): string | undefined {
    if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) return "wrong password (WRONGPASS)";
    if (/NOAUTH/.test(message))
        return passwordGiven ? "password not accepted (NOAUTH)" : "the node requires a password but none is configured (NOAUTH)";
    if (/without any password configured/i.test(message))
        return "a password is configured but the node has none (AUTH without requirepass)";
    return undefined;
}

/**
 * AUTH as the project's own user (aclUsers.ts PROJECT_USER). A node started before the stack had that
 * user (an older stack, not restarted since) does not know it: it is asked as the default user with the
 * same password (which fails too when `defaultUser` is off) and given the user then, so replicas
 * restarted with `masteruser` can sync from it and the next connection needs no fallback.
 */
async function authenticate(client: RedisClient, password: string): Promise<void> {
    try {
        await client.call("AUTH", PROJECT_USER, password);
    } catch (err) {
        if (!/WRONGPASS/.test(messageOf(err))) throw err;
        await client.call("AUTH", password).catch(() => {
            throw err; // the project user's refusal is the one to report
        });
        // Only a node without the user: one that has it with other passwords is mid password change (password.ts).
        const users = (await client.call("ACL", "USERS")) as string[];
        if (!users.includes(PROJECT_USER)) await client.call("ACL", "SETUSER", PROJECT_USER, ...setUserRules(projectAccount(password)));
    }
}

/**
 * Connects and authenticates, retrying refused connections and LOADING replies (every other pollMs)
 * until `waitMs` has passed. Authentication is sent by hand so a bad password surfaces as a clear error
 * instead of an ioredis reconnect loop.
 */
export async function connectNode(node: Endpoint, password: string | undefined, waitMs: number): Promise<RedisClient> {
    return waitFor(() => attemptConnection(node, password), {
        what: `node ${node.name} to answer`,
        timeoutMs: waitMs,
        pollMs: DEFAULT_TIMEOUTS.pollMs * 2,
        error: (lastError, waitedMs) => new NodeUnreachableError(node, waitedMs, lastError),
    });
}

/** One attempt: the authenticated client, or why not yet (a refusal that another attempt cannot change throws). */
async function attemptConnection(node: Endpoint, password: string | undefined): Promise<Look<RedisClient>> {
    // Required here, not imported: the dynamic provider serializes this function and loads ioredis itself.
    const Redis = require("ioredis") as typeof import("ioredis").default;
    // Resolved on each attempt: a forward whose pod was replaced is opened again.
    let address: ReachableAddress;
    try {
        address = await reachableAddress(node);
    } catch (err) {
        return notYet(maskSecrets(err, password, node.tls?.key));
    }
    const forwarded = address.host !== node.host || address.port !== node.port;
    const client = new Redis({
        host: address.host,
        port: address.port,
        lazyConnect: true,
        connectTimeout: DEFAULT_TIMEOUTS.connectAttemptMs,
        enableOfflineQueue: false,
        // Its INFO ready check would fail with NOAUTH before our AUTH and close the connection.
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        // A node that hangs (paused, overloaded, partitioned) fails the command instead of the
        // whole formation waiting forever.
        commandTimeout: COMMAND_TIMEOUT_MS,
        // The node's certificate names the address connected to (127.0.0.1 or the announced one).
        // Through a forward, the certificate is checked against the node's own address, not the local end.
        ...(node.tls
            ? {
                  tls: {
                      ca: node.tls.ca,
                      cert: node.tls.cert,
                      key: node.tls.key,
                      ...(forwarded
                          ? { checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(node.host, cert) }
                          : {}),
                  },
              }
            : {}),
    });
    client.on("error", () => undefined); // errors are handled through the promises below
    try {
        await client.connect();
        if (password) await authenticate(client, password);
        await client.ping();
        return done(client);
    } catch (err) {
        client.disconnect();
        const message = messageOf(err);
        const auth = authProblem(message, Boolean(password));
        if (auth) throw new AuthenticationError(node, auth);
        const lastError = maskSecrets(err, password, node.tls?.key);
        if (!isTransient(message) && !/timeout/i.test(message)) {
            // No `cause`: the original error may carry the password that lastError masks.
            // eslint-disable-next-line preserve-caught-error
            throw new Error(`node ${node.name} at ${node.host}:${node.port}: ${lastError}`);
        }
        return notYet(lastError);
    }
}
