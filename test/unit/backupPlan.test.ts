// Backups, the pure parts: the framing of a full resynchronisation (disk-based `$<length>` and diskless `$EOF:`
// transfers, keep-alive newlines, chunks cut anywhere, a master's refusal), which masters a backup takes from the
// cluster's own view, and what a stack's outputs give the backup.
import { strict as assert } from "assert";
import { RdbTransferParser } from "../../components/redis/rdbTransfer";
import { backupDirName, mastersToTake } from "../../components/backup/backupPlan";
import { parseClusterNodes } from "../../components/redis/clusterView";
import { backupTarget } from "../../scripts/lib/backup";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkedManifest } from "../../components/backup/restoreBackup";
import { parseSettings } from "../../components/settings/config";
import { defaultBackupDir } from "../../components/stack/stackBackup";
import { settingProblems } from "../support/settingProblems";

const REPLID = "8c1b6a0d7e7e0f7a3a4d2b6c9e1f0a2b3c4d5e6f";
const MARK = "0123456789abcdefghij0123456789abcdefghij";

/** Feeds `stream` in pieces of `size` bytes; the RDB bytes handed on and the parser. */
function feed(stream: Buffer, size: number): { rdb: Buffer; parser: RdbTransferParser } {
    const chunks: Buffer[] = [];
    const parser = new RdbTransferParser((c) => chunks.push(c));
    for (let i = 0; i < stream.length && !parser.finished; i += size) parser.push(stream.subarray(i, i + size));
    return { rdb: Buffer.concat(chunks), parser };
}

