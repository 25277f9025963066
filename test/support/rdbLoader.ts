// Throwaway redis-servers on this machine's Docker engine (loopback only, removed by name): a backup's RDB file
// loaded into one to read what the file holds (the tests of `npm run backup`), or an empty one that the RDB
// reader's fixtures are recorded from (recordRdbFixtures.ts).
import Redis from "ioredis";
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
        for (const name of this.names.splice(0)) docker("rm", "-f", name);
    }
}
