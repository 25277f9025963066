// `backupSchedule` on the engine runtime, with TLS and a password, through the real Pulumi CLI: the runner container
// beside the nodes takes a backup at the time the schedule names (every minute here) into `<backupDir>/scheduled`,
// owned by whoever ran `up`, as its own ACL user, which can read no key and write nothing; retention keeps the newest;
// the files hold the stack's keys; the outputs say where the backups go and the last one; destroy removes the runner
// and keeps the backups.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { engineSuiteStack } from "../support/engineStack";
import { docker } from "../support/dockerCli";
import { testBackupImage } from "../support/fixture";
import { poll } from "../support/kubernetes";
import { RdbLoader, assertKeysInMasterFiles } from "../support/rdbLoader";
import { RECIPE_KEYS } from "../support/recipe";
import { BACKUP_JOB_FILE, BACKUP_USER, type BackupJob } from "../../components/backup/backupSchedule";
import { backupDirName } from "../../components/backup/backupPlan";

const PASSWORD = `e2e-${Math.random().toString(36).slice(2)}-Sched`;
/** Ports and subnet of this suite alone. */
const BASE_PORT = 9520;
const STANDALONE_PORT = 6941;
const RETENTION = 2;

describe("end to end: scheduled backups (engine runtime, TLS)", function () {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-scheduled-"));
    const suite = engineSuiteStack("e2esched", {
        "redis-stack:basePort": { value: String(BASE_PORT) },
        "redis-stack:standalonePort": { value: String(STANDALONE_PORT) },
        "redis-stack:subnet": { value: "172.30.193.0/24" },
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:tls": { value: "true" },
        "redis-stack:backupSchedule": { value: "* * * * *" },
        "redis-stack:backupRetention": { value: String(RETENTION) },
        "redis-stack:backupImage": { value: testBackupImage() },
        "redis-stack:backupDir": { value: parent },
    });
    const scheduled = path.join(parent, "scheduled");
    const runner = () => `${suite.prefix}-backup`;
    const loader = new RdbLoader();
    let stack: Stack;
    let outputs: OutputMap;
    /** The name a backup asked for once the recipe's keys were written would have: later ones hold them. */
    let keysWritten: string;

    const tls = () => ({
        ca: outputs.tlsCaCert.value as string,
        cert: outputs.tlsClientCert.value as string,
        key: outputs.tlsClientKey.value as string,
        checkServerIdentity: () => undefined,
    });
    const whole = () =>
        fs
            .readdirSync(scheduled)
            .filter((name) => fs.existsSync(path.join(scheduled, name, "manifest.json")))
            .sort();
    /** One backup now, as the runner takes them (its own job file, its own user), inside its container. */
    const backupNow = () => docker("exec", runner(), "/opt/redis-stack-backup/node", "/opt/redis-stack-backup/runner.js", "once");

    before(async function () {
        stack = suite.stack;
        const up = await stack.up({ onOutput: suite.log });
        assert.equal(up.summary.result, "succeeded");
        outputs = up.outputs;
        const cluster = new Cluster(
            (outputs.loopbackSeeds.value as string[]).map((s) => ({ host: "127.0.0.1", port: Number(s.split(":")[1]) })),
            {
                natMap: outputs.natMap.value as Record<string, { host: string; port: number }>,
                redisOptions: { password: PASSWORD, tls: tls() },
            },
        );
        try {
            for (const [key, value] of RECIPE_KEYS) await cluster.set(key, value);
        } finally {
            cluster.disconnect();
        }
        // The schedule may fire between the up and the writes: only a backup asked for after them holds the keys.
        keysWritten = backupDirName(new Date());
    });

    after(function () {
        loader.removeAll();
        fs.rmSync(parent, { recursive: true, force: true });
    });

    it("says where the backups go, and takes one at the time the schedule names, into a directory of the user who ran up", async () => {
        assert.equal(outputs.backupLocation.value, scheduled);
        const stat = fs.statSync(scheduled);
        assert.equal(stat.uid, process.getuid!());
        assert.equal(stat.mode & 0o777, 0o700);
        // The next minute's backup: named by the time it was asked for, on the minute.
        const found = await poll("a scheduled backup", 75000, async () =>
            whole().find((name) => /\d{4}0[01]Z$/.test(name) && name > keysWritten),
        ).catch((err: Error) => {
            const log = spawnSync("docker", ["logs", runner()], { encoding: "utf8" });
            throw new Error(`${err.message}; the runner's log:\n${log.stdout}${log.stderr}`);
        });
        const logs = docker("logs", runner());
        assert.match(logs, /schedule \* \* \* \* \* \(UTC\), keeping 2/);
        assert.match(logs, new RegExp(`taken /backups/${found}: 3 masters and the standalone node`));
        assert.equal(fs.statSync(path.join(scheduled, found)).uid, process.getuid!());
    });

    it("holds the stack's keys: every master's RDB and the standalone node's, as the manifest says", async () => {
        const newest = whole()
            .filter((name) => name > keysWritten)
            .pop()!;
        const manifest = await assertKeysInMasterFiles(loader, path.join(scheduled, newest), RECIPE_KEYS);
        assert.equal(manifest.stack, suite.prefix);
        assert.equal(manifest.masters.length, 3);
        assert.ok(manifest.standalone);
    });

    it("keeps the newest backups alone (backupRetention), leaving what is not a backup", async () => {
        fs.mkdirSync(path.join(scheduled, "notes"));
        // Each backup is named by its second: a new one waits for a second no backup is named by.
        const takeNew = async () => {
            await poll("a second of its own", 3000, async () => (whole().includes(backupDirName(new Date())) ? undefined : true));
            backupNow();
        };
        while (whole().length < RETENTION) await takeNew();
        const oldest = whole()[0];
        await takeNew();
        const after = whole();
        assert.equal(after.length, RETENTION);
        assert.ok(!after.includes(oldest), `the oldest, ${oldest}, went`);
        assert.ok(fs.existsSync(path.join(scheduled, "notes")));
    });

    it("takes them as its own ACL user, which cannot read a key, write or read a setting", async () => {
        const job = JSON.parse(
            docker(
                "exec",
                runner(),
                "/opt/redis-stack-backup/node",
                "-e",
                `process.stdout.write(require("fs").readFileSync("${BACKUP_JOB_FILE}", "utf8"))`,
            ),
        ) as BackupJob;
        assert.equal(job.target.username, BACKUP_USER);
        const port = Number((outputs.loopbackSeeds.value as string[])[0].split(":")[1]);
        const client = new Redis(port, "127.0.0.1", {
            username: BACKUP_USER,
            password: job.target.password!,
            tls: tls(),
            lazyConnect: true,
        });
        try {
            await client.connect();
            assert.equal(await client.ping(), "PONG");
            for (const command of [["GET", "key:1"], ["SET", "key:1", "x"], ["CONFIG", "GET", "requirepass"], ["FLUSHALL"], ["KEYS", "*"]])
                await assert.rejects(client.call(command[0], ...command.slice(1)), /NOPERM/, command.join(" "));
        } finally {
            client.disconnect();
        }
        assert.ok(!JSON.stringify(outputs.redisUsers?.value ?? {}).includes(BACKUP_USER), "the runner's user is not among the outputs");
    });

    it("shows the last backup at the next up, which changes nothing; destroy removes the runner and keeps the backups", async () => {
        const up = await stack.up({ onOutput: suite.log });
        assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}), ["same"]);
        assert.equal(up.outputs.lastBackup.value, path.join(scheduled, whole().pop()!));
        await stack.destroy({ onOutput: suite.log });
        assert.match(spawnSync("docker", ["inspect", runner()], { encoding: "utf8" }).stderr, /No such object/);
        assert.ok(whole().length >= RETENTION);
    });
});
