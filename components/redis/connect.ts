// Connecting to one Redis node with a bounded wait and errors that name the node (never the password).
// Inside an operation that only reads (`preview`, `refresh`: ../contracts/nodeAccess.ts readingOnly), the
// connection only reads: it sends nothing that changes the node, its own authentication included.
import type { Command, Redis as RedisClient } from "ioredis";
import { type PeerCertificate, checkServerIdentity } from "tls";
import { PROJECT_USER, projectAccount, setUserRules } from "../settings/aclUsers";
import { type Address, reachableAddress, writesAllowed } from "../contracts/nodeAccess";
import { messageOf } from "../common/errorMessage";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import type { NodeTls } from "../tls/nodeTls";
import { Deadline, Look, done, notYet, retrying, waitFor } from "../common/wait";
import { commandName, isReadCommand } from "./readCommands";

export interface Endpoint {
    /** Container/node name, used in every error. */
    readonly name: string;
    readonly host: string;
    readonly port: number;
    /** Speak TLS, trusting `ca` and presenting `cert` (the node serves TLS only, or asks for a client certificate). */
    readonly tls?: NodeTls;
}

// The protocol layer's connections go where the operation's node access says (Kubernetes port-forwards).
// Named here too for the code that scopes its connections from this module.
export { reachingThrough } from "../contracts/nodeAccess";

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
 * same password (which fails too when `defaultUser` is off) and, where the connection may write, given
 * the user then, so replicas restarted with `masteruser` can sync from it and the next connection needs
 * no fallback. A read-only connection leaves that to the next `up`.
 */
async function authenticate(client: RedisClient, password: string, mayWrite: boolean): Promise<void> {
    try {
        await client.call("AUTH", PROJECT_USER, password);
    } catch (err) {
        if (!/WRONGPASS/.test(messageOf(err))) throw err;
        await client.call("AUTH", password).catch(() => {
            throw err; // the project user's refusal is the one to report
        });
        if (!mayWrite) return;
        // Only a node without the user: one that has it with other passwords is mid password change (password.ts).
        const users = (await client.call("ACL", "USERS")) as string[];
        if (!users.includes(PROJECT_USER)) await client.call("ACL", "SETUSER", PROJECT_USER, ...setUserRules(projectAccount(password)));
    }
}

/**
 * Makes `client` send only commands that change nothing (./readCommands.ts): any other is refused before
 * it leaves this process, naming the node and the command (never its arguments).
 */
function readOnly(client: RedisClient, node: Endpoint): RedisClient {
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command: Command, stream?: Parameters<RedisClient["sendCommand"]>[1]) => {
        if (isReadCommand(command.name, command.args)) return send(command, stream);
        command.reject(
            new Error(
                `node ${node.name} at ${node.host}:${node.port}: ${commandName(command.name, command.args)} not sent: ` +
                    "this connection only reads (preview and refresh never change a node)",
            ),
        );
        return command.promise;
    };
    return client;
}

/**
 * Connects and authenticates, retrying refused connections and LOADING replies (every other pollMs)
 * until `waitMs` has passed. Authentication is sent by hand so a bad password surfaces as a clear error
 * instead of an ioredis reconnect loop. Inside readingOnly (preview, refresh), the connection only reads.
 * `username`: an ACL user of the stack's own other than the project user (a backup runner's), with no fallback.
 */
export async function connectNode(node: Endpoint, password: string | undefined, waitMs: number, username?: string): Promise<RedisClient> {
    return waitFor(() => attemptConnection(node, password, username), {
        what: `node ${node.name} to answer`,
        timeoutMs: waitMs,
        pollMs: DEFAULT_TIMEOUTS.pollMs * 2,
        error: (lastError, waitedMs) => new NodeUnreachableError(node, waitedMs, lastError),
    });
}

/** One attempt: the authenticated client, or why not yet (a refusal that another attempt cannot change throws). */
async function attemptConnection(node: Endpoint, password: string | undefined, username?: string): Promise<Look<RedisClient>> {
    // Required here, not imported: the dynamic provider serializes this function and loads ioredis itself.
    const Redis = require("ioredis") as typeof import("ioredis").default;
    const mayWrite = writesAllowed();
    // Resolved on each attempt: a forward whose pod was replaced is opened again.
    let address: Address;
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
    if (!mayWrite) readOnly(client, node);
    try {
        await client.connect();
        if (password && username) await client.call("AUTH", username, password);
        else if (password) await authenticate(client, password, mayWrite);
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
