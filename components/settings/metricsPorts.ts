// Pure: where the Prometheus exporters (`metrics`) listen, and the check that those ports fit and take no
// port a node serves. The standalone node's exporter is at metricsPort and cluster node i's at
// metricsPort + 1 + i, so a scale-out adds ports at the end and moves none. Imports nothing, so settings
// validation and the topology can both use it.
import { plainPortOf } from "./tlsPorts";

export interface MetricsPortSettings {
    readonly metrics: boolean;
    readonly metricsPort: number;
    readonly basePort: number;
    readonly busPortOffset: number;
    readonly standalonePort: number;
    readonly tls: boolean;
    readonly tlsPlainPort: boolean;
}

const MAX_PORT = 65535;

/** The exporter port of cluster node `index`. */
export function clusterMetricsPort(metricsPort: number, index: number): number {
    return metricsPort + 1 + index;
}

/** Problems with the exporter ports, each naming the settings involved; none without metrics. */
export function metricsPortProblems(s: MetricsPortSettings, clusterNodes: number): string[] {
    if (!s.metrics) return [];
    const last = clusterMetricsPort(s.metricsPort, clusterNodes - 1);
    const rule = `the standalone node's exporter listens at metricsPort, cluster node i's at metricsPort + 1 + i (${s.metricsPort}-${last})`;
    if (last > MAX_PORT)
        return [`metricsPort: got ${s.metricsPort}; allowed: a port where the last exporter port is at most ${MAX_PORT} (${rule})`];
    const lastClient = s.basePort + clusterNodes - 1;
    const taken: [string, number, number][] = [
        ["cluster client ports", s.basePort, lastClient],
        ["cluster bus ports", s.basePort + s.busPortOffset, lastClient + s.busPortOffset],
        ["standalone port", s.standalonePort, s.standalonePort],
    ];
    if (s.tls && s.tlsPlainPort) {
        taken.push(["cluster plain ports", plainPortOf(s.basePort, s.busPortOffset), plainPortOf(lastClient, s.busPortOffset)]);
        const standalonePlain = plainPortOf(s.standalonePort, s.busPortOffset);
        taken.push(["standalone plain port", standalonePlain, standalonePlain]);
    }
    const clashes = taken.filter(([, from, to]) => from <= last && to >= s.metricsPort);
    return clashes.map(
        ([what, from, to]) =>
            `metricsPort: got ${s.metricsPort}; the exporter ports overlap the ${what} ${from === to ? from : `${from}-${to}`}; allowed: a port that keeps them apart (${rule})`,
    );
}
