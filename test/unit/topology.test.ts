import { PROJECT_USER_RULES, passwordHash } from "../../components/aclUsers";
import { strict as assert } from "assert";
import { parseSettings } from "../../components/config";
import {
    AUTH_CONFIG_PATH,
    KIND_LABEL,
    RUNTIME_LABEL,
    SLOT_COUNT,
    STACK_LABEL,
    buildTopology,
    natMap,
    planSlots,
    redisCommand,
    shardOf,
} from "../../components/topology";
import { SETTINGS_CONFIG_PATH } from "../../components/redisSettings";
import { authConfigFiles, containerCreateBody } from "../../components/runtime/containerSpec";

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

    describe("default bridge topology", () => {
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

        it("announces the gateway with each node's client and bus port", () => {
            for (const n of t.clusterNodes) {
                assert.equal(argValue(n.redisArgs, "--cluster-announce-ip"), "172.30.57.1");
                assert.equal(argValue(n.redisArgs, "--cluster-announce-port"), String(n.clientPort));
                assert.equal(argValue(n.redisArgs, "--cluster-announce-bus-port"), String(n.busPort));
                assert.equal(argValue(n.redisArgs, "--cluster-port"), String(n.busPort));
                assert.equal(argValue(n.redisArgs, "--port"), String(n.clientPort));
                assert.equal(argValue(n.redisArgs, "--cluster-enabled"), "yes");
                assert.equal(argValue(n.redisArgs, "--cluster-config-file"), "nodes.conf");
                assert.equal(argValue(n.redisArgs, "--appendonly"), "yes");
                assert.equal(argValue(n.redisArgs, "--cluster-node-timeout"), "5000");
            }
        });

        it("publishes client ports on the gateway and loopback, bus ports on the gateway only, never 0.0.0.0", () => {
            const n = t.clusterNodes[2];
            assert.deepEqual(n.ports, [
                { hostIp: "172.30.57.1", hostPort: 7002, containerPort: 7002 },
                { hostIp: "127.0.0.1", hostPort: 7002, containerPort: 7002 },
                { hostIp: "172.30.57.1", hostPort: 17002, containerPort: 17002 },
            ]);
            for (const node of [...t.clusterNodes, t.standalone]) {
                assert.ok(
                    node.ports.every((p) => p.hostIp !== "0.0.0.0"),
                    node.name,
                );
            }
        });

        it("keeps every node's container spec the same when the number of masters changes (no restart when scaling)", () => {
            const four = buildTopology(parseSettings({ masters: "4" }), "rs-dev");
            for (const node of t.clusterNodes) {
                const same = four.clusterNodes.find((n) => n.name === node.name)!;
                assert.deepEqual(containerCreateBody(same, four), containerCreateBody(node, t), node.name);
            }
        });

        it("gives every node its own volume and the stack label", () => {
            const volumes = new Set([...t.clusterNodes, t.standalone].map((n) => n.volume));
            assert.equal(volumes.size, 7);
            for (const n of [...t.clusterNodes, t.standalone]) assert.equal(n.labels[STACK_LABEL], "rs-dev");
            assert.equal(t.network?.labels[STACK_LABEL], "rs-dev");
            assert.equal(t.network?.name, "rs-dev-net");
        });

        it("labels containers with the runtime that makes them, but never volumes or the network (a changed label would replace them)", () => {
            for (const runtime of ["engine", "docker"]) {
                const r = buildTopology(parseSettings({ runtime }), "rs-dev");
                for (const n of [...r.clusterNodes, r.standalone]) {
                    assert.equal(n.labels[RUNTIME_LABEL], runtime);
                    assert.equal(containerCreateBody(n, r).Labels[RUNTIME_LABEL], runtime);
                    // The volume labels are what they were before the runtime label existed.
                    assert.deepEqual(n.volumeLabels, { [STACK_LABEL]: "rs-dev", [KIND_LABEL]: n.labels[KIND_LABEL] });
                }
                assert.deepEqual(r.network?.labels, { [STACK_LABEL]: "rs-dev" });
            }
        });

        it("retains data volumes on delete only with retainData", () => {
            assert.ok([...t.clusterNodes, t.standalone].every((n) => !n.retainVolume));
            const kept = buildTopology(parseSettings({ retainData: "true" }), "rs-dev");
            assert.ok([...kept.clusterNodes, kept.standalone].every((n) => n.retainVolume));
        });

        it("runs the standalone node with cluster mode off", () => {
            assert.equal(t.standalone.redisArgs.includes("--cluster-enabled"), false);
            assert.equal(argValue(t.standalone.redisArgs, "--port"), "6379");
        });

        it("maps announced addresses to loopback for host clients", () => {
            const map = natMap(t.clusterNodes);
            assert.equal(Object.keys(map).length, 6);
            assert.deepEqual(map["172.30.57.1:7004"], { host: "127.0.0.1", port: 7004 });
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
            assert.ok(!JSON.stringify(containerCreateBody(n, t)).includes("pw-123456"));
        });

        it("maps a node spec to a Docker Engine create body with its ports, volume, network and restart policy", () => {
            const body = containerCreateBody(t.clusterNodes[1], t);
            assert.equal(body.name, "rs-dev-node-1");
            assert.deepEqual(body.HostConfig.PortBindings["7001/tcp"], [
                { HostIp: "172.30.57.1", HostPort: "7001" },
                { HostIp: "127.0.0.1", HostPort: "7001" },
            ]);
            assert.deepEqual(body.HostConfig.PortBindings["17001/tcp"], [{ HostIp: "172.30.57.1", HostPort: "17001" }]);
            assert.deepEqual(body.HostConfig.Mounts, [{ Type: "volume", Source: "rs-dev-node-1-data", Target: "/data" }]);
            assert.equal(body.HostConfig.NetworkMode, "rs-dev-net");
            assert.equal(body.HostConfig.RestartPolicy.Name, "unless-stopped");
            assert.deepEqual(body.NetworkingConfig?.EndpointsConfig["rs-dev-net"].Aliases, ["rs-dev-node-1"]);
        });
    });

    describe("other shapes", () => {
        it("host mode listens on loopback, publishes nothing and announces nothing", () => {
            const t = buildTopology(parseSettings({ networkMode: "host" }), "rs-h");
            assert.equal(t.network, undefined);
            for (const n of t.clusterNodes) {
                assert.deepEqual(n.ports, []);
                assert.equal(argValue(n.redisArgs, "--bind"), "127.0.0.1");
                assert.equal(n.redisArgs.includes("--cluster-announce-ip"), false);
            }
            assert.deepEqual(natMap(t.clusterNodes), {});
            assert.equal(containerCreateBody(t.clusterNodes[0], t).HostConfig.NetworkMode, "host");
        });

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

        it("publishAddress 0.0.0.0 publishes on every interface once and still announces the gateway", () => {
            const t = buildTopology(parseSettings({ publishAddress: "0.0.0.0" }), "rs-any");
            assert.deepEqual(
                t.clusterNodes[0].ports.map((p) => p.hostIp),
                ["0.0.0.0", "0.0.0.0"],
            );
            assert.equal(argValue(t.clusterNodes[0].redisArgs, "--cluster-announce-ip"), "172.30.57.1");
        });

        it("AOF off is passed through", () => {
            const t = buildTopology(parseSettings({ appendOnly: "false" }), "rs-rdb");
            assert.equal(argValue(t.clusterNodes[0].redisArgs, "--appendonly"), "no");
        });
    });
});
