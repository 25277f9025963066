// Pure: the `redis-stack:users` setting (user name -> Redis ACL rules), checked as far as that is possible
// without a Redis server, and rendered into what the nodes get: `user` lines in each node's auth config
// file and `ACL SETUSER` arguments for running nodes. Passwords are the stack's job (generated, secret),
// so no rule may set, clear or reset one; a node only ever sees a password's SHA-256 (`#<hex>`).
import { createHash } from "crypto";

/** A user as configured: its name and its ACL rules, one token each (as `ACL SETUSER` takes them). */
export interface AclUser {
    readonly name: string;
    readonly rules: readonly string[];
}

/** A user as a node gets it: its rules and the SHA-256 of its password (hex), never the password. */
export interface AclAccount extends AclUser {
    readonly passwordHash: string;
}

/** Redis's own user: `AUTH <password>` without a name. Clients may use it with `redis-stack:password` unless `defaultUser` is off. */
export const DEFAULT_USER = "default";
/** Names the stack keeps for itself: its own user and the throwaway user rules are checked on. */
export const RESERVED_PREFIX = "redis-stack";
/** The user the stack itself forms, heals, migrates, replicates and checks health with; its password is `redis-stack:password`. */
export const PROJECT_USER = "redis-stack";

/**
 * The project user's rules: what formation, handover, migration, refresh, users, settings, the password
 * change, the health check and replication send, and nothing else (found by running them against
 * Redis 7.0 as this user; a missing command shows up as NOPERM). Redis cannot narrow it further: `ACL
 * SETUSER` and `CONFIG SET` can grant anything, and what slot migration and replication need reaches every
 * value (`MIGRATE ... COPY` sends any key to any address, `RESTORE-ASKING` writes one, `PSYNC` streams the
 * whole dataset). So this user is an administrator with access to all data, not a safer one: its password is
 * the stack password, for operators. What it is kept from are the commands a mistake or a script would send:
 * GET/SET and the other data commands, FLUSHALL/FLUSHDB, SHUTDOWN, DEBUG, MODULE, SAVE/BGSAVE, KEYS,
 * SCRIPT/EVAL and pub/sub.
 */
export const PROJECT_USER_RULES: readonly string[] = [
    // Keys: slot migration moves every key of a slot (MIGRATE on the source, RESTORE-ASKING arriving on
    // the target as this user), and a stale duplicate is dropped (ASKING + DEL, EXISTS to compare).
    "~*",
    // No pub/sub channels at all.
    "resetchannels",
    "-@all",
    // Liveness (connect, health check) and a replica's first words to its master.
    "+ping",
    // Replication state, loading, role; and whether a node holds keys before it joins (DBSIZE).
    "+info",
    "+dbsize",
    // Formation, handover, failover, slot moves, forgetting nodes, bus links, health check (CLUSTER INFO).
    "+cluster",
    // Bus-link age: the nodes' clock.
    "+time",
    // Redis settings (redisConfig), the password change (requirepass, masterauth, masteruser) and refresh.
    "+config|get",
    "+config|set",
    // ACL users on every node, the default user on/off, this user's own password change, and judging rules.
    "+acl|setuser",
    "+acl|deluser",
    // Slot migration: the source runs MIGRATE (AUTH2 as this user), the target receives SELECT and
    // RESTORE-ASKING from it (as this user).
    "+migrate",
    "+select",
    "+restore-asking",
    "+asking",
    "+exists",
    "+del",
    // Replication: replicas authenticate to their master as this user (`masteruser`).
    "+psync",
    "+replconf",
];

/** The project user as every node gets it: its rules and the SHA-256 of the stack password. */
export function projectAccount(password: string): AclAccount {
    return { name: PROJECT_USER, rules: PROJECT_USER_RULES, passwordHash: passwordHash(password) };
}

/** `redis-stack:defaultUser`: whether `AUTH <password>` (Redis's default user) is accepted. */
// An object `as const` with a type of its values: how Pulumi's schema analyzer reads a union of strings (config.ts).
export const DefaultUserState = { On: "on", Off: "off" } as const;
export type DefaultUserState = (typeof DefaultUserState)[keyof typeof DefaultUserState];
export const DEFAULT_USER_STATES: readonly DefaultUserState[] = ["on", "off"];

/**
 * The default user when `defaultUser` is off: disabled, nothing else changed (its rules stay full access
 * and its password the stack's), so turning it back on is `ACL SETUSER default on` and a restart without
 * the line gives the same user back from `requirepass`.
 */
