// ACL users on a running node: its rules judged by Redis itself (on a throwaway, disabled user, before
// an update changes anything; preview only reads, so it cannot ask), and the node's users brought to
// what the stack declares with ACL SETUSER / DELUSER, without a restart. ACL users are per node (not
// replicated), so every node, replicas included, gets them.
import { randomBytes } from "crypto";
import type { Redis as RedisClient } from "ioredis";
import { AclAccount, AclUser, DEFAULT_USER, PROJECT_USER, RESERVED_PREFIX, setUserRules } from "../settings/aclUsers";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import { Endpoint, connectNode, maskSecrets } from "./connect";

const where = (node: Endpoint) => `node ${node.name} at ${node.host}:${node.port}`;

/** The refusal of one user's rules, naming the setting, the value, the node and Redis' reason. */
function refusal(user: AclUser, node: Endpoint, err: unknown, ...secrets: (string | undefined)[]): Error {
    return new Error(
        `redis-stack:users.${user.name}: got ${JSON.stringify(user.rules.join(" "))}; Redis on ${where(node)} refused it: ` +
            `${maskSecrets(err, ...secrets)}; allowed: rules this Redis accepts (ACL CAT lists its categories, COMMAND LIST its commands)`,
    );
}

/**
 * Has the node judge each user's rules by setting them on a throwaway user (disabled, no password, so
 * nobody can log in as it) that is deleted right after; the node's own users are not touched. A node
 * that does not answer within `waitMs` is not asked.
 */
export async function checkUserRules(
    node: Endpoint,
    password: string | undefined,
    users: readonly AclUser[],
    waitMs: number,
): Promise<void> {
    if (users.length === 0) return;
    let client: RedisClient;
    try {
        client = await connectNode(node, password, waitMs);
    } catch {
        return; // down, or another password in force: the update finds out, and says so
    }
    const probe = `${RESERVED_PREFIX}-check-${randomBytes(6).toString("hex")}`;
    try {
        for (const user of users) {
            try {
                await client.call("ACL", "SETUSER", probe, "reset", "off", ...user.rules);
            } catch (err) {
                throw refusal(user, node, err, password);
            }
        }
    } finally {
        await client.call("ACL", "DELUSER", probe).catch(() => undefined);
        client.disconnect();
    }
}

const sameAccount = (a: AclAccount, b: AclAccount | undefined) =>
    b !== undefined && a.passwordHash === b.passwordHash && a.rules.join(" ") === b.rules.join(" ");

/**
 * Brings the node's users from `oldUsers` to `newUsers`: a new or changed user is set from scratch in
 * one ACL SETUSER (atomic: a refused one leaves the user as it was), a removed one deleted (which also
 * closes its connections). Users the stack never declared are left alone.
 */
export async function applyUsers(
    node: Endpoint,
    password: string | undefined,
    oldUsers: readonly AclAccount[],
    newUsers: readonly AclAccount[],
): Promise<void> {
    // The project's own user is the password's (password.ts), never the users' to set or delete. (Other names with the
    // stack's prefix are the stack's own users too, such as the metrics exporters'; the settings refuse them to users.)
    const reserved = [...oldUsers, ...newUsers].find((u) => u.name.toLowerCase() === PROJECT_USER);
    if (reserved) throw new Error(`ACL user ${reserved.name} on ${where(node)}: the stack keeps the user ${PROJECT_USER} for itself`);
    const changed = newUsers.filter(
        (u) =>
            !sameAccount(
                u,
                oldUsers.find((o) => o.name === u.name),
            ),
    );
    const removed = oldUsers.filter((o) => !newUsers.some((u) => u.name === o.name));
    if (changed.length === 0 && removed.length === 0) return;
    const client = await connectNode(node, password, DEFAULT_TIMEOUTS.connectMs);
    try {
        for (const user of changed) {
            try {
                await client.call("ACL", "SETUSER", user.name, ...setUserRules(user));
            } catch (err) {
                throw refusal(user, node, err, password, user.passwordHash);
            }
        }
        for (const user of removed) {
            try {
                // The default user cannot be deleted: `defaultUser` back on enables it again, with the rules and
                // password it kept while off (aclUsers.ts DEFAULT_USER_OFF).
                if (user.name === DEFAULT_USER) await client.call("ACL", "SETUSER", DEFAULT_USER, "on");
                else await client.call("ACL", "DELUSER", user.name);
            } catch (err) {
                // eslint-disable-next-line preserve-caught-error -- a `cause` would carry the unmasked password
                throw new Error(`removing ACL user ${user.name} from ${where(node)}: ${maskSecrets(err, password)}`);
            }
        }
    } finally {
        client.disconnect();
    }
}
