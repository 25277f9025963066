// Where the benchmark's stacks and containers live: away from every port and subnet the test suite uses,
// so a benchmark and a test run never collide. Stacks and by-hand containers never run at the same time.

/** Cluster client ports 8000.. (bus ports 18000..), enough for 60 nodes. */
export const BENCH_BASE_PORT = 8000;
export const BENCH_STANDALONE_PORT = 6990;
/** Pulumi stacks. */
export const BENCH_STACK_SUBNET = "172.30.130.0/24";
/** Containers started without Pulumi: the formation fixture and the by-hand `docker run` baseline. */
export const BENCH_FIXTURE_SUBNET = "172.30.131.0/24";

export function clusterPorts(nodes: number): number[] {
    return Array.from({ length: nodes }, (_, i) => BENCH_BASE_PORT + i);
}
