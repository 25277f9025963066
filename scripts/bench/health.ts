// Shared finish line for every formation method: every node reports cluster_state:ok with all slots
// and all nodes known, and every replica's link to its master is up. Polled every 10 ms.
import Redis from "ioredis";
import { parseInfo } from "../../components/redis/clusterView";

export async function waitClusterHealthy(ports: readonly number[], replicas: number, timeoutMs = 120000): Promise<void> {
    const clients = ports.map((port) => new Redis({ port, host: "127.0.0.1", lazyConnect: true }));
    await Promise.all(clients.map((c) => c.connect()));
    const deadline = Date.now() + timeoutMs;
    try {
        for (;;) {
            const ok = await Promise.all(
                clients.map(async (c) => {
                    const cluster = parseInfo(String(await c.call("CLUSTER", "INFO")));
                    if (
                        cluster.cluster_state !== "ok" ||
                        cluster.cluster_slots_ok !== "16384" ||
                        Number(cluster.cluster_known_nodes) !== ports.length
                    )
                        return false;
                    const replication = parseInfo(await c.info("replication"));
                    return replication.role === "master" || replication.master_link_status === "up";
                }),
            );
            const slaves = await Promise.all(clients.map(async (c) => parseInfo(await c.info("replication")).role === "slave"));
            if (ok.every(Boolean) && slaves.filter(Boolean).length === replicas) return;
            if (Date.now() > deadline) throw new Error("cluster did not become healthy in time");
            await new Promise((r) => setTimeout(r, 10));
        }
    } finally {
        clients.forEach((c) => c.disconnect());
    }
}

export async function waitAnswering(ports: readonly number[]): Promise<void> {
    await Promise.all(
        ports.map(async (port) => {
            for (;;) {
                const c = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
                c.on("error", () => undefined);
                try {
                    await c.connect();
                    await c.ping();
                    return;
                } catch {
                    await new Promise((r) => setTimeout(r, 10));
                } finally {
                    c.disconnect();
                }
            }
        }),
    );
}
