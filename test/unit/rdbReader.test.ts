// The RDB reader against files and DUMPs recorded from real servers (test/support/recordRdbFixtures.ts): Redis
// 8.0, Redis 7.0 and Valkey 8.1, each with keys of every type in each encoding, integer and compressed keys, streams
// with consumer groups, and TTLs. Every key's payload must be byte for byte what the server's DUMP gave.
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { crc64 } from "../../components/backup/crc64";
import { rdbKeys, rdbVersion } from "../../components/backup/rdbReader";

const FIXTURES = join(__dirname, "fixtures", "rdb");

describe("RDB reader", () => {
    it("computes Redis's CRC-64 (Jones): 123456789 -> e9c6d914c4b8d9ca", () => {
        assert.equal(
            Buffer.from(crc64(Buffer.from("123456789")))
                .reverse()
                .toString("hex"),
            "e9c6d914c4b8d9ca",
        );
    });

    for (const tag of ["redis8", "redis7", "valkey8"]) {
        it(`gives every key of ${tag}'s RDB with the payload its DUMP gave, and the TTLs`, () => {
            const file = readFileSync(join(FIXTURES, `${tag}.rdb`));
            const { version, dumps } = JSON.parse(readFileSync(join(FIXTURES, `${tag}.dumps.json`), "utf8")) as {
                version: string;
                dumps: Record<string, { dump: string; pttl: number }>;
            };
            const keys = [...rdbKeys(file)];
            assert.deepEqual(keys.map((k) => k.key.toString("utf8")).sort(), Object.keys(dumps).sort(), `${tag} ${version}`);
            for (const k of keys) {
                const name = k.key.toString("utf8");
                assert.equal(k.db, 0);
                assert.equal(k.payload.toString("base64"), dumps[name].dump, `${tag}: ${name}`);
                assert.equal(k.expiresAtMs !== undefined, dumps[name].pttl > 0, `${tag}: ${name} has a TTL`);
            }
            assert.ok(rdbVersion(file) >= 10);
        });
    }

    it("refuses what is not an RDB, and a file cut in the middle of a key, naming the key", () => {
        assert.throws(() => [...rdbKeys(Buffer.from("NOTREDIS0"))], /not an RDB file/);
        const file = readFileSync(join(FIXTURES, "redis8.rdb"));
        assert.throws(() => [...rdbKeys(file.subarray(0, file.length - 300))], /ends in the middle of an entry|key "/);
    });
});
