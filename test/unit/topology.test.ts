import { PROJECT_USER_RULES, passwordHash } from "../../components/settings/aclUsers";
import { strict as assert } from "assert";
import { parseSettings } from "../../components/settings/config";
import { AUTH_CONFIG_PATH, SLOT_COUNT, buildTopology, planSlots, redisCommand, shardOf } from "../../components/topology/topology";
import { SETTINGS_CONFIG_PATH } from "../../components/settings/redisSettings";
import { authConfigFiles } from "../../components/runtime/containerSpec";

function argValue(args: readonly string[], flag: string): string | undefined {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args[i + 1];
}

describe("topology", () => {
    describe("slot plan", () => {
        it("matches redis-cli --cluster create for 3 masters", () => {
            assert.deepEqual(planSlots(3), [
                { start: 0, end: 5460 },
                { start: 5461, end: 10922 },
                { start: 10923, end: 16383 },
            ]);
        });
        for (let masters = 3; masters <= 100; masters++) {
            it(`covers all 16384 slots once, contiguously and evenly, for ${masters} masters`, () => {
                const plan = planSlots(masters);
                assert.equal(plan.length, masters);
                assert.equal(plan[0].start, 0);
                assert.equal(plan[plan.length - 1].end, SLOT_COUNT - 1);
                for (let i = 1; i < plan.length; i++) assert.equal(plan[i].start, plan[i - 1].end + 1);
                const sizes = plan.map((r) => r.end - r.start + 1);
                assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${Math.min(...sizes)}..${Math.max(...sizes)}`);
            });
        }
        // redis-cli's C float rounding (checked against the C loop of clusterManagerCommandCreate, compiled):
        // a double-precision split ends these ranges one slot earlier.
        it("matches redis-cli's float rounding at 78 masters (master 67 ends at 14283)", () => {
            assert.deepEqual(planSlots(78).slice(66, 69), [
                { start: 13863, end: 14072 },
                { start: 14073, end: 14283 },
                { start: 14284, end: 14493 },
            ]);
        });
        it("matches redis-cli's float rounding at 87 masters (master 72 ends at 13747)", () => {
            assert.deepEqual(planSlots(87).slice(71, 74), [
                { start: 13371, end: 13558 },
                { start: 13559, end: 13747 },
                { start: 13748, end: 13935 },
            ]);
        });
        it("rejects a non-positive count", () => assert.throws(() => planSlots(0), RangeError));
    });

    describe("default topology", () => {
        const t = buildTopology(parseSettings({}), "rs-dev");

        it("has 6 cluster nodes on 7000-7005 and a standalone node on 6379", () => {
            assert.deepEqual(
                t.clusterNodes.map((n) => n.clientPort),
                [7000, 7001, 7002, 7003, 7004, 7005],
            );
            assert.deepEqual(
                t.clusterNodes.map((n) => n.busPort),
                [17000, 17001, 17002, 17003, 17004, 17005],
            );
            assert.equal(t.standalone.clientPort, 6379);
            assert.equal(t.standalone.role, "standalone");
        });

        it("makes nodes 0-2 masters and pairs replicas 7003->7000, 7004->7001, 7005->7002", () => {
            assert.deepEqual(
                t.clusterNodes.map((n) => n.role),
                ["master", "master", "master", "replica", "replica", "replica"],
            );
            assert.deepEqual(
                t.clusterNodes.map((n) => n.shard),
                [0, 1, 2, 0, 1, 2],
            );
        });

        it("gives each node its client and bus port, cluster mode and persistence, and nothing of where it runs", () => {
            for (const n of t.clusterNodes) {
                assert.equal(
                    n.redisArgs.some((a) => a.startsWith("--cluster-announce")),
                    false,
                    n.name,
                );
                assert.equal(argValue(n.redisArgs, "--bind"), "0.0.0.0");
                assert.equal(argValue(n.redisArgs, "--cluster-port"), String(n.busPort));
                assert.equal(argValue(n.redisArgs, "--port"), String(n.clientPort));
                assert.equal(argValue(n.redisArgs, "--cluster-enabled"), "yes");
                assert.equal(argValue(n.redisArgs, "--cluster-config-file"), "nodes.conf");
                assert.equal(argValue(n.redisArgs, "--appendonly"), "yes");
                assert.equal(argValue(n.redisArgs, "--cluster-node-timeout"), "5000");
            }
        });

        it("keeps every node the same when the number of masters changes, its shard aside (no restart when scaling)", () => {
            const four = buildTopology(parseSettings({ masters: "4" }), "rs-dev");
            for (const node of t.clusterNodes) {
                const same = four.clusterNodes.find((n) => n.name === node.name)!;
                assert.deepEqual({ ...same, role: node.role, shard: node.shard }, node, node.name);
            }
        });

        it("is the same on every runtime and network mode: where a node runs is its runtime's placement", () => {
            for (const raw of [
                { runtime: "docker" },
                { networkMode: "host" },
                { publishAddress: "127.0.0.1" },
                { runtime: "kubernetes" },
            ]) {
                assert.deepEqual(buildTopology(parseSettings(raw), "rs-dev"), t, JSON.stringify(raw));
            }
        });

        it("retains the nodes' data on delete only with retainData", () => {
            assert.ok([...t.clusterNodes, t.standalone].every((n) => !n.retainData));
            const kept = buildTopology(parseSettings({ retainData: "true" }), "rs-dev");
            assert.ok([...kept.clusterNodes, kept.standalone].every((n) => n.retainData));
        });

        it("runs the standalone node with cluster mode off", () => {
            assert.equal(t.standalone.redisArgs.includes("--cluster-enabled"), false);
            assert.equal(argValue(t.standalone.redisArgs, "--port"), "6379");
        });

        it("never puts the password on the command line: it goes in a config file, as requirepass, masterauth and the project user's hash", () => {
            const n = t.clusterNodes[0];
            assert.ok(!n.redisArgs.some((a) => a.includes("pw-123456")));
            const cmd = redisCommand(n);
            // redis-server reads a config file only as its first argument.
            assert.deepEqual(cmd.slice(0, 2), ["redis-server", AUTH_CONFIG_PATH]);
            assert.deepEqual(authConfigFiles("pw-123456"), [
                {
                    path: AUTH_CONFIG_PATH,
                    content:
                        `include ${SETTINGS_CONFIG_PATH}\nrequirepass pw-123456\nmasteruser redis-stack\nmasterauth pw-123456\n` +
                        `user redis-stack reset on #${passwordHash("pw-123456")} ${PROJECT_USER_RULES.join(" ")}\n`,
                },
                { path: SETTINGS_CONFIG_PATH, content: "" },
            ]);
            // Without a password the file only includes the settings, so the command is the same with or without one.
            assert.deepEqual(authConfigFiles(undefined), [
                { path: AUTH_CONFIG_PATH, content: `include ${SETTINGS_CONFIG_PATH}\n` },
                { path: SETTINGS_CONFIG_PATH, content: "" },
            ]);
        });
    });

    describe("other shapes", () => {
        it("5 masters with 2 replicas each: 15 nodes, replicas spread over masters in rounds", () => {
            const t = buildTopology(parseSettings({ masters: "5", replicasPerMaster: "2" }), "rs-big");
            assert.equal(t.clusterNodes.length, 15);
            assert.equal(t.clusterNodes.filter((n) => n.role === "master").length, 5);
            for (let shard = 0; shard < 5; shard++) {
                assert.equal(t.clusterNodes.filter((n) => n.shard === shard && n.role === "replica").length, 2);
            }
            assert.equal(shardOf(13, 5), 3);
            assert.equal(t.slotPlan.length, 5);
        });

        it("AOF off is passed through", () => {
            const t = buildTopology(parseSettings({ appendOnly: "false" }), "rs-rdb");
            assert.equal(argValue(t.clusterNodes[0].redisArgs, "--appendonly"), "no");
        });
    });
});
