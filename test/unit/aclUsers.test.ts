// `redis-stack:users`: what is refused before Redis is asked, and what the nodes get.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import {
    AclAccount,
    DEFAULT_USER_OFF,
    PROJECT_USER,
    PROJECT_USER_RULES,
    accountsOf,
    defaultUserProblem,
    nodeUsers,
    parseUsers,
    passwordHash,
    projectAccount,
    setUserRules,
    shownRules,
    userConfigLines,
} from "../../components/settings/aclUsers";
import { authConfig } from "../../components/topology/topology";
import { authConfigFiles } from "../../components/runtime/containerSpec";
import { newPassword } from "../../components/providers/userPasswordProvider";

const users = (value: unknown) => parseUsers(JSON.stringify(value));
const HASH = "a".repeat(64);

describe("ACL users (redis-stack:users)", () => {
    describe("accepted", () => {
        it("none when unset or empty", () => {
            assert.deepEqual(parseUsers(undefined), { users: [], problems: [] });
            assert.deepEqual(parseUsers(""), { users: [], problems: [] });
            assert.deepEqual(users({}), { users: [], problems: [] });
        });

        it("each user's rules as tokens, users in name order", () => {
            assert.deepEqual(users({ worker: "~jobs:* +@list", app: "  ~app:*   +@read +@write " }), {
                users: [
                    { name: "app", rules: ["~app:*", "+@read", "+@write"] },
                    { name: "worker", rules: ["~jobs:*", "+@list"] },
                ],
                problems: [],
            });
        });

        it("every form of rule Redis 7 documents that sets no password, selectors included", () => {
            const rules =
                "on off ~a:* %R~r:* %W~w:* %RW~rw:* allkeys resetkeys &chan:* allchannels resetchannels +get -set +config|get -@dangerous +@read allcommands nocommands (~s:* +get) (+set) clearselectors";
            assert.deepEqual(users({ app: rules }).problems, []);
        });

        it("a default user whose rules only restate its full access (and leaves it out: nothing to change)", () => {
            assert.deepEqual(users({ default: "on ~* &* +@all", app: "+get" }), {
                users: [{ name: "app", rules: ["+get"] }],
                problems: [],
            });
        });
    });

    describe("refused, naming the key, the value and what is allowed", () => {
        it("rules that set, clear or reset a password, without echoing the password", () => {
            const { problems } = users({ app: "~app:* >hunter2 <old #abc !def nopass resetpass reset" });
            assert.equal(problems.length, 1);
            const [problem] = problems;
            assert.match(problem, /^users\.app: got "~app:\* >\*\*\* <\*\*\* #\*\*\* !\*\*\* nopass resetpass reset": /);
            for (const token of [">***", "<***", "#***", "!***", "nopass", "resetpass"]) {
                assert.ok(problem.includes(`\`${token}\` sets or clears a password`), token);
            }
            assert.match(problem, /`reset` resets the user, its password too/);
            assert.match(problem, /allowed: ACL rules without passwords \(on, off, ~pattern/);
            assert.ok(!problem.includes("hunter2") && !problem.includes("abc") && !problem.includes("def"));
        });

        it("a default user with rules that would change its full access (defaultUser off is the way to disable it)", () => {
            const [problem] = users({ default: "on -@all +get ~cache:*" }).problems;
            assert.match(
                problem,
                /^users\.default: got "on -@all \+get ~cache:\*": `-@all`, `\+get`, `~cache:\*` would change the default user, which keeps full access/,
            );
            assert.match(
                problem,
                /allowed: a user of another name for restricted access, redis-stack:defaultUser off to disable the default user/,
            );
            assert.deepEqual(users({ default: "off" }).problems.length, 1);
        });

        it("malformed rules: unknown words, empty patterns, stray or nested selectors, quotes", () => {
            const [problem] = users({ app: "readonly ~ & + -@ %X~k (~a (+get) +set) ) ~'q'" }).problems;
            for (const part of [
                "`readonly` is not an ACL rule",
                "`~` has an empty key pattern",
                "`&` has an empty channel pattern",
                "`+` names no command",
                "`-@` names no category",
                "`%X~k` is not a key permission",
                "`(+get)` opens a selector inside a selector",
                "`)` closes a selector that was not opened",
                "has quotes, backslashes or control characters",
            ]) {
                assert.ok(problem.includes(part), `${part} in ${problem}`);
            }
            assert.match(users({ app: "(~a +get" }).problems[0], /a selector `\(` is not closed/);
            assert.match(users({ app: "(on ~a)" }).problems[0], /`\(on` is not allowed inside a selector/);
        });

        it("user names Redis or the config file would trip on, and the names the stack keeps", () => {
            const { problems } = users({ "bad name": "+get", "-x": "+get", "redis-stack-probe": "+get", [`u${"x".repeat(64)}`]: "+get" });
            assert.equal(problems.length, 4);
            for (const p of problems) assert.match(p, /^users: user name ".*" is not allowed; allowed: 1-64 letters, digits/);
        });

        it("values that are not a map of strings", () => {
            assert.match(parseUsers('"app"').problems[0], /^users: got "\\"app\\""; allowed: a map of user name to ACL rules/);
            assert.match(parseUsers("[1]").problems[0], /allowed: a map of user name to ACL rules/);
            assert.match(users({ app: 3 }).problems[0], /^users\.app: got 3; allowed: a string of ACL rules/);
        });

        it("every problem at once", () => {
            assert.equal(users({ a: ">x", default: "-@all", "b c": "+get", d: 1 }).problems.length, 4);
        });
    });

    describe("what the nodes get", () => {
        const account: AclAccount = { name: "app", rules: ["~app:*", "+@read", "off"], passwordHash: HASH };

        it("each user set from scratch: reset, enabled unless the rules say off, the password's hash, the rules", () => {
            assert.deepEqual(setUserRules(account), ["reset", "on", `#${HASH}`, "~app:*", "+@read", "off"]);
        });

        it("a `user` line per user after the settings include and the password lines in the auth config file; no users, no lines", () => {
            assert.equal(userConfigLines([account]), `user app reset on #${HASH} ~app:* +@read off\n`);
            assert.equal(
                authConfig("pw-123456", [account]),
                `include /etc/redis-stack-settings.conf\nrequirepass pw-123456\nmasteruser redis-stack\nmasterauth pw-123456\n` +
                    `user redis-stack reset on #${passwordHash("pw-123456")} ${PROJECT_USER_RULES.join(" ")}\n` +
                    `user app reset on #${HASH} ~app:* +@read off\n`,
            );
            assert.equal(authConfig(undefined, []), "include /etc/redis-stack-settings.conf\n");
            assert.deepEqual(authConfigFiles(undefined, [account])[0], {
                path: "/etc/redis-stack-auth.conf",
                content: `include /etc/redis-stack-settings.conf\nuser app reset on #${HASH} ~app:* +@read off\n`,
            });
        });

        it("the project's own user: the stack password's hash only, replicas authenticate to masters as it", () => {
            const file = authConfig("pw-123456", []);
            assert.match(file, /^masteruser redis-stack$/m);
            assert.match(file, new RegExp(`^user redis-stack reset on #${passwordHash("pw-123456")} `, "m"));
            // The password itself only where Redis needs it in plain: requirepass (default user) and masterauth.
            assert.deepEqual(
                file.split("\n").filter((l) => l.includes("pw-123456")),
                ["requirepass pw-123456", "masterauth pw-123456"],
            );
            assert.deepEqual(projectAccount("pw-123456"), {
                name: PROJECT_USER,
                rules: PROJECT_USER_RULES,
                passwordHash: passwordHash("pw-123456"),
            });
        });

        it("the project user's rules: no data commands, no channels, every key (slot migration), replication", () => {
            assert.deepEqual(PROJECT_USER_RULES.slice(0, 3), ["~*", "resetchannels", "-@all"]);
            for (const needed of [
                "+cluster",
                "+config|set",
                "+acl|setuser",
                "+migrate",
                "+restore-asking",
                "+psync",
                "+replconf",
                "+ping",
            ]) {
                assert.ok(PROJECT_USER_RULES.includes(needed), needed);
            }
            for (const rule of PROJECT_USER_RULES.slice(3))
                assert.match(rule, /^\+[a-z-]+(\|[a-z]+)?$/, `${rule} grants one command, not a category`);
        });

        it("defaultUser off: the default user disabled with its full access and the stack password kept, after the users", () => {
            const app = { name: "app", rules: ["+get"] };
            assert.deepEqual(nodeUsers([app], "on"), [app]);
            assert.deepEqual(nodeUsers([app], "off"), [app, DEFAULT_USER_OFF]);
            const accounts = accountsOf(nodeUsers([app], "off"), { app: HASH, default: passwordHash("pw-123456") });
            assert.ok(authConfig("pw-123456", accounts).endsWith(`user default reset on #${passwordHash("pw-123456")} off ~* &* +@all\n`));
        });

        it("passwords as SHA-256 hex, which is what Redis compares", () => {
            assert.equal(passwordHash("secret"), createHash("sha256").update("secret").digest("hex"));
            assert.match(passwordHash("x"), /^[0-9a-f]{64}$/);
        });

        it("joins users with their hashes, and refuses a user without one", () => {
            assert.deepEqual(accountsOf([{ name: "app", rules: ["+get"] }], { app: HASH }), [
                { name: "app", rules: ["+get"], passwordHash: HASH },
            ]);
            assert.throws(() => accountsOf([{ name: "app", rules: [] }], {}), /user app: no SHA-256 password hash/);
        });

        it("masks what follows a password rule when showing rules", () => {
            assert.equal(shownRules(">abc ~x:* (#def +get) !x"), ">*** ~x:* (#*** +get) !***");
        });

        it("generated passwords: 256 bits, URL-safe, different each time", () => {
            const [a, b] = [newPassword(), newPassword()];
            assert.match(a, /^[A-Za-z0-9_-]{43}$/);
            assert.notEqual(a, b);
        });
    });

    describe("redis-stack:defaultUser", () => {
        it("on by default and whenever set to on", () => {
            assert.equal(defaultUserProblem(undefined, false, 0), undefined);
            assert.equal(defaultUserProblem("", false, 0), undefined);
            assert.equal(defaultUserProblem("on", false, 0), undefined);
        });

        it("off with a password and at least one user", () => {
            assert.equal(defaultUserProblem("off", true, 1), undefined);
        });

        it("refuses another value, naming the key, the value and the allowed values", () => {
            assert.equal(
                defaultUserProblem("disabled", true, 1),
                'defaultUser: got "disabled"; allowed: on, off; off only with redis-stack:password set and at least one user in redis-stack:users',
            );
        });

        it("refuses off without a password or without users", () => {
            assert.match(
                defaultUserProblem("off", false, 1) ?? "",
                /^defaultUser: got "off" but redis-stack:password is not set; allowed: on, off/,
            );
            assert.match(
                defaultUserProblem("off", true, 0) ?? "",
                /^defaultUser: got "off" but redis-stack:users has no user; allowed: on, off/,
            );
        });
    });
});