export const DEFAULT_USER_OFF: AclUser = { name: DEFAULT_USER, rules: ["off", "~*", "&*", "+@all"] };

/**
 * Why `defaultUser` is refused, or undefined: `off` needs a password (without one the default user is
 * how everybody connects) and at least one user in `redis-stack:users` (else no client could connect).
 */
export function defaultUserProblem(
    raw: string | undefined,
    passwordSet: boolean,
    userCount: number,
    key = "defaultUser",
): string | undefined {
    const value = raw === undefined || raw.trim() === "" ? "on" : raw.trim();
    const allowed = `allowed: ${DEFAULT_USER_STATES.join(", ")}; off only with redis-stack:password set and at least one user in redis-stack:users`;
    if (!(DEFAULT_USER_STATES as readonly string[]).includes(value)) return `${key}: got ${JSON.stringify(raw)}; ${allowed}`;
    if (value === "off" && !passwordSet) return `${key}: got "off" but redis-stack:password is not set; ${allowed}`;
    if (value === "off" && userCount === 0) return `${key}: got "off" but redis-stack:users has no user; ${allowed}`;
    return undefined;
}

/** The users every node gets: the configured ones and, with `defaultUser` off, the disabled default user. */
export function nodeUsers(users: readonly AclUser[], defaultUser: DefaultUserState): AclUser[] {
    return defaultUser === "off" ? [...users, DEFAULT_USER_OFF] : [...users];
}
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const EXAMPLE = `app: "~app:* +@read +@write"`;

/** Rules of the default user that leave it as the stack needs it (full access): accepted, and they change nothing. */
const DEFAULT_USER_NO_OPS = new Set(["on", "~*", "allkeys", "&*", "allchannels", "+@all", "allcommands"]);

/** The SHA-256 (hex) of a password, as `ACL SETUSER ... #<hex>` takes it. */
export function passwordHash(password: string): string {
    return createHash("sha256").update(password, "utf8").digest("hex");
}

