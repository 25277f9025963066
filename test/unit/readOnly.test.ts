// Preview and refresh never write to a node: the provider methods they run (check, diff, read) run
// read-only, and a read-only connection sends only commands that change nothing. On real nodes:
// test/integration/readOnly.test.ts.
import { strict as assert } from "assert";
import { readingOnly, writesAllowed } from "../../components/contracts/nodeAccess";
import { implementation } from "../../components/providers/implementation";
import { commandName, isReadCommand } from "../../components/redis/readCommands";

describe("read-only provider operations", () => {
    it("check, diff and read run read-only; create, update and delete may write", async () => {
        const seen: Record<string, boolean> = {};
        const look = (method: string) => {
            seen[method] = writesAllowed();
        };
        const provider = implementation("Thing", {
            async check(_olds, news: Record<string, unknown>) {
                look("check");
                return { inputs: news };
            },
            async diff() {
                look("diff");
                return { changes: false };
            },
            async read(id: string) {
                look("read");
                return { id, props: {} };
            },
            async create() {
                look("create");
                return { id: "x" };
            },
            async update() {
                look("update");
                return { outs: {} };
            },
            async delete() {
                look("delete");
            },
        });
        await provider.check!({}, {});
        await provider.diff!("x", {}, {});
        await provider.read!("x", {});
        await provider.create({});
        await provider.update!("x", {}, {});
        await provider.delete!("x", {});
        assert.deepEqual(seen, { check: false, diff: false, read: false, create: true, update: true, delete: true });
    });

    it("read-only holds at any depth of the operation and ends with it; concurrent operations keep their own", async () => {
        const tick = () => new Promise((resolve) => setImmediate(resolve));
        const [inside, alongside] = await Promise.all([
            readingOnly(async () => {
                await tick();
                return Promise.resolve().then(() => writesAllowed());
            }),
            (async () => {
                await tick();
                return writesAllowed();
            })(),
        ]);
        assert.equal(inside, false);
        assert.equal(alongside, true);
        assert.equal(writesAllowed(), true);
    });
});

describe("commands a read-only connection sends", () => {
    it("sends what observing a node and its settings takes, its own AUTH and PING included", () => {
        for (const [name, args] of [
            ["AUTH", ["redis-stack", "pw"]],
            ["ping", []],
            ["info", ["replication"]],
            ["dbsize", []],
            ["CLUSTER", ["NODES"]],
            ["cluster", ["info"]],
            ["CLUSTER", ["COUNTKEYSINSLOT", "12182"]],
            ["CONFIG", ["GET", "maxmemory"]],
            ["ACL", ["USERS"]],
        ] as const)
            assert.ok(isReadCommand(name, args), `${name} ${args.join(" ")}`);
    });

    it("refuses every command that changes a node: users, settings, cluster state, data", () => {
        for (const [name, args] of [
            ["ACL", ["SETUSER", "redis-stack", "on"]],
            ["ACL", ["DELUSER", "probe"]],
            ["CONFIG", ["SET", "hz", "20"]],
            ["CONFIG", ["REWRITE"]],
            ["CLUSTER", ["ADDSLOTS", "1"]],
            ["CLUSTER", ["MEET", "10.0.0.1", "7000"]],
            ["CLUSTER", ["FAILOVER"]],
            ["CLUSTER", ["SETSLOT", "1", "NODE", "abc"]],
            ["cluster", []],
            ["SET", ["k", "v"]],
            ["FLUSHALL", []],
            ["MIGRATE", ["h", "1", "", "0", "5000", "KEYS", "k"]],
        ] as const)
            assert.ok(!isReadCommand(name, args), `${name} ${args.join(" ")}`);
    });

    it("names a refused command by its name and subcommand, never by an argument", () => {
        assert.equal(commandName("acl", ["setuser", "app", ">secret-pw"]), "ACL SETUSER");
        assert.equal(commandName("CONFIG", ["set", "masterauth", "secret-pw"]), "CONFIG SET");
        assert.equal(commandName("set", ["secret-key", "v"]), "SET");
        assert.equal(commandName("AUTH", ["secret-pw"]), "AUTH");
    });
});
