// Shared finish line for every formation method: every node reports cluster_state:ok with all slots
// and all nodes known, and every replica's link to its master is up. Polled every 10 ms.
import Redis from "ioredis";
import { parseInfo } from "../../components/redis/clusterView";

export interface Address {
    readonly host: string;
    readonly port: number;
}

const onHost = (ports: readonly number[]): Address[] => ports.map((port) => ({ host: "127.0.0.1", port }));

export function waitClusterHealthy(ports: readonly number[], replicas: number, timeoutMs = 120000): Promise<void> {
    return waitClusterHealthyAt(onHost(ports), replicas, timeoutMs);
}

/** The finish line at any addresses (Kubernetes: the nodes' Service ClusterIPs). */
export async function waitClusterHealthyAt(addresses: readonly Address[], replicas: number, timeoutMs = 120000): Promise<void> {
    const clients = addresses.map(({ host, port }) => new Redis({ port, host, lazyConnect: true }));
    clients.forEach((c) => c.on("error", () => undefined));
    await Promise.all(clients.map((c) => c.connect()));
    const deadline = Date.now() + timeoutMs;
    const healthy = async () => {
        const ok = await Promise.all(
            clients.map(async (c) => {
                const cluster = parseInfo(String(await c.call("CLUSTER", "INFO")));
                if (
                    cluster.cluster_state !== "ok" ||
                    cluster.cluster_slots_ok !== "16384" ||
                    Number(cluster.cluster_known_nodes) !== addresses.length
                )
                    return false;
                const replication = parseInfo(await c.info("replication"));
                return replication.role === "master" || replication.master_link_status === "up";
            }),
        );
        const slaves = await Promise.all(clients.map(async (c) => parseInfo(await c.info("replication")).role === "slave"));
        return ok.every(Boolean) && slaves.filter(Boolean).length === replicas;
    };
    try {
        for (;;) {
            // A node still loading its data answers with an error: not healthy yet.
            if (await healthy().catch(() => false)) return;
            if (Date.now() > deadline) throw new Error("cluster did not become healthy in time");
            await new Promise((r) => setTimeout(r, 10));
        }
    } finally {
        clients.forEach((c) => c.disconnect());
    }
}

export function waitAnswering(ports: readonly number[], timeoutMs = 120000): Promise<void> {
    return waitAnsweringAt(onHost(ports), timeoutMs);
}

/** Until every address answers PING. */
export async function waitAnsweringAt(addresses: readonly Address[], timeoutMs = 120000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
        addresses.map(async ({ host, port }) => {
            for (;;) {
                const c = new Redis({ port, host, lazyConnect: true, retryStrategy: () => null, connectTimeout: 1000 });
                c.on("error", () => undefined);
                try {
                    await c.connect();
                    await c.ping();
                    return;
                } catch {
                    if (Date.now() > deadline) throw new Error(`${host}:${port} did not answer within ${timeoutMs} ms`);
                    await new Promise((r) => setTimeout(r, 10));
                } finally {
                    c.disconnect();
                }
            }
        }),
    );
}
