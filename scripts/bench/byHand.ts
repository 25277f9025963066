// The baseline a person gets without this project: the same containers (same image, Redis arguments,
// ports, volumes, network) started with the `docker` CLI, then `redis-cli --cluster create`, timed from
// the first command to the finish line every method shares (health.ts).
import type { DockerNode } from "../../components/runtime/dockerPlacement";
import { Fixture } from "../../test/support/fixture";
import { waitAnswering } from "./health";
import { ImageBinaries } from "./imageBinaries";
import { BENCH_BASE_PORT, BENCH_FIXTURE_SUBNET, BENCH_STANDALONE_PORT } from "./ports";
import { run } from "./run";
import { waitStackUsableAt } from "./usable";

/** `docker run` arguments for a node spec: what a person would type for the container the stack creates. */
export function dockerRunArgs(node: DockerNode, image: string, network: string | undefined): string[] {
    return [
        "run",
        "-d",
        "--name",
        node.name,
        ...(network ? ["--network", network, "--network-alias", node.name] : ["--network", "host"]),
        ...node.ports.flatMap((p) => ["-p", `${p.hostIp}:${p.hostPort}:${p.containerPort}`]),
        "-v",
        `${node.volume}:/data`,
        "--restart",
        "unless-stopped",
        // The stack's containers read an (empty, without a password) auth file first; by hand there is none.
        image,
        "redis-server",
        ...node.redisArgs,
    ];
}

/**
 * One by-hand run for `masters` masters with one replica each, plus the standalone node:
 * `docker network create`, the `docker run`s at once (a shell loop with `&` and `wait`), wait until every
 * node answers, `redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes`, wait for the finish line.
 * Returns the total and the formation part (from `--cluster create` on).
 */
export async function timeByHand(masters: number, bins: ImageBinaries): Promise<{ total: number; formation: number }> {
    const fixture = new Fixture("rs-bench-hand", {
        masters: String(masters),
        basePort: String(BENCH_BASE_PORT),
        standalonePort: String(BENCH_STANDALONE_PORT),
        subnet: BENCH_FIXTURE_SUBNET,
    });
    const t = fixture.topology;
    await fixture.destroy();
    try {
        const started = Date.now();
        if (t.network)
            await run("docker", ["network", "create", "--subnet", t.network.subnet, "--gateway", t.network.gateway, t.network.name]);
        await Promise.all(fixture.nodes.map((n) => run("docker", dockerRunArgs(n, t.image, t.network?.name))));
        await waitAnswering(fixture.nodes.map((n) => n.hostAddress.port));
        const forming = Date.now();
        const [cli, cliArgs] = bins.run("redis-cli");
        const { stdout } = await run(cli, [
            ...cliArgs,
            "--cluster",
            "create",
            ...t.clusterNodes.map((n) => `${n.announceHost}:${n.clientPort}`),
            "--cluster-replicas",
            "1",
            "--cluster-yes",
        ]);
        if (!/All 16384 slots covered/.test(stdout)) throw new Error(`redis-cli --cluster create failed:\n${stdout}`);
        await waitStackUsableAt(
            t.clusterNodes.map((n) => n.hostAddress.port),
            masters,
            t.standalone.hostAddress.port,
        );
        const done = Date.now();
        return { total: done - started, formation: done - forming };
    } finally {
        await fixture.destroy();
    }
}
