// A small service: reads the stack outputs, writes and reads keys in the cluster and the standalone node.
// Run: npm run example  (STACK selects a stack, default dev; REDIS_VIA_LOOPBACK=1 uses 127.0.0.1 + natMap)
// In a pod (examples/service/pod.yaml): the settings come from the environment and a mounted Secret
// (see outputsFromEnvironment in ./connection.ts).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Redis from "ioredis";
import { RedisStackOutputs, clusterClient, outputsFromEnvironment, parseOutputs, standaloneClient } from "./connection";

function readStackOutputs(): RedisStackOutputs {
    const fromEnvironment = outputsFromEnvironment(process.env, (file) => fs.readFileSync(file, "utf8"));
    if (fromEnvironment) return fromEnvironment;
    const stack = process.env.STACK ?? "dev";
    const json = execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
        cwd: path.resolve(__dirname, "../.."),
        encoding: "utf8",
    });
    return parseOutputs(json);
}

/** What a node answers a client that brings no password: NOAUTH when the stack has one. */
async function answerWithoutPassword(host: string, port: number, tls: RedisStackOutputs["tls"]): Promise<string> {
    // No ready check: its INFO would fail with NOAUTH and close the connection before our PING.
    const client = new Redis({
        host,
        port,
        lazyConnect: true,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        ...(tls ? { tls: { ...tls } } : {}),
    });
    client.on("error", () => undefined);
    try {
        await client.connect();
        return String(await client.ping());
    } catch (err) {
        return (err instanceof Error ? err.message : String(err)).split(" ")[0];
    } finally {
        client.disconnect();
    }
}

async function main(): Promise<void> {
    const outputs = readStackOutputs();
    const viaLoopback = process.env.REDIS_VIA_LOOPBACK === "1";
    const cluster = clusterClient(outputs, viaLoopback);
    const standalone = standaloneClient(outputs, viaLoopback);
    try {
        for (const [key, value] of [
            ["foo", "bar"],
            ["hello", "world"],
            ["weather", "nice"],
        ]) {
            await cluster.set(key, value);
            const slot = Number(await cluster.call("CLUSTER", "KEYSLOT", key));
            // The master ioredis sent the key to (first of the slot's nodes): the keys land on different shards.
            console.log(`cluster    ${key} = ${await cluster.get(key)} (slot ${slot}) on master ${cluster.slots[slot]?.[0] ?? "?"}`);
        }
        await standalone.set("greeting", "hello from the standalone node");
        console.log(`standalone greeting = ${await standalone.get("greeting")}`);
        if (outputs.redisPassword) {
            const seed = (viaLoopback ? outputs.loopbackSeeds : outputs.clusterSeeds)[0];
            const url = new URL(viaLoopback ? outputs.standaloneLoopbackUrl : outputs.standaloneUrl);
            for (const [host, port] of [seed.split(":"), [url.hostname, url.port || "6379"]]) {
                console.log(
                    `password   ${host}:${port} without it answers ${await answerWithoutPassword(host, Number(port), outputs.tls)}`,
                );
            }
        }
    } finally {
        cluster.disconnect();
        standalone.disconnect();
    }
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
