// Changing the password of running nodes without restarting them and without breaking replication,
// in two steps, for the default user (`requirepass`) and the project's own user (aclUsers.ts
// PROJECT_USER) that the stack and the replicas authenticate as (`masteruser`/`masterauth`). First
// each node accepts the new password as well as the old one and authenticates to its master with the
// new one (done by each node's container update, which also rewrites the auth
// config file for restarts). Then, once every node has done that, every node keeps the new one only
// (done by the formation update, which runs after all the containers).
import type { Redis as RedisClient } from "ioredis";
import { DEFAULT_USER, PROJECT_USER, PROJECT_USER_RULES, passwordHash, projectAccount, setUserRules } from "../settings/aclUsers";
import { AuthenticationError, Endpoint, connectNode, maskSecrets } from "./connect";

const ANSWER_WAIT_MS = 10000;

/** Connects with whichever of the passwords the node takes: a re-run may find a node already switched. */
async function connectWithEither(node: Endpoint, first: string | undefined, second: string | undefined): Promise<RedisClient> {
    try {
        return await connectNode(node, first, ANSWER_WAIT_MS);
    } catch (err) {
        if (!(err instanceof AuthenticationError) || first === second) throw err;
        return connectNode(node, second, ANSWER_WAIT_MS);
    }
}

/** Runs the commands on the node; an error names the node and never shows either password. */
async function onNode(node: Endpoint, client: RedisClient, passwords: (string | undefined)[], commands: string[][]): Promise<void> {
    try {
        for (const [command, ...args] of commands) await client.call(command, ...args);
    } catch (err) {
        // eslint-disable-next-line preserve-caught-error -- a `cause` would carry the unmasked passwords
        throw new Error(`changing the password on node ${node.name} at ${node.host}:${node.port}: ${maskSecrets(err, ...passwords)}`);
    } finally {
        client.disconnect();
    }
}

/** Step 1, on one node: the new password is accepted too, and used towards its master. */
export async function acceptNewPassword(node: Endpoint, oldPassword: string | undefined, newPassword: string | undefined): Promise<void> {
    const client = await connectWithEither(node, oldPassword, newPassword);
    await onNode(
        node,
        client,
        [oldPassword, newPassword],
        newPassword
            ? [
                  // `#<hash>` adds a password and keeps the others; on/off is left as `defaultUser` has it.
                  ["ACL", "SETUSER", DEFAULT_USER, `#${passwordHash(newPassword)}`],
                  // The project's user, created with its rules if the node has none yet (no password before,
                  // or a node from before the stack had it), keeps its old password beside the new one.
                  ["ACL", "SETUSER", PROJECT_USER, "on", `#${passwordHash(newPassword)}`, ...PROJECT_USER_RULES],
                  ["CONFIG", "SET", "masteruser", PROJECT_USER],
                  ["CONFIG", "SET", "masterauth", newPassword],
              ]
            : [
                  // No password any more: everybody is the default user again, replicas too.
                  ["ACL", "SETUSER", DEFAULT_USER, "on", "nopass"],
                  ["CONFIG", "SET", "masteruser", ""],
                  ["CONFIG", "SET", "masterauth", ""],
              ],
    );
}

/**
 * Step 2, on one node: only the new password is accepted (none at all when it was removed): the default
 * user's through `requirepass`, the project user's set from scratch (or the user deleted without a password).
 */
export async function settlePassword(node: Endpoint, oldPassword: string | undefined, newPassword: string | undefined): Promise<void> {
    const client = await connectWithEither(node, newPassword, oldPassword);
    await onNode(
        node,
        client,
        [oldPassword, newPassword],
        newPassword
            ? [
                  ["CONFIG", "SET", "requirepass", newPassword],
                  ["ACL", "SETUSER", PROJECT_USER, ...setUserRules(projectAccount(newPassword))],
                  ["CONFIG", "SET", "masteruser", PROJECT_USER],
                  ["CONFIG", "SET", "masterauth", newPassword],
              ]
            : [
                  ["CONFIG", "SET", "requirepass", ""],
                  ["CONFIG", "SET", "masteruser", ""],
                  ["CONFIG", "SET", "masterauth", ""],
                  // Connected without a password (as the default user): deleting the project user closes only its own connections.
                  ["ACL", "DELUSER", PROJECT_USER],
              ],
    );
}
