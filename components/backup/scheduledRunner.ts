// The runner of scheduled backups (`backupSchedule`), the entry point of its own image (scripts/lib/backup-image.sh
// bundles this file with Node): it reads its job (./backupSchedule.ts), takes a backup into BACKUP_MOUNT as the
// backup user, then removes what retention no longer keeps. `once` takes one and exits (a Kubernetes CronJob's pod:
// the CronJob keeps the time); `schedule` takes one at every time the schedule names for as long as it runs (Docker).
// A failed backup leaves no directory (./takeBackup.ts) and is logged; the next time tries again.
import * as fs from "fs";
import { Cron } from "croner";
import { messageOf } from "../common/errorMessage";
import { maskSecrets } from "../redis/connect";
import { BACKUP_JOB_FILE, BACKUP_MOUNT, type BackupJob, backupsToRemove } from "./backupSchedule";
import { readBackupEntries, removeBackups } from "./backupDirs";
import { snapshotRecords } from "./backupPlan";
import { takeBackup } from "./takeBackup";

const log = (line: string) => console.log(`[backup] ${new Date().toISOString()} ${line}`);

/** One backup into `parent`, then retention; whether it was taken. */
export async function backupOnce(job: BackupJob, parent: string): Promise<boolean> {
    const started = Date.now();
    log(`taking a backup of ${job.target.clusterNodes.length} cluster nodes' masters and the standalone node`);
    try {
        const { dir, manifest } = await takeBackup(job.target, parent);
        const files = snapshotRecords(manifest);
        const bytes = files.reduce((n, f) => n + f.bytes, 0);
        log(
            `taken ${dir}: ${manifest.masters.length} masters${manifest.standalone ? " and the standalone node" : ""}, ${bytes} bytes, in ${Date.now() - started} ms`,
        );
    } catch (err) {
        log(`failed after ${Date.now() - started} ms: ${maskSecrets(err, job.target.password, job.target.tls?.key)}`);
        return false;
    }
    const removed = backupsToRemove(readBackupEntries(parent), job.retention);
    removeBackups(parent, removed);
    if (removed.length > 0) log(`retention ${job.retention}: removed ${removed.join(", ")}`);
    return true;
}

async function main(): Promise<void> {
    const mode = process.argv[2];
    if (mode !== "once" && mode !== "schedule") throw new Error(`usage: scheduledRunner once|schedule (got ${JSON.stringify(mode)})`);
    const job = JSON.parse(fs.readFileSync(process.env.REDIS_STACK_BACKUP_JOB ?? BACKUP_JOB_FILE, "utf8")) as BackupJob;
    const parent = process.env.REDIS_STACK_BACKUP_DIR ?? BACKUP_MOUNT;
    if (mode === "once") {
        process.exitCode = (await backupOnce(job, parent)) ? 0 : 1;
        return;
    }
    // protect: a backup still running when the next time comes skips that time instead of running twice at once.
    const cron = new Cron(job.schedule, { timezone: "UTC", protect: true }, async () => {
        await backupOnce(job, parent);
        log(`next at ${cron.nextRun()?.toISOString() ?? "never"}`);
    });
    log(`schedule ${job.schedule} (UTC), keeping ${job.retention}; first at ${cron.nextRun()?.toISOString() ?? "never"}`);
    // Stopped (docker stop, a replaced container): at once. A backup cut short has no manifest: it never passes for
    // one, and retention removes it.
    for (const signal of ["SIGTERM", "SIGINT"] as const)
        process.once(signal, () => {
            cron.stop();
            process.exit(0);
        });
}

if (require.main === module) {
    main().catch((err: unknown) => {
        log(`stopped: ${messageOf(err)}`);
        process.exit(2);
    });
}
