// The backups under one parent directory as retention and the outputs see them (./backupSchedule.ts), and their removal.
import * as fs from "fs";
import * as path from "path";
import { type BackupEntry, BACKUP_DIR_NAME } from "./backupSchedule";
import { MANIFEST_FILE } from "./takeBackup";

/** Every directory under `parent` and whether it holds a manifest; none when `parent` does not exist yet. */
export function readBackupEntries(parent: string): BackupEntry[] {
    let dirents: fs.Dirent[];
    try {
        dirents = fs.readdirSync(parent, { withFileTypes: true });
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
    }
    return dirents
        .filter((d) => d.isDirectory())
        .map((d) => ({ name: d.name, complete: fs.existsSync(path.join(parent, d.name, MANIFEST_FILE)) }));
}

/** Removes the named backups (only names a backup has: nothing else under `parent` is touched). */
export function removeBackups(parent: string, names: readonly string[]): void {
    for (const name of names) {
        if (!BACKUP_DIR_NAME.test(name)) throw new Error(`${name} is not a backup's name; not removed`);
        fs.rmSync(path.join(parent, name), { recursive: true, force: true });
    }
}
