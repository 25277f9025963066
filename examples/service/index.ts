// A small service: reads the stack outputs, writes and reads keys in the cluster and the standalone node.
// Run: npm run example  (STACK selects a stack, default dev; REDIS_VIA_LOOPBACK=1 uses 127.0.0.1 + natMap)
import { execFileSync } from "child_process";
import * as path from "path";
import { clusterClient, parseOutputs, standaloneClient } from "./connection";

async function main(): Promise<void> {
    const stack = process.env.STACK ?? "dev";
    const json = execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
        cwd: path.resolve(__dirname, "../.."),
        encoding: "utf8",
    });
    const outputs = parseOutputs(json);

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
            const slot = await cluster.call("CLUSTER", "KEYSLOT", key);
            console.log(`cluster    ${key} = ${await cluster.get(key)} (slot ${String(slot)})`);
        }
        await standalone.set("greeting", "hello from the standalone node");
        console.log(`standalone greeting = ${await standalone.get("greeting")}`);
    } finally {
        cluster.disconnect();
        standalone.disconnect();
    }
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