/** The rules as they may be shown: whatever follows `>`, `<`, `#` or `!` (a password or its hash) masked. */
export function shownRules(rules: string): string {
    return rules.replace(/(^|\s|\()([><#!])\S*/g, "$1$2***");
}

/** Why one rule token is refused without asking Redis, or undefined when Redis has to judge it. */
function ruleProblem(token: string, inSelector: boolean): string | undefined {
    if (/^[><#!]/.test(token) || token === "nopass" || token === "resetpass") {
        return "sets or clears a password; passwords are the stack's (generated, exported as secret outputs)";
    }
    if (token === "reset") return "resets the user, its password too; the stack resets each user itself before applying its rules";
    if (["on", "off", "clearselectors"].includes(token)) return inSelector ? "is not allowed inside a selector" : undefined;
    if (["allkeys", "resetkeys", "allchannels", "resetchannels", "allcommands", "nocommands"].includes(token)) return undefined;
    const key = /^(~|%(R|W|RW)~)(.*)$/.exec(token);
    if (key) return key[3] === "" ? "has an empty key pattern" : undefined;
    if (/^%/.test(token)) return "is not a key permission (allowed: %R~<pattern>, %W~<pattern>, %RW~<pattern>)";
    if (token.startsWith("&")) return token.length === 1 ? "has an empty channel pattern" : undefined;
    const command = /^[+-](@?)(.*)$/.exec(token);
    if (command) return command[2] === "" ? `names no ${command[1] ? "category" : "command"}` : undefined;
    return "is not an ACL rule";
}

/** Splits rules into tokens and lists what is wrong with them (Redis still judges command and category names). */
export function ruleProblems(rules: string): { tokens: string[]; problems: string[] } {
    const tokens = rules.split(/\s+/).filter((t) => t !== "");
    const problems: string[] = [];
    // Quotes and backslashes would be read as quoting in the config file's `user` line.
    // eslint-disable-next-line no-control-regex
    if (/["'\\\x00-\x1f\x7f]/.test(rules.replace(/[\t\n\r ]/g, " "))) problems.push("has quotes, backslashes or control characters");
    let depth = 0;
    for (const token of tokens) {
        // Selectors: `(~x:* +get)`; a token may open and close one (`(+get)`).
        let inner = token;
        if (inner.startsWith("(")) {
            if (depth > 0) problems.push(`\`${token}\` opens a selector inside a selector`);
            depth = 1;
            inner = inner.slice(1);
        }
        const closes = inner.endsWith(")");
        if (closes) inner = inner.slice(0, -1);
        if (inner !== "") {
            const problem = ruleProblem(inner, depth > 0);
            if (problem) problems.push(`\`${shownRules(token)}\` ${problem}`);
        }
        if (closes) {
            if (depth === 0) problems.push(`\`${token}\` closes a selector that was not opened`);
            depth = 0;
        }
    }
    if (depth > 0) problems.push("a selector `(` is not closed");
    return { tokens, problems };
}

/** The rules of `default` that conflict with the stack's use of it (anything but a restatement of full access). */
export function defaultUserConflicts(tokens: readonly string[]): string[] {
    return tokens.filter((t) => !DEFAULT_USER_NO_OPS.has(t));
}

/**
 * Parses and checks the raw `users` value (JSON of a map, as Pulumi config gives it; undefined or "" is
 * none). Every problem names the key, the value and what is allowed. `default` is accepted only with
 * rules that keep it as the stack uses it, and is then left out (it changes nothing).
 */
export function parseUsers(raw: string | undefined, key = "users"): { users: AclUser[]; problems: string[] } {
    if (raw === undefined || raw.trim() === "") return { users: [], problems: [] };
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch {
        value = raw;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return {
            users: [],
            problems: [`${key}: got ${JSON.stringify(raw)}; allowed: a map of user name to ACL rules, such as ${EXAMPLE}`],
        };
    }
    const users: AclUser[] = [];
    const problems: string[] = [];
    for (const [name, rules] of Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const at = `${key}.${name}`;
        if (!NAME.test(name) || name.toLowerCase().startsWith(RESERVED_PREFIX)) {
            problems.push(
                `${key}: user name ${JSON.stringify(name)} is not allowed; allowed: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, not starting with "${RESERVED_PREFIX}"`,
            );
            continue;
        }
        if (typeof rules !== "string") {
            problems.push(`${at}: got ${JSON.stringify(rules)}; allowed: a string of ACL rules, such as "~app:* +@read +@write"`);
            continue;
        }
        const checked = ruleProblems(rules);
        if (checked.problems.length > 0) {
            // The problems quote tokens: never one that holds a password.
            problems.push(
                `${at}: got ${JSON.stringify(shownRules(rules))}: ${checked.problems.join("; ")}; allowed: ACL rules without passwords ` +
                    `(on, off, ~pattern, %R~/%W~/%RW~pattern, allkeys, resetkeys, &pattern, allchannels, resetchannels, ` +
                    `+command, -command, +command|sub, +@category, -@category, allcommands, nocommands, (selector), clearselectors)`,
            );
            continue;
        }
        if (name === DEFAULT_USER) {
            const conflicts = defaultUserConflicts(checked.tokens);
            if (conflicts.length > 0) {
                problems.push(
                    `${at}: got ${JSON.stringify(rules)}: ${conflicts.map((t) => `\`${t}\``).join(", ")} would change the default user, ` +
                        `which keeps full access with redis-stack:password; allowed: a user of another name for restricted access, ` +
                        `redis-stack:defaultUser off to disable the default user, or only rules that keep its full access (on ~* &* +@all)`,
                );
            }
            continue;
        }
        users.push({ name, rules: checked.tokens });
    }
    return { users, problems };
}

/**
 * The rules that make a node's user exactly as configured, from whatever it was: reset first (so
 * rules dropped from the config go), enabled unless the rules say `off`, the password's hash.
 */
export function setUserRules(account: AclAccount): string[] {
    return ["reset", "on", `#${account.passwordHash}`, ...account.rules];
}

/** The auth config file's `user` lines (a redis.conf directive; read at start, so restarts keep the users). */
export function userConfigLines(accounts: readonly AclAccount[]): string {
    return accounts.map((a) => `user ${a.name} ${setUserRules(a).join(" ")}\n`).join("");
}

/** The accounts of `users` with the hashes (by user name); throws for a user without one. */
export function accountsOf(users: readonly AclUser[], hashes: Readonly<Record<string, string>>): AclAccount[] {
    return users.map((u) => {
        const passwordHash = hashes[u.name];
        if (!/^[0-9a-f]{64}$/.test(passwordHash ?? "")) throw new Error(`user ${u.name}: no SHA-256 password hash`);
        return { ...u, passwordHash };
    });
}