describe("backups", () => {
    const rdb = Buffer.concat([Buffer.from("REDIS0011"), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256))]);

    it("takes a disk-based transfer ($<length>) after keep-alives, cut at any point", () => {
        const stream = Buffer.concat([
            Buffer.from(`\n\n+FULLRESYNC ${REPLID} 1234\r\n\n\n$${rdb.length}\r\n`),
            rdb,
            Buffer.from("*1\r\n$4\r\nPING\r\n"),
        ]);
        for (const size of [1, 7, 40, 4096, stream.length]) {
            const { rdb: got, parser } = feed(stream, size);
            assert.ok(parser.finished, `chunks of ${size}`);
            assert.deepEqual(parser.resync, { replid: REPLID, offset: 1234 });
            assert.ok(got.equals(rdb), `chunks of ${size}: the RDB's bytes exactly`);
        }
    });

    it("takes a diskless transfer ($EOF:<mark>), holding back what may be the mark, cut at any point", () => {
        const stream = Buffer.concat([Buffer.from(`+FULLRESYNC ${REPLID} 0\r\n\n$EOF:${MARK}\r\n`), rdb, Buffer.from(MARK)]);
        for (const size of [1, 39, 40, 41, 1000, stream.length]) {
            const { rdb: got, parser } = feed(stream, size);
            assert.ok(parser.finished, `chunks of ${size}`);
            assert.ok(got.equals(rdb), `chunks of ${size}: the RDB's bytes exactly`);
        }
        // Not finished until the mark came.
        const cut = feed(stream.subarray(0, stream.length - 1), 100);
        assert.equal(cut.parser.finished, false);
    });

    it("refuses a reply that is not a full resynchronisation, quoting the node", () => {
        const parser = new RdbTransferParser(() => undefined);
        assert.throws(
            () => parser.push(Buffer.from("-NOPERM this user has no permissions to run the 'psync' command\r\n")),
            /did not start a full resynchronisation: -NOPERM/,
        );
    });

    const NODES = [
        `a1${"0".repeat(38)} 10.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460`,
        `b2${"0".repeat(38)} 10.0.0.1:7001@17001 master - 0 0 2 connected 5461-10922`,
        `c3${"0".repeat(38)} 10.0.0.1:7005@17005 master - 0 0 7 connected 10923-16383`,
        `d4${"0".repeat(38)} 10.0.0.1:7002@17002 slave c3${"0".repeat(38)} 0 0 7 connected`,
    ].join("\n");
    const names = new Map([
        ["10.0.0.1:7000", "s-node-0"],
        ["10.0.0.1:7001", "s-node-1"],
        ["10.0.0.1:7002", "s-node-2"],
        ["10.0.0.1:7005", "s-node-5"],
    ]);

    it("takes the masters the cluster itself names (a failover made node 5 one), in slot order", () => {
        assert.deepEqual(mastersToTake(parseClusterNodes(NODES), names), [
            { id: `a1${"0".repeat(38)}`, node: "s-node-0", slots: ["0-5460"] },
            { id: `b2${"0".repeat(38)}`, node: "s-node-1", slots: ["5461-10922"] },
            { id: `c3${"0".repeat(38)}`, node: "s-node-5", slots: ["10923-16383"] },
        ]);
    });

    it("refuses a cluster that is not whole: a failing master, or slots nobody owns", () => {
        const failing = NODES.replace("7001@17001 master", "7001@17001 master,fail");
        assert.throws(() => mastersToTake(parseClusterNodes(failing), names), /master b2000000 \(10\.0\.0\.1:7001\) is failing/);
        const uncovered = NODES.replace("connected 5461-10922", "connected 5461-10900");
        assert.throws(() => mastersToTake(parseClusterNodes(uncovered), names), /cover 16362 of the 16384 slots/);
    });

    it("names a backup by its UTC time, sortable and plain", () => {
        assert.equal(backupDirName(new Date("2026-12-07T14:05:09.123Z")), "20261207T140509Z");
    });

    it("reads the nodes, the password and the TLS client files from the stack's outputs", () => {
        const target = backupTarget("dev", {
            clusterNodes: [{ name: "p-node-0", address: "172.30.57.1:7000", hostAddress: "127.0.0.1:7000" }],
            standaloneLoopbackUrl: "rediss://127.0.0.1:6379",
            redisPassword: "pw-secret-1",
            tlsCaCert: "CA",
            tlsClientCert: "CERT",
            tlsClientKey: "KEY",
        });
        assert.deepEqual(target, {
            stack: "p",
            clusterNodes: [{ name: "p-node-0", announced: "172.30.57.1:7000", host: "127.0.0.1", port: 7000 }],
            standalone: { name: "p-standalone", announced: "", host: "127.0.0.1", port: 6379 },
            password: "pw-secret-1",
            tls: { ca: "CA", cert: "CERT", key: "KEY" },
        });
        assert.throws(() => backupTarget("ci", {}), /stack ci has no clusterNodes output: run npm run up \(STACK=ci\) first/);
    });

    it("takes finalBackup and backupDir; refuses a backupDir with control characters, and finalBackup through port-forwards", () => {
        const settings = parseSettings({ finalBackup: "true", backupDir: " /srv/redis-backups " });
        assert.deepEqual([settings.finalBackup, settings.backupDir], [true, "/srv/redis-backups"]);
        assert.deepEqual(settingProblems({ backupDir: "/srv/a\nb" }), [
            'backupDir: got "/srv/a\\nb"; allowed: a directory path without control characters (empty: .redis-stack/backups/<name prefix>)',
        ]);
        assert.deepEqual(settingProblems({ runtime: "kubernetes", access: "portForward", finalBackup: "true" }), [
            'finalBackup: got "true" with access portForward; allowed: false, or access direct (the backup reaches the nodes at their ClusterIPs from where Pulumi runs)',
        ]);
    });

    it("puts backups under .redis-stack/backups/<name prefix> of the program's directory by default", () => {
        assert.equal(defaultBackupDir("redis-stack-dev"), path.resolve(".redis-stack/backups/redis-stack-dev"));
    });

    it("restoreFrom: refuses a directory without a manifest, a manifest of another kind, a missing or resized file, naming them", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-unit-restore-"));
        try {
            assert.throws(
                () => checkedManifest(dir),
                /^Error: restoreFrom: .* has no readable manifest\.json .*allowed: a directory npm run backup or finalBackup made$/,
            );
            fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ format: 2 }));
            assert.throws(() => checkedManifest(dir), /manifest\.json is not a redis-stack backup manifest of format 1/);
            const record = {
                node: "p-node-0",
                id: "a",
                slots: ["0-16383"],
                file: "p-node-0.rdb",
                bytes: 5,
                sha256: "",
                redisVersion: "8.0.2",
                replid: "r",
                offset: 0,
            };
            fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ format: 1, stack: "p", takenAt: "", masters: [record] }));
            assert.throws(() => checkedManifest(dir), /p-node-0\.rdb \(p-node-0\) is missing/);
            fs.writeFileSync(path.join(dir, "p-node-0.rdb"), "REDIS0012xx");
            assert.throws(() => checkedManifest(dir), /p-node-0\.rdb has another size than the manifest records \(5 bytes\)/);
            fs.writeFileSync(path.join(dir, "p-node-0.rdb"), "REDIS");
            assert.equal(checkedManifest(dir).masters.length, 1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.deepEqual(settingProblems({ runtime: "kubernetes", access: "portForward", restoreFrom: "/b" }), [
            'restoreFrom: got "/b" with access portForward; allowed: unset, or access direct (the restore reaches the nodes at their ClusterIPs from where Pulumi runs)',
        ]);
    });
});
