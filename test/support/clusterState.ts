// Waiting for every node of a cluster to answer with cluster_state:ok.
import Redis from "ioredis";
import { parseInfo } from "../../components/redis/clusterView";

/** Polls every 20 ms (or four times as long as the last round of looks took, when longer) until all `host:port` addresses report cluster_state:ok; returns how long it took. `username`: AUTH as that user. */
export async function waitClusterOk(
    addresses: readonly string[],
    password: string | undefined,
    timeoutMs: number,
    username?: string,
): Promise<number> {
    const started = Date.now();
    for (;;) {
        const lookStarted = Date.now();
        const states = await Promise.all(
            addresses.map(async (address) => {
                const [host, port] = address.split(":");
                const c = new Redis({
                    host,
                    port: Number(port),
                    password,
                    ...(username ? { username } : {}),
                    lazyConnect: true,
                    retryStrategy: () => null,
                    connectTimeout: 500,
                });
                c.on("error", () => undefined);
                try {
                    await c.connect();
                    return parseInfo(String(await c.call("CLUSTER", "INFO"))).cluster_state;
                } catch {
                    return "down";
                } finally {
                    c.disconnect();
                }
            }),
        );
        if (states.every((s) => s === "ok")) return Date.now() - started;
        if (Date.now() - started > timeoutMs) throw new Error(`cluster not ok after ${timeoutMs} ms: ${states.join(",")}`);
        // A round opens a connection to every node: back to back they would keep a core busy on a loaded machine.
        await new Promise((r) => setTimeout(r, Math.max(20, 4 * (Date.now() - lookStarted))));
    }
}
