// Records the RDB reader's unit-test fixtures from real servers: for each image, a standalone redis-server (or
// valkey-server) gets keys of every type in each of their encodings (small and large: listpacks and their full
// forms, integers, compressed strings, streams with consumer groups and pending entries), some with TTLs; then
// SAVE, and the file and every key's DUMP go into test/unit/fixtures/rdb/<tag>.rdb and <tag>.dumps.json.
// Run: npx ts-node --transpile-only test/support/recordRdbFixtures.ts   (the images scripts/test.sh builds)
import { execFileSync } from "child_process";
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import type Redis from "ioredis";
import { throwawayServer } from "./rdbLoader";

const OUT = join(__dirname, "..", "unit", "fixtures", "rdb");
const SERVERS = [
    { tag: "redis8", image: process.env.REDIS_STACK_TEST_IMAGE ?? "redis-stack-local/redis:8", server: "redis-server" },
    { tag: "redis7", image: process.env.REDIS_STACK_LOCAL_IMAGE_REDIS7 ?? "redis-stack-local/redis:7", server: "redis-server" },
    { tag: "valkey8", image: process.env.REDIS_STACK_LOCAL_IMAGE_VALKEY8 ?? "redis-stack-local/valkey:8", server: "valkey-server" },
];

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();

async function fill(c: Redis): Promise<void> {
    const long = "L".repeat(2000); // compressed with LZF in the RDB
    await c.set("str:short", "hello");
    await c.set("str:int", "12345");
    await c.set("str:neg", "-7");
    await c.set("str:big-int", "123456789012");
    await c.set("str:long", long);
    await c.set("12345", "a key that is an integer");
    await c.set(`key:${"k".repeat(100)}`, "a long key, compressed");
    await c.set("str:ttl", "expires", "PX", 86400000);
    await c.rpush("list:small", "a", "b", "3");
    await c.rpush("list:large", ...Array.from({ length: 300 }, (_, i) => `item-${i}-${"x".repeat(i % 50)}`));
    await c.rpush("list:plain", "y".repeat(20000), "z");
    await c.sadd("set:ints", 1, 2, 3, 1000000);
    await c.sadd("set:small", "a", "b", "c");
    await c.sadd("set:large", ...Array.from({ length: 200 }, (_, i) => `m${i}`));
    await c.zadd("zset:small", 1, "a", 2.5, "b");
    await c.zadd("zset:large", ...Array.from({ length: 200 }, (_, i) => [i * 1.5, `z${i}`]).flat());
    await c.hset("hash:small", { f1: "v1", f2: "2" });
    await c.hset("hash:large", Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`])));
    await c.pexpire("hash:large", 3600000);
    for (let i = 0; i < 50; i++) await c.xadd("stream:plain", "*", "n", String(i), "payload", "p".repeat(i));
    for (let i = 0; i < 20; i++) await c.xadd("stream:groups", "*", "n", String(i));
    await c.xgroup("CREATE", "stream:groups", "g1", "0");
    await c.xgroup("CREATE", "stream:groups", "g2", "$");
    await c.xreadgroup("GROUP", "g1", "consumer-a", "COUNT", "5", "STREAMS", "stream:groups", ">");
    await c.xreadgroup("GROUP", "g1", "consumer-b", "COUNT", "3", "STREAMS", "stream:groups", ">");
    await c.xack(
        "stream:groups",
        "g1",
        ...((await c.xrange("stream:groups", "-", "+", "COUNT", 2)) as [string, string[]][]).map(([id]) => id),
    );
    await c.xadd("stream:deleted", "*", "a", "1");
    const id = await c.xadd("stream:deleted", "*", "a", "2");
    await c.xdel("stream:deleted", id!);
}

async function record(server: (typeof SERVERS)[number]): Promise<void> {
    const name = `redis-stack-rdb-fixture-${server.tag}-${Date.now().toString(36)}`;
    try {
        const c = await throwawayServer(
            name,
            server.image,
            server.server,
            ["--appendonly", "no"],
            async (client) => (await client.ping()) === "PONG",
        );
        try {
            await fill(c);
            const keys = (await c.keys("*")).sort();
            const dumps: Record<string, { dump: string; pttl: number }> = {};
            for (const key of keys) dumps[key] = { dump: (await c.dumpBuffer(key)).toString("base64"), pttl: await c.pttl(key) };
            await c.save();
            execFileSync("sh", ["-c", `docker cp ${name}:/data/dump.rdb - | tar -xO > ${join(OUT, `${server.tag}.rdb`)}`]);
            const info = String(await c.info("server"));
            const version = (/valkey_version:(\S+)/.exec(info) ?? /redis_version:(\S+)/.exec(info))![1];
            writeFileSync(join(OUT, `${server.tag}.dumps.json`), JSON.stringify({ version, dumps }, null, 1) + "\n");
            console.log(`${server.tag}: ${server.server} ${version}, ${keys.length} keys`);
        } finally {
            c.disconnect();
        }
    } finally {
        docker("rm", "-f", "-v", name);
    }
}

async function main(): Promise<void> {
    mkdirSync(OUT, { recursive: true });
    for (const server of SERVERS) await record(server);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
