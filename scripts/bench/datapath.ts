// Data path: redis-benchmark against a bare redis-server process on the host versus a node reached
// through the stack's networking (published on 127.0.0.1, on the gateway, and host mode). All servers
// run the same binary (taken from the stack's image) with the same settings (no persistence).
import { ChildProcess, spawn } from "child_process";
import { Fixture } from "../../test/support/fixture";
import { waitAnswering } from "./health";
import { extractImage } from "./imageBinaries";
import { redisBenchmark } from "./redisBenchmark";

export interface Target {
    readonly name: string;
    readonly host: string;
    readonly port: number;
}

export interface DataPathRig {
    readonly targets: readonly Target[];
    benchmark(target: Target, pipeline: number): { set: number; get: number };
    dispose(): Promise<void>;
}

export async function openDataPathRig(image: string): Promise<DataPathRig> {
    const bare = extractImage(image);
    const barePort = 6990;
    const [loader, args] = bare.run("redis-server");
    const server: ChildProcess = spawn(
        loader,
        [...args, "--port", String(barePort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { stdio: "ignore" },
    );
    const bridge = new Fixture("rs-bench-dp-bridge", {
        standalonePort: "6991",
        subnet: "172.30.122.0/24",
        appendOnly: "false",
        basePort: "7900",
    });
    const host = new Fixture("rs-bench-dp-host", { standalonePort: "6992", networkMode: "host", appendOnly: "false", basePort: "7950" });
    for (const f of [bridge, host]) {
        await f.destroy();
        await f.start({ cluster: false });
    }
    await waitAnswering([barePort, 6991, 6992]);
    const gateway = bridge.topology.standalone.announceHost;
    return {
        targets: [
            { name: "bare redis-server on the host", host: "127.0.0.1", port: barePort },
            {
                name: `bridge (default): the announced gateway address ${gateway}, as clusterSeeds and standaloneUrl give it`,
                host: gateway,
                port: 6991,
            },
            { name: "bridge: 127.0.0.1, as loopbackSeeds and standaloneLoopbackUrl give it (docker-proxy)", host: "127.0.0.1", port: 6991 },
            { name: "host mode", host: "127.0.0.1", port: 6992 },
        ],
        benchmark(target, pipeline) {
            return redisBenchmark(bare.run("redis-benchmark"), target, pipeline);
        },
        async dispose() {
            server.kill();
            await Promise.all([bridge.destroy(), host.destroy()]);
            bare.dispose();
        },
    };
}
