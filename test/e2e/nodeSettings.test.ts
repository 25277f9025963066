// Redis settings (redisConfig), container limits and health checks through the Pulumi engine (`engine`
// runtime) on real containers: applied in place where Redis and Docker allow it (same container, same
// start time), by the rolling replacement where they do not; drift noticed by refresh and put back by
// up; an unknown setting refused at preview with nothing changed; `docker ps` health; no password in
// `docker inspect`.
import { strict as assert } from "assert";
import { Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { waitClusterOk } from "../support/clusterState";
import { engineSuiteStack } from "../support/engineStack";
import { docker } from "../support/dockerCli";

const PASSWORD = `settings-${Math.random().toString(36).slice(2)}-Secret`;
const BASE_PORT = 7860;
const STANDALONE_PORT = 6859;
const CLUSTER_PORTS = [0, 1, 2, 3, 4, 5].map((i) => BASE_PORT + i);
const ALL_PORTS = [...CLUSTER_PORTS, STANDALONE_PORT];
const MIB = 2 ** 20;
const KEYS = Array.from({ length: 200 }, (_, i) => `rolled:${i}`);

/** A cluster client from the host: 127.0.0.1 seeds, announced addresses mapped back to them. */
function clusterClient(): Cluster {
    const natMap = Object.fromEntries(CLUSTER_PORTS.map((p) => [`172.30.147.1:${p}`, { host: "127.0.0.1", port: p }]));
    return new Cluster(
        CLUSTER_PORTS.map((port) => ({ host: "127.0.0.1", port })),
        { natMap, redisOptions: { password: PASSWORD } },
    );
}

interface Inspected {
    Id: string;
    Name: string;
    State: { StartedAt: string; Health?: { Status: string } };
    Config: { Healthcheck?: { Test: string[] }; Env?: string[]; Cmd: string[] };
    HostConfig: { Memory: number; NanoCpus: number };
}

function changesOf(summary: Record<string, number> | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n > 0));
}

async function onNode<T>(port: number, use: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis({ host: "127.0.0.1", port, password: PASSWORD, lazyConnect: true, retryStrategy: () => null });
    try {
        await client.connect();
        return await use(client);
    } finally {
        client.disconnect();
    }
}

const configGet = (port: number, name: string) => onNode(port, async (c) => ((await c.call("CONFIG", "GET", name)) as string[])[1]);

async function pollUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await check())) {
        if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
    }
    return Date.now() - started;
}

