// Throwaway redis-servers on this machine's Docker engine (loopback only, removed by name): a backup's RDB file
// loaded into one to read what the file holds (the tests of `npm run backup`), or an empty one that the RDB
// reader's fixtures are recorded from (recordRdbFixtures.ts).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Redis from "ioredis";
import type { BackupManifest } from "../../components/backup/backupPlan";
import { docker } from "./dockerCli";
import { TEST_IMAGE } from "./fixture";
import { poll } from "./kubernetes";

/**
 * Starts `server` from `image` with `args`, published on a free loopback port, under `name` (plus `docker run`
 * options `runOptions`); a client on it once `ready` says so.
 */
export async function throwawayServer(
    name: string,
    image: string,
    server: string,
    args: readonly string[],
    ready: (client: Redis) => Promise<boolean>,
    runOptions: readonly string[] = [],
): Promise<Redis> {
    docker("run", "-d", "--name", name, "-p", "127.0.0.1::6379", ...runOptions, image, server, "--protected-mode", "no", ...args);
    const port = Number(docker("port", name, "6379/tcp").split("\n")[0].split(":").pop());
    const client = new Redis(port, "127.0.0.1", { lazyConnect: true, retryStrategy: () => null });
    client.on("error", () => undefined);
    await poll(`${name} ready`, 30000, async () => {
        if (client.status !== "ready") await client.connect().catch(() => undefined);
        return (await ready(client)) ? true : undefined;
    });
    return client;
}

export class RdbLoader {
    private readonly names: string[] = [];

    /** A client on a new redis-server that loaded `file` from `dir` (read-only, no saving), once it finished loading. */
    async load(dir: string, file: string): Promise<Redis> {
        const name = `redis-stack-e2e-rdb-${this.names.length}-${Date.now().toString(36)}`;
        this.names.push(name);
        return throwawayServer(
            name,
            TEST_IMAGE,
            "redis-server",
            ["--dir", "/backup", "--dbfilename", file, "--save", "", "--appendonly", "no"],
            async (c) => /loading:0/.test(String(await c.info("persistence"))),
            ["-v", `${dir}:/backup:ro`],
        );
    }

    /** Removes every server it started (by the names it gave them). */
    removeAll(): void {
        for (const name of this.names.splice(0)) docker("rm", "-f", "-v", name);
    }
}

/**
 * Asserts that the masters' files of the backup in `dir` hold every one of `keys` (string keys with their values),
 * each in exactly one master's file; the manifest read from `dir`, for more checks.
 */
export async function assertKeysInMasterFiles(
    loader: RdbLoader,
    dir: string,
    keys: readonly (readonly [string, string])[],
): Promise<BackupManifest> {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as BackupManifest;
    const files = await Promise.all(manifest.masters.map((m) => loader.load(dir, m.file)));
    try {
        for (const [key, value] of keys) {
            const found = await Promise.all(files.map((f) => f.get(key)));
            assert.deepEqual(
                found.filter((v) => v !== null),
                [value],
                `${key} in exactly one master's file`,
            );
        }
    } finally {
        for (const f of files) f.disconnect();
    }
    return manifest;
}
