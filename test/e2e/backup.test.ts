// `npm run backup` (scripts/backup.sh) against a running stack with TLS and a password holding 102,400 keys, through
// the real Pulumi CLI and real nodes: a new directory with one RDB per master (as the cluster names them) and the standalone
// node's, and a manifest of each one's slots, node id, Redis version, size and SHA-256; loaded into throwaway
// redis-servers, the files hold every key of every type with the same DUMP and its TTL; the nodes keep no replica
// for it and the backup is readable by its owner alone. And finalBackup: a destroy whose backup fails stops
// with every node still there; then destroy takes the backup before anything goes. And restoreFrom: the backup of 3
// masters into a new stack of 4, every key's DUMP and TTL the same; refused on a stack that holds data.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { runBackup } from "../support/backupScript";
import { engineSuiteStack } from "../support/engineStack";
import { RdbLoader } from "../support/rdbLoader";
import { labelled } from "../support/dockerCli";
import { poll } from "../support/kubernetes";
import type { BackupManifest } from "../../components/backup/backupPlan";

const PASSWORD = `e2e-${Math.random().toString(36).slice(2)}-Backup`;
/** Ports and subnet of this suite alone. */
const BASE_PORT = 9450;
const STANDALONE_PORT = 6935;
const KEYS_PER_TYPE = 400;
/** Plain strings besides the typed keys: the issue's 100k keys, written and compared through pipelines. */
const BULK = 100000;
const bulkKey = (n: number) => `bulk:${n}`;

/** Runs `each` for 0..count-1, a thousand at a time (the cluster client pipelines them per node). */
async function inBatches(count: number, each: (n: number) => Promise<unknown>): Promise<void> {
    for (let first = 0; first < count; first += 1000)
        await Promise.all(Array.from({ length: Math.min(1000, count - first) }, (_, k) => each(first + k)));
}
const TYPES = ["string", "hash", "list", "set", "zset", "stream"] as const;

/** Writes one key of `type` named `key`; every third one expires in an hour. */
async function writeKey(client: Redis | Cluster, type: (typeof TYPES)[number], key: string, i: number): Promise<void> {
    if (type === "string") await client.set(key, `value-${i}`);
    if (type === "hash") await client.hset(key, { a: String(i), b: `b-${i}` });
    if (type === "list") await client.rpush(key, "x", String(i), "z");
    if (type === "set") await client.sadd(key, "m1", `m-${i}`);
    if (type === "zset") await client.zadd(key, i, `z-${i}`, i + 1, "other");
    if (type === "stream") await client.xadd(key, "*", "field", String(i));
    if (i % 3 === 0) await client.pexpire(key, 3600000);
}

