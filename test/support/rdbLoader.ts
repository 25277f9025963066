// A backup's RDB file loaded into a throwaway redis-server on this machine's Docker engine (no saving, loopback
// only), to read what the file holds: the tests of `npm run backup`. Each one is removed by `removeAll`.
import Redis from "ioredis";
import { docker } from "./dockerCli";
import { TEST_IMAGE } from "./fixture";
import { poll } from "./kubernetes";

export class RdbLoader {
    private readonly names: string[] = [];

    /** A client on a new redis-server that loaded `file` from `dir` (read-only), once it finished loading. */
    async load(dir: string, file: string): Promise<Redis> {
        const name = `redis-stack-e2e-rdb-${this.names.length}-${Date.now().toString(36)}`;
        docker(
            "run",
            "-d",
            "--name",
            name,
            "-p",
            "127.0.0.1::6379",
            "-v",
            `${dir}:/backup:ro`,
            TEST_IMAGE,
            "redis-server",
            "--dir",
            "/backup",
            "--dbfilename",
            file,
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "no",
        );
        this.names.push(name);
        const port = Number(docker("port", name, "6379/tcp").split("\n")[0].split(":").pop());
        const client = new Redis(port, "127.0.0.1", { lazyConnect: true, retryStrategy: () => null });
        client.on("error", () => undefined);
        await poll(`${name} to load ${file}`, 30000, async () => {
            if (client.status !== "ready") await client.connect().catch(() => undefined);
            return /loading:0/.test(String(await client.info("persistence"))) ? true : undefined;
        });
        return client;
    }

    /** Removes every server it started (by the names it gave them). */
    removeAll(): void {
        for (const name of this.names.splice(0)) docker("rm", "-f", name);
    }
}
