// `npm run backup` (scripts/backup.sh) as a user runs it, on a suite's stack: the directory it printed last and
// the manifest in it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { BackupManifest } from "../../components/backup/backupPlan";
import { PROJECT_DIR } from "./automation";
import type { SuiteStack } from "./suiteStack";

export function runBackup(
    suite: Pick<SuiteStack, "name" | "cliEnv">,
    parent: string,
): { dir: string; manifest: BackupManifest; ms: number } {
    const started = Date.now();
    const out = execFileSync("bash", [path.join(PROJECT_DIR, "scripts/backup.sh")], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        env: { ...process.env, ...suite.cliEnv, STACK: suite.name, BACKUP_DIR: parent },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const dir = out.trim().split("\n").pop()!;
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as BackupManifest;
    return { dir, manifest, ms: Date.now() - started };
}