describe("end to end: npm run backup (engine runtime, TLS)", function () {
    const suite = engineSuiteStack("e2ebackup", {
        "redis-stack:basePort": { value: String(BASE_PORT) },
        "redis-stack:standalonePort": { value: String(STANDALONE_PORT) },
        "redis-stack:subnet": { value: "172.30.191.0/24" },
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:tls": { value: "true" },
    });
    let stack: Stack;
    let outputs: OutputMap;
    let backupDir: string;
    let manifest: BackupManifest;
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-backups-"));
    const loader = new RdbLoader();
    const sourceDumps = new Map<string, Buffer>();
    const standaloneDumps = new Map<string, Buffer>();
    const keys = TYPES.flatMap((type) => Array.from({ length: KEYS_PER_TYPE }, (_, i) => ({ type, key: `${type}:{k${i % 50}}:${i}`, i })));

    const tls = () => ({
        ca: outputs.tlsCaCert.value as string,
        cert: outputs.tlsClientCert.value as string,
        key: outputs.tlsClientKey.value as string,
    });
    const cluster = () =>
        new Cluster(
            (outputs.loopbackSeeds.value as string[]).map((s) => ({ host: "127.0.0.1", port: Number(s.split(":")[1]) })),
            {
                natMap: outputs.natMap.value as Record<string, { host: string; port: number }>,
                enableAutoPipelining: true,
                redisOptions: { password: PASSWORD, tls: { ...tls(), checkServerIdentity: () => undefined } },
            },
        );
    const standalone = () =>
        new Redis(STANDALONE_PORT, "127.0.0.1", { password: PASSWORD, tls: { ...tls(), checkServerIdentity: () => undefined } });
    const replicasOf = async (client: Redis) => Number(/connected_slaves:(\d+)/.exec(String(await client.info("replication")))?.[1]);

    const loaded = (file: string) => loader.load(backupDir, file);

    before(async function () {
        stack = suite.stack;
        const up = await stack.up({ onOutput: suite.log });
        assert.equal(up.summary.result, "succeeded");
        outputs = up.outputs;
        const c = cluster();
        const s = standalone();
        try {
            for (const { type, key, i } of keys) await writeKey(c, type, key, i);
            await inBatches(BULK, (n) => c.set(bulkKey(n), `b${n}`));
            for (const { type, key, i } of keys.slice(0, 300)) await writeKey(s, type, key, i);
        } finally {
            c.disconnect();
            s.disconnect();
        }
        const backup = runBackup(suite, parent);
        console.log(`      npm run backup: ${backup.ms} ms for ${keys.length + BULK + 300} keys`);
        ({ dir: backupDir, manifest } = backup);
        // What a restore must give back: every key's DUMP, in the cluster and in the standalone node.
        const c2 = cluster();
        const s2 = standalone();
        try {
            for (const { key } of keys) sourceDumps.set(key, await c2.dumpBuffer(key));
            await inBatches(BULK, async (n) => sourceDumps.set(bulkKey(n), await c2.dumpBuffer(bulkKey(n))));
            for (const { key } of keys.slice(0, 300)) standaloneDumps.set(key, await s2.dumpBuffer(key));
        } finally {
            c2.disconnect();
            s2.disconnect();
        }
    });

    after(function () {
        loader.removeAll();
        fs.rmSync(parent, { recursive: true, force: true });
    });

    it("prints a new directory under BACKUP_DIR, its owner's alone, with an RDB per master, the standalone node's and a manifest", () => {
        assert.equal(path.dirname(backupDir), parent);
        assert.match(path.basename(backupDir), /^\d{8}T\d{6}Z$/);
        assert.equal(fs.statSync(backupDir).mode & 0o777, 0o700);
        const files = fs.readdirSync(backupDir).sort();
        assert.equal(files.length, 5);
        for (const file of files) assert.equal(fs.statSync(path.join(backupDir, file)).mode & 0o777, 0o600, file);
        assert.equal(manifest.stack, suite.prefix);
        assert.equal(manifest.masters.length, 3);
    });

    it("records each master's slots and node id as the cluster has them, its version, size and SHA-256", async () => {
        const nodes = outputs.clusterNodes.value as { name: string; id: string; role: string; slots: string[] }[];
        for (const master of manifest.masters) {
            const node = nodes.find((n) => n.name === master.node)!;
            assert.equal(node.role, "master");
            assert.equal(master.id, node.id);
            assert.deepEqual(master.slots, node.slots);
            assert.match(master.redisVersion, /^\d+\.\d+\.\d+$/);
            const bytes = fs.readFileSync(path.join(backupDir, master.file));
            assert.equal(bytes.length, master.bytes);
            assert.equal(createHash("sha256").update(bytes).digest("hex"), master.sha256);
            assert.equal(bytes.subarray(0, 5).toString("latin1"), "REDIS");
        }
        assert.deepEqual(manifest.masters.flatMap((m) => m.slots).join(","), "0-5460,5461-10922,10923-16383");
        assert.equal(manifest.standalone?.file, `${suite.prefix}-standalone.rdb`);
    });

    it("holds every key of every type, with the same DUMP and its TTL, each in its master's file; the standalone node's too", async () => {
        const live = cluster();
        const fromFiles = await Promise.all(manifest.masters.map((m) => loaded(m.file)));
        try {
            const counts = await Promise.all(fromFiles.map((c) => c.dbsize()));
            assert.equal(
                counts.reduce((a, b) => a + b, 0),
                keys.length + BULK,
            );
            for (const { key, i } of keys) {
                const dump = await live.dumpBuffer(key);
                const holders = await Promise.all(fromFiles.map((c) => c.exists(key)));
                assert.equal(holders.filter((h) => h === 1).length, 1, `${key} in exactly one master's file`);
                const file = fromFiles[holders.indexOf(1)];
                assert.ok((await file.dumpBuffer(key))?.equals(dump), `${key}: the same DUMP`);
                const ttl = await file.pttl(key);
                if (i % 3 === 0) assert.ok(ttl > 0 && ttl <= 3600000, `${key} keeps its TTL (${ttl})`);
                else assert.equal(ttl, -1, `${key} has no TTL`);
            }
        } finally {
            live.disconnect();
            for (const c of fromFiles) c.disconnect();
        }
        const single = standalone();
        const file = await loaded(manifest.standalone!.file);
        try {
            assert.equal(await file.dbsize(), 300);
            for (const { key } of keys.slice(0, 300)) assert.ok((await file.dumpBuffer(key))?.equals(await single.dumpBuffer(key)), key);
        } finally {
            single.disconnect();
            file.disconnect();
        }
    });

    it("leaves no replica behind on the nodes it took snapshots of", async () => {
        const s = standalone();
        try {
            assert.equal(await replicasOf(s), 0);
        } finally {
            s.disconnect();
        }
        const c = cluster();
        try {
            await poll("the cluster client to know its masters", 10000, async () => (c.nodes("master").length === 3 ? true : undefined));
            for (const master of c.nodes("master")) assert.equal(await replicasOf(master), 1, "each master keeps its one replica only");
        } finally {
            c.disconnect();
        }
    });

    it("restoreFrom on a stack that holds data: refused, naming the keys it holds, nothing written", async () => {
        await stack.setConfig("redis-stack:restoreFrom", { value: backupDir });
        await assert.rejects(
            stack.up({ onOutput: suite.log }),
            /restoreFrom: the stack already holds \d+ keys; a restore only seeds a stack with no data/,
        );
        await stack.removeConfig("redis-stack:restoreFrom");
        const c = cluster();
        try {
            assert.equal(await c.get("string:{k1}:1"), "value-1");
        } finally {
            c.disconnect();
        }
    });

    it("finalBackup: a destroy whose backup fails stops with nothing deleted; then destroy takes the backup first, and the data is in it", async () => {
        const finalParent = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-final-"));
        try {
            const containers = () => labelled("ps", suite.label).length;
            await stack.setConfig("redis-stack:finalBackup", { value: "true" });
            // A directory that cannot be made (its parent is a file): the backup fails.
            const file = path.join(finalParent, "a-file");
            fs.writeFileSync(file, "");
            await stack.setConfig("redis-stack:backupDir", { value: path.join(file, "backups") });
            const on = await stack.up({ onOutput: suite.log });
            assert.deepEqual(on.summary.resourceChanges?.update, 1, "only the FinalBackup resource changes");
            await assert.rejects(
                stack.destroy({ onOutput: suite.log }),
                /finalBackup: the last backup before the stack's data goes failed, so nothing was deleted/,
            );
            assert.equal(containers(), 7, "every node still runs");

            fs.rmSync(file);
            await stack.setConfig("redis-stack:backupDir", { value: finalParent });
            await stack.up({ onOutput: suite.log });
            const started = Date.now();
            await stack.destroy({ onOutput: suite.log });
            console.log(`      destroy with finalBackup: ${Date.now() - started} ms`);
            assert.equal(containers(), 0);
            const [taken, ...more] = fs.readdirSync(finalParent);
            assert.equal(more.length, 0);
            const dir = path.join(finalParent, taken);
            const final = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as BackupManifest;
            assert.equal(final.masters.length, 3);
            const files = await Promise.all(final.masters.map((m) => loader.load(dir, m.file)));
            try {
                const counts = await Promise.all(files.map((c) => c.dbsize()));
                assert.equal(
                    counts.reduce((a, b) => a + b, 0),
                    keys.length + BULK,
                );
            } finally {
                for (const c of files) c.disconnect();
            }
        } finally {
            fs.rmSync(finalParent, { recursive: true, force: true });
        }
    });

    describe("restoreFrom: the backup into a new stack of 4 masters", function () {
        const target = engineSuiteStack("e2erestore", {
            "redis-stack:basePort": { value: "9480" },
            "redis-stack:standalonePort": { value: "6936" },
            "redis-stack:subnet": { value: "172.30.192.0/24" },
            "redis-stack:password": { value: `${PASSWORD}-restored`, secret: true },
            "redis-stack:tls": { value: "true" },
            "redis-stack:masters": { value: "4" },
            "redis-stack:replicasPerMaster": { value: "0" },
        });
        let restored: OutputMap;
        const restoredTls = () => ({
            ca: restored.tlsCaCert.value as string,
            cert: restored.tlsClientCert.value as string,
            key: restored.tlsClientKey.value as string,
            checkServerIdentity: () => undefined,
        });

        before(async function () {
            await target.stack.setConfig("redis-stack:restoreFrom", { value: backupDir });
            const started = Date.now();
            const up = await target.stack.up({ onOutput: target.log });
            console.log(`      up from nothing with restoreFrom (${keys.length + BULK + 300} keys): ${Date.now() - started} ms`);
            restored = up.outputs;
        });

        it("holds every key of every type with the same DUMP and its TTL, spread over the 4 masters; the standalone node's too", async () => {
            const c = new Cluster(
                (restored.loopbackSeeds.value as string[]).map((s) => ({ host: "127.0.0.1", port: Number(s.split(":")[1]) })),
                {
                    natMap: restored.natMap.value as Record<string, { host: string; port: number }>,
                    enableAutoPipelining: true,
                    redisOptions: { password: `${PASSWORD}-restored`, tls: restoredTls() },
                },
            );
            try {
                for (const { key, i } of keys) {
                    assert.ok((await c.dumpBuffer(key))?.equals(sourceDumps.get(key)!), `${key}: the same DUMP`);
                    const ttl = await c.pttl(key);
                    if (i % 3 === 0) assert.ok(ttl > 0 && ttl <= 3600000, `${key} keeps its TTL (${ttl})`);
                    else assert.equal(ttl, -1, `${key} has no TTL`);
                }
                const differing: string[] = [];
                await inBatches(BULK, async (n) => {
                    if (!(await c.dumpBuffer(bulkKey(n)))?.equals(sourceDumps.get(bulkKey(n))!)) differing.push(bulkKey(n));
                });
                assert.deepEqual(differing.slice(0, 5), [], `${differing.length} of the ${BULK} strings differ`);
                const counts = await Promise.all(c.nodes("master").map((m) => m.dbsize()));
                assert.equal(counts.length, 4);
                assert.equal(
                    counts.reduce((a, b) => a + b, 0),
                    keys.length + BULK,
                );
                assert.ok(
                    counts.every((n) => n > 0),
                    `every master holds keys: ${counts.join(", ")}`,
                );
            } finally {
                c.disconnect();
            }
            const s = new Redis(6936, "127.0.0.1", { password: `${PASSWORD}-restored`, tls: restoredTls() });
            try {
                assert.equal(await s.dbsize(), 300);
                for (const [key, dump] of standaloneDumps) assert.ok((await s.dumpBuffer(key))?.equals(dump), key);
            } finally {
                s.disconnect();
            }
        });

        it("restores nothing again on a later up, and refuses another backup for the stack it seeded, at preview", async () => {
            const again = await target.stack.up({ onOutput: target.log });
            assert.deepEqual(
                Object.entries(again.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0),
                [],
            );
            await target.stack.setConfig("redis-stack:restoreFrom", { value: parent });
            await assert.rejects(target.stack.preview({ onOutput: target.log }), /restoreFrom: got .*, but this stack was seeded from/);
            await target.stack.setConfig("redis-stack:restoreFrom", { value: backupDir });
        });
    });
});