describe("end to end: Redis settings, limits and health checks", function () {
    const suite = engineSuiteStack("e2eset", {
        "redis-stack:basePort": { value: String(BASE_PORT) },
        "redis-stack:standalonePort": { value: String(STANDALONE_PORT) },
        "redis-stack:subnet": { value: "172.30.147.0/24" },
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:memoryLimit": { value: "256m" },
        "redis-stack:cpuLimit": { value: "1" },
    });
    const { prefix, label, log } = suite;
    const names = [...[0, 1, 2, 3, 4, 5].map((i) => `${prefix}-node-${i}`), `${prefix}-standalone`];
    let stack: Stack;
    const inspect = (): Inspected[] => JSON.parse(docker("inspect", ...names)) as Inspected[];
    const setConfig = (values: Record<string, string>) =>
        stack.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`redis-stack:${k}`, { value: v }])));
    /** The whole map, as a user sets an object-valued key: key by key with --path (a JSON string is refused by Pulumi's type check). */
    const setRedisConfig = async (values: Record<string, string>) => {
        await stack.removeConfig("redis-stack:redisConfig");
        await stack.setAllConfig(
            Object.fromEntries(Object.entries(values).map(([k, v]) => [`redis-stack:redisConfig["${k}"]`, { value: v }])),
            true,
        );
    };
    const up = async () => {
        const result = await stack.up({ onOutput: log });
        assert.equal(result.summary.result, "succeeded");
        return result;
    };

    before(async function () {
        stack = suite.stack;
        await setRedisConfig({ maxmemory: "64mb", "maxmemory-policy": "allkeys-lru" });
        await up();
        await onNode(STANDALONE_PORT, (c) => c.set("kept", "standalone"));
    });

    it("gives every node its settings (CONFIG GET), its limits and a health check (docker inspect), and no password in docker inspect", async () => {
        for (const port of ALL_PORTS) {
            assert.equal(await configGet(port, "maxmemory"), String(64 * MIB), `port ${port}`);
            assert.equal(await configGet(port, "maxmemory-policy"), "allkeys-lru", `port ${port}`);
        }
        for (const c of inspect()) {
            assert.equal(c.HostConfig.Memory, 256 * MIB, c.Name);
            assert.equal(c.HostConfig.NanoCpus, 1e9, c.Name);
            assert.equal(c.Config.Healthcheck?.Test[0], "CMD-SHELL", c.Name);
            assert.ok(!JSON.stringify(c).includes(PASSWORD), `${c.Name}: the password is in docker inspect`);
        }
    });

    it("shows every node healthy in docker ps once the cluster is ok", async () => {
        const took = await pollUntil("every node healthy", 60000, async () => inspect().every((c) => c.State.Health?.Status === "healthy"));
        console.log(`      healthy ${took} ms after up returned`);
        const ps = docker("ps", "--filter", `label=${label}`, "--format", "{{.Status}}").split("\n");
        assert.equal(ps.length, 7);
        assert.ok(
            ps.every((s) => s.includes("(healthy)")),
            ps.join("; "),
        );
    });

    it("applies a new maxmemory and memory limit to the running nodes: same containers, same start times", async () => {
        const before = inspect();
        await setRedisConfig({ maxmemory: "128mb", "maxmemory-policy": "allkeys-lru" });
        await setConfig({ memoryLimit: "384m" });
        const result = await up();
        assert.deepEqual(changesOf(result.summary.resourceChanges), { update: 7 });
        const after = inspect();
        assert.deepEqual(
            after.map((c) => [c.Id, c.State.StartedAt]),
            before.map((c) => [c.Id, c.State.StartedAt]),
        );
        for (const port of ALL_PORTS) assert.equal(await configGet(port, "maxmemory"), String(128 * MIB), `port ${port}`);
        for (const c of after) assert.equal(c.HostConfig.Memory, 384 * MIB, c.Name);
        // The next restart keeps them: the settings file in the container says so too.
        assert.match(
            docker("exec", names[0], "sh", "-c", 'while IFS= read -r line; do echo "$line"; done < /etc/redis-stack-settings.conf'),
            /^maxmemory "128mb"$/m,
        );
    });

    it("refuses at preview a setting the running Redis does not know, naming the node, and changes nothing", async () => {
        const before = inspect().map((c) => c.Id);
        await setRedisConfig({ maxmemory: "128mb", "maxmemory-policy": "allkeys-lru", "no-such-setting": "1" });
        try {
            await assert.rejects(stack.preview({ onOutput: log }), (err: Error) => {
                assert.match(
                    err.message,
                    /redisConfig: "no-such-setting" is not a setting of the Redis server on node redis-stack-e2eset\w+-(node-\d|standalone)/,
                );
                return true;
            });
            await assert.rejects(stack.up({ onOutput: log }), /"no-such-setting" is not a setting/);
        } finally {
            await setRedisConfig({ maxmemory: "128mb", "maxmemory-policy": "allkeys-lru" });
        }
        assert.deepEqual(
            inspect().map((c) => c.Id),
            before,
        );
        for (const port of ALL_PORTS) assert.equal(await configGet(port, "no-such-setting"), undefined);
        assert.deepEqual(changesOf((await stack.preview({ onOutput: log })).changeSummary), {});
    });

    it("refuses at preview a setting the stack owns, naming the key and what to use instead", async () => {
        await setRedisConfig({ appendonly: "no" });
        try {
            await assert.rejects(
                stack.preview({ onOutput: log }),
                /redisConfig\.appendonly: got "no"; the stack owns this setting: use redis-stack:appendOnly/,
            );
        } finally {
            await setRedisConfig({ maxmemory: "128mb", "maxmemory-policy": "allkeys-lru" });
        }
    });

    it("notices a node whose live value drifted (refresh), and the next up puts it back without a restart", async () => {
        const before = inspect();
        await onNode(CLUSTER_PORTS[1], (c) => c.call("CONFIG", "SET", "maxmemory", "1000000"));
        await stack.refresh({ onOutput: log });
        let previewed = "";
        const preview = await stack.preview({
            diff: true,
            onOutput: (line) => {
                previewed += line;
                log(line);
            },
        });
        assert.ok((preview.changeSummary.update ?? 0) >= 1, JSON.stringify(preview.changeSummary));
        // The drifted node's container is an update, showing the live value refresh recorded.
        assert.match(previewed, /cluster-node-1[\s\S]*maxmemory/);
        await up();
        assert.equal(await configGet(CLUSTER_PORTS[1], "maxmemory"), String(128 * MIB));
        assert.deepEqual(
            inspect().map((c) => [c.Id, c.State.StartedAt]),
            before.map((c) => [c.Id, c.State.StartedAt]),
        );
    });

    it("rolls a setting Redis takes only at start through the nodes one at a time, keeping the data", async () => {
        const writer = clusterClient();
        try {
            await Promise.all(KEYS.map((k) => writer.set(k, `v-${k}`)));
        } finally {
            writer.disconnect();
        }
        const before = inspect();
        // Taken only at start on every version (`databases` is not a fit: Redis 8 and Valkey force it to 1 on cluster nodes).
        await setRedisConfig({ maxmemory: "128mb", "maxmemory-policy": "allkeys-lru", "tcp-backlog": "256" });
        const result = await up();
        // The 7 containers, and the formation, which follows their new ids.
        assert.deepEqual(changesOf(result.summary.resourceChanges), { update: 8 });
        const after = inspect();
        for (const [i, c] of after.entries()) assert.notEqual(c.Id, before[i].Id, `${c.Name} was recreated`);
        for (const port of ALL_PORTS) assert.equal(await configGet(port, "tcp-backlog"), "256", `port ${port}`);
        await waitClusterOk(
            CLUSTER_PORTS.map((p) => `127.0.0.1:${p}`),
            PASSWORD,
            30000,
        );
        assert.equal(await onNode(STANDALONE_PORT, (c) => c.get("kept")), "standalone");
        const cluster = clusterClient();
        try {
            const values = await Promise.all(KEYS.map((k) => cluster.get(k)));
            assert.deepEqual(
                values,
                KEYS.map((k) => `v-${k}`),
            );
        } finally {
            cluster.disconnect();
        }
    });

    it("turns a cluster node unhealthy when it leaves the cluster, and healthy again after up re-forms it", async () => {
        await pollUntil("every node healthy", 90000, async () => inspect().every((c) => c.State.Health?.Status === "healthy"));
        // A replica (after the roll above, the masters have moved): CLUSTER RESET refuses a master holding keys.
        const roles = await Promise.all(CLUSTER_PORTS.map((port) => onNode(port, async (c) => ((await c.call("ROLE")) as string[])[0])));
        const index = roles.lastIndexOf("slave");
        assert.ok(index >= 0, roles.join(","));
        const leaving = names[index];
        await onNode(CLUSTER_PORTS[index], (c) => c.call("CLUSTER", "RESET", "SOFT"));
        const took = await pollUntil(`${leaving} unhealthy`, 60000, async () => inspect()[index].State.Health?.Status === "unhealthy");
        console.log(`      unhealthy ${took} ms after CLUSTER RESET`);
        assert.match(docker("ps", "--filter", `name=^/${leaving}$`, "--format", "{{.Status}}"), /\(unhealthy\)/);
        await up();
        await pollUntil(`${leaving} healthy`, 60000, async () => inspect()[index].State.Health?.Status === "healthy");
    });

    it("never printed the password", () => {
        assert.ok(!suite.cliOutput.includes(PASSWORD));
    });
});
