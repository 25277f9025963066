// The stack's ACL users: one generated password each (a secret), and what the nodes and the outputs need
// from them. The nodes get only the users' rules and their passwords' hashes.
import * as pulumi from "@pulumi/pulumi";
import { AclUser, DEFAULT_USER, DefaultUserState, passwordHash } from "../settings/aclUsers";
import { UserPassword } from "../providers/userPassword";

export interface RedisUsersArgs {
    /** Checked users (components/settings/aclUsers.ts parseUsers), in name order. */
    readonly users: readonly AclUser[];
}

export interface UserCredentials {
    readonly username: string;
    readonly password: string;
}

/** ACL users with their generated passwords; nothing to create without users. */
export class RedisUsers extends pulumi.ComponentResource {
    /** The users' rules, for every node (plain: known at preview, so Redis can judge them then). */
    readonly users: readonly AclUser[];
    /** User name -> SHA-256 of its password (secret). */
    readonly passwordHashes: pulumi.Output<Record<string, string>>;
    /** User name -> username and password (secret), for the stack outputs. */
    readonly credentials: pulumi.Output<Record<string, UserCredentials>>;

    constructor(name: string, args: RedisUsersArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("redis-stack:index:RedisUsers", name, {}, opts);
        this.users = args.users;
        const passwords = args.users.map((u) => new UserPassword(`${name}-${u.name}-password`, { user: u.name }, { parent: this }));
        const byName = <T>(values: T[]) => Object.fromEntries(args.users.map((u, i) => [u.name, values[i]])) as Record<string, T>;
        this.passwordHashes = pulumi.secret(pulumi.all(passwords.map((p) => p.passwordHash)).apply(byName));
        this.credentials = pulumi.secret(
            pulumi
                .all(passwords.map((p) => p.password))
                .apply((values) => byName(values.map((password, i) => ({ username: args.users[i].name, password })))),
        );
        this.registerOutputs({ passwordHashes: this.passwordHashes, credentials: this.credentials });
    }

    /** One user's password (secret). */
    passwordOf(user: string): pulumi.Output<string> {
        return pulumi.secret(this.credentials.apply((all) => all[user].password));
    }
}

/**
 * The hashes every node's users are set with: the users' and, with `defaultUser` off, the default user's
 * (the stack password's, which it keeps while disabled so turning it back on needs no password).
 */
export function nodeUserHashes(
    users: RedisUsers,
    defaultUser: DefaultUserState,
    password: pulumi.Output<string> | undefined,
): pulumi.Output<Record<string, string>> {
    if (defaultUser === "on" || !password) return users.passwordHashes;
    const hashes = pulumi
        .all([users.passwordHashes, password])
        .apply(([byName, pw]): Record<string, string> => ({ ...byName, [DEFAULT_USER]: passwordHash(pw) }));
    return pulumi.secret(hashes);
}
