// Pure rules of the passed-through Redis settings (redisConfig), the container limits and the health
// check: what is refused and why, what the nodes get.
import { strict as assert } from "assert";
import { parseSettings } from "../../components/settings/config";
import { HEALTH_RETRIES, dockerHealthcheck, healthCheck, healthScript } from "../../components/topology/nodeHealth";
import { MIN_MEMORY_BYTES, cpuLimitProblem, dockerLimitFields, parseLimits, parseMemory } from "../../components/settings/nodeLimits";
import {
    ownedReason,
    parseRedisSettings,
    renderSettingsFile,
    settingsChange,
    unknownSettingsMessage,
} from "../../components/settings/redisSettings";
import { AUTH_CONFIG_PATH } from "../../components/topology/topology";
import { containerCreateBody } from "../../components/runtime/containerSpec";
import { placedStack } from "../support/placedStack";

describe("redisConfig (passed-through Redis settings)", () => {
    it("takes strings, numbers and booleans (yes/no), sorted by name", () => {
        const { settings, problems } = parseRedisSettings(
            JSON.stringify({
                "maxmemory-policy": "allkeys-lru",
                maxmemory: "256mb",
                hz: 20,
                "lazyfree-lazy-eviction": true,
                "notify-keyspace-events": "Ex",
            }),
        );
        assert.deepEqual(problems, []);
        assert.deepEqual(Object.entries(settings), [
            ["hz", "20"],
            ["lazyfree-lazy-eviction", "yes"],
            ["maxmemory", "256mb"],
            ["maxmemory-policy", "allkeys-lru"],
            ["notify-keyspace-events", "Ex"],
        ]);
    });

    it("treats unset, empty and {} as no settings", () => {
        for (const raw of [undefined, "", "{}"]) assert.deepEqual(parseRedisSettings(raw), { settings: {}, problems: [] });
    });

    it("refuses every setting the stack owns, naming the key, the value and why, all at once", () => {
        const owned = {
            port: 6380,
            bind: "0.0.0.0",
            "protected-mode": "yes",
            dir: "/tmp",
            appendonly: "no",
            "cluster-enabled": "no",
            "cluster-node-timeout": 100,
            "cluster-announce-ip": "1.2.3.4",
            requirepass: "x",
            masterauth: "x",
            masteruser: "x",
            "tls-port": 6380,
            aclfile: "/x",
            include: "/x",
            replicaof: "a 1",
            daemonize: "yes",
            logfile: "/x",
            "rename-command": "CONFIG x",
        };
        const { settings, problems } = parseRedisSettings(JSON.stringify(owned));
        assert.deepEqual(settings, {});
        assert.equal(problems.length, Object.keys(owned).length);
        assert.ok(problems.includes('redisConfig.appendonly: got "no"; the stack owns this setting: use redis-stack:appendOnly'));
        assert.ok(
            problems.includes(
                "redisConfig.cluster-node-timeout: got 100; the stack owns this setting: use redis-stack:clusterNodeTimeoutMs",
            ),
        );
        assert.ok(
            problems.some((p) => /^redisConfig\.port: got 6380; the stack owns this setting: the stack sets each node's port/.test(p)),
        );
        assert.ok(
            problems.some((p) =>
                /^redisConfig\.cluster-enabled: got "no"; .*allowed cluster settings: cluster-require-full-coverage/.test(p),
            ),
        );
    });

    it("refuses DEBUG, MODULE and loadmodule, which turn a leaked password into code in the node, naming the risk", () => {
        const { settings, problems } = parseRedisSettings(
            JSON.stringify({
                "enable-debug-command": "yes",
                "enable-module-command": "local",
                loadmodule: "/tmp/evil.so",
                maxmemory: "1mb",
            }),
        );
        assert.deepEqual(settings, { maxmemory: "1mb" });
        assert.deepEqual(problems, [
            'redisConfig.enable-debug-command: got "yes"; refused as a security risk: DEBUG lets any client with the password crash the node or change its memory; allowed: leave it unset',
            'redisConfig.enable-module-command: got "local"; refused as a security risk: MODULE LOAD lets any client with the password run code inside the node (the REPLICAOF + MODULE LOAD attack); allowed: leave it unset',
            'redisConfig.loadmodule: got "/tmp/evil.so"; refused as a security risk: a module is code that runs inside the node with all its rights; the stack loads none; allowed: leave it unset',
        ]);
    });

    it("lets users tune how the cluster serves while slots are down", () => {
        assert.equal(ownedReason("cluster-require-full-coverage"), undefined);
        assert.equal(ownedReason("cluster-allow-reads-when-down"), undefined);
        assert.ok(ownedReason("cluster-migration-barrier"));
    });

    it("refuses malformed names and values", () => {
        const { problems } = parseRedisSettings(
            JSON.stringify({ MaxMemory: "1", "max memory": "1", maxmemory: "1\nrequirepass x", hz: { a: 1 }, save: null }),
        );
        assert.equal(problems.length, 5);
        assert.ok(problems.some((p) => p.startsWith('redisConfig.MaxMemory: "MaxMemory" is not a Redis setting name')));
        assert.ok(problems.some((p) => p.startsWith("redisConfig.maxmemory: got") && p.includes("printable text")));
        assert.ok(problems.some((p) => p === 'redisConfig.hz: got {"a":1}; allowed: a string, a number or true/false'));
        assert.deepEqual(parseRedisSettings("maxmemory=1").problems, [
            'redisConfig: got "maxmemory=1"; allowed: a map of Redis setting -> value, such as {"maxmemory": "256mb"}',
        ]);
    });

    it("is validated with every other setting by parseSettings", () => {
        assert.throws(
            () => parseSettings({ redisConfig: '{"dir": "/x"}', masters: "2" }),
            /redisConfig\.dir: got "\/x"[\s\S]*masters: got "2"|masters: got "2"[\s\S]*redisConfig\.dir/,
        );
    });

    it("renders one quoted line per setting, escaping quotes and backslashes", () => {
        assert.equal(renderSettingsFile({}), "");
        assert.equal(
            renderSettingsFile({ save: "3600 1 300 100", maxmemory: "256mb", x: 'a"b\\c' }),
            'maxmemory "256mb"\nsave "3600 1 300 100"\nx "a\\"b\\\\c"\n',
        );
    });

    it("tells what changed: values set and names removed", () => {
        assert.deepEqual(settingsChange({ maxmemory: "1mb", hz: "10" }, { maxmemory: "2mb", "maxmemory-policy": "noeviction" }), {
            set: { maxmemory: "2mb", "maxmemory-policy": "noeviction" },
            removed: ["hz"],
        });
    });

    it("names the node and the settings its server does not know", () => {
        assert.equal(unknownSettingsMessage("n0", { maxmemory: "0" }), undefined);
        assert.match(
            unknownSettingsMessage("n0", { maxmemory: "0", "no-such-thing": null }) ?? "",
            /"no-such-thing" is not a setting of the Redis server on node n0.*Nothing was changed/,
        );
    });

    it("reaches every node's spec, and never its command (a change must not restart a node by itself)", () => {
        const plain = placedStack(parseSettings({}), "p");
        const tuned = placedStack(parseSettings({ redisConfig: '{"maxmemory": "64mb"}', memoryLimit: "256m", cpuLimit: "0.5" }), "p");
        for (const [i, node] of tuned.clusterNodes.entries()) {
            assert.deepEqual(node.redisConfig, { maxmemory: "64mb" });
            assert.deepEqual(node.limits, { memoryBytes: 256 * 2 ** 20, nanoCpus: 5e8 });
            assert.deepEqual(containerCreateBody(node, tuned), containerCreateBody(plain.clusterNodes[i], plain));
        }
        assert.deepEqual(tuned.standalone.redisConfig, { maxmemory: "64mb" });
    });
});

describe("memoryLimit and cpuLimit", () => {
    it("reads Docker's memory syntax", () => {
        assert.equal(parseMemory("512m"), 512 * 2 ** 20);
        assert.equal(parseMemory("1G"), 2 ** 30);
        assert.equal(parseMemory("33554432"), MIN_MEMORY_BYTES);
        assert.equal(parseMemory("1.5g"), undefined);
    });

    it("refuses limits below what a node needs to start, naming the key, the value and the floor", () => {
        assert.deepEqual(parseLimits("31m", "0.09").problems, [
            'memoryLimit: got "31m" (32505856 bytes); allowed: at least 32m (33554432 bytes), what a Redis node needs to start, rewrite its AOF and sync a replica',
            'cpuLimit: got "0.09"; allowed: a number of CPUs of at least 0.1, such as 1.5 (less starves a cluster node\'s heartbeats)',
        ]);
        assert.deepEqual(parseLimits("32m", "0.1"), { limits: { memoryBytes: MIN_MEMORY_BYTES, nanoCpus: 1e8 }, problems: [] });
        assert.deepEqual(parseLimits("", undefined), { limits: {}, problems: [] });
    });

    it("refuses more CPUs than the Docker host has (Docker would refuse it only when it creates the container)", () => {
        assert.equal(cpuLimitProblem({ nanoCpus: 2e9 }, 2), undefined);
        assert.equal(cpuLimitProblem({}, 2), undefined);
        assert.equal(
            cpuLimitProblem({ nanoCpus: 2.5e9 }, 2),
            "cpuLimit: got 2.5; allowed: at most 2, the CPUs of the Docker host; nothing was created or changed",
        );
    });

    it("maps to Docker's fields: no swap on top of the memory limit, 0 for none", () => {
        assert.deepEqual(dockerLimitFields({ memoryBytes: 2 ** 30, nanoCpus: 1.5e9 }), {
            Memory: 2 ** 30,
            MemorySwap: 2 ** 30,
            NanoCpus: 1.5e9,
        });
        assert.deepEqual(dockerLimitFields({}), { Memory: 0, MemorySwap: -1, NanoCpus: 0 });
    });
});

describe("node health check", () => {
    const target = { clientPort: 7000, cluster: true, cliCommand: "redis-cli", authConfigPath: AUTH_CONFIG_PATH };

    it("checks as the project's own user that a cluster node is part of an ok cluster, and that the standalone node answers PING", () => {
        assert.match(
            healthScript(target),
            /redis-cli --user redis-stack -h 127\.0\.0\.1 -p 7000 cluster info\)" in \*cluster_state:ok\*\) exit 0;; esac; exit 1$/,
        );
        assert.match(
            healthScript({ ...target, clientPort: 6379, cluster: false }),
            /\[ "\$\(redis-cli --user redis-stack -h 127\.0\.0\.1 -p 6379 ping\)" = PONG \] \|\| exit 1$/,
        );
    });

    it("with TLS, connects to the client port over TLS with the node's own files (the plain port is elsewhere or off)", () => {
        const settings = parseSettings({ tls: "true" });
        const topology = placedStack(settings, "p");
        for (const node of [topology.clusterNodes[0], topology.standalone]) {
            const script = containerCreateBody(node, topology).Healthcheck!.Test[1];
            assert.ok(
                script.includes(
                    `redis-cli --user redis-stack -h 127.0.0.1 -p ${node.clientPort} --tls --cacert /etc/redis-stack-tls/ca.crt --cert /etc/redis-stack-tls/node.crt --key /etc/redis-stack-tls/node.key`,
                ),
                script,
            );
        }
        assert.ok(!healthScript(target).includes("--tls"), "no TLS flags without TLS");
    });

    it("reads the password inside the container from the auth file: the definition holds none", () => {
        const settings = parseSettings({});
        const topology = placedStack(settings, "p");
        const body = containerCreateBody(topology.clusterNodes[0], topology);
        assert.deepEqual(body.Healthcheck?.Test[0], "CMD-SHELL");
        assert.ok(body.Healthcheck?.Test[1].includes(`done < ${AUTH_CONFIG_PATH}`));
        assert.ok(body.Healthcheck?.Test[1].includes('export REDISCLI_AUTH="$v"'));
    });

    it("uses the configured CLI program and the intervals of timeouts.ts, in nanoseconds for the Engine API", () => {
        const spec = healthCheck({ ...target, cliCommand: "valkey-cli" });
        assert.ok(spec.test[1].includes("valkey-cli --user redis-stack -h 127.0.0.1 -p 7000"));
        assert.deepEqual(dockerHealthcheck(spec), {
            Test: spec.test,
            Interval: 5e9,
            Timeout: 3e9,
            StartPeriod: 30e9,
            Retries: HEALTH_RETRIES,
        });
    });
});
