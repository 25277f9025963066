// A bare connection to one node, as a client that has not authenticated yet: no ready check (its INFO
// would fail with NOAUTH and close the connection before the test's commands), no retries.
import Redis from "ioredis";
import { done, notYet, waitFor } from "../../components/common/wait";

/** Connects to `host:port` (an address string or its parts), runs `use`, and disconnects whatever happened. */
export async function withRawClient<T>(address: string | { host: string; port: number }, use: (client: Redis) => Promise<T>): Promise<T> {
    const [host, port] = typeof address === "string" ? address.split(":") : [address.host, String(address.port)];
    const client = new Redis({
        host,
        port: Number(port),
        lazyConnect: true,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
    });
    client.on("error", () => undefined);
    try {
        await client.connect();
        return await use(client);
    } finally {
        client.disconnect();
    }
}

/** Waits until the node at `address` accepts a connection and answers (a NOAUTH refusal is an answer: it runs). */
export async function waitAnswering(address: { host: string; port: number }, timeoutMs = 20000): Promise<void> {
    await waitFor(
        async () => {
            try {
                await withRawClient(address, (client) => client.ping());
                return done(undefined);
            } catch (err) {
                const message = err instanceof Error ? err.message : String(err);
                return /NOAUTH/.test(message) ? done(undefined) : notYet(message);
            }
        },
        { what: `${address.host}:${address.port} to answer`, timeoutMs, pollMs: 100 },
    );
}
