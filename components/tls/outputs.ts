// Pure: the addresses services use with TLS, from the topology (see ./nodeTls.ts for the port scheme).
import type { Topology } from "../topology";
import { plainPortOf } from "./nodeTls";

export interface TlsAddressOutputs {
    /** Announced `host:port` of every cluster node, serving TLS (ioredis Cluster seeds with `tls` options). */
    readonly clusterTlsSeeds: string[];
    /** `rediss://host:port` of every cluster node. */
    readonly clusterTlsUrls: string[];
    /** `rediss://` URL of the standalone node at its announced address. */
    readonly standaloneTlsUrl: string;
    /** With `tlsPlainPort`: announced `host:port` of every cluster node's plain-text port. */
    readonly clusterPlainSeeds?: string[];
    /** With `tlsPlainPort`: `redis://` URL of the standalone node's plain-text port. */
    readonly standalonePlainUrl?: string;
}

export function tlsAddressOutputs(
    topology: Pick<Topology, "clusterNodes" | "standalone">,
    settings: { readonly tlsPlainPort: boolean; readonly busPortOffset: number },
): TlsAddressOutputs {
    const seeds = topology.clusterNodes.map((n) => `${n.announceHost}:${n.clientPort}`);
    const { standalone } = topology;
    const plain = (port: number) => plainPortOf(port, settings.busPortOffset);
    return {
        clusterTlsSeeds: seeds,
        clusterTlsUrls: seeds.map((s) => `rediss://${s}`),
        standaloneTlsUrl: `rediss://${standalone.announceHost}:${standalone.clientPort}`,
        ...(settings.tlsPlainPort
            ? {
                  clusterPlainSeeds: topology.clusterNodes.map((n) => `${n.announceHost}:${plain(n.clientPort)}`),
                  standalonePlainUrl: `redis://${standalone.announceHost}:${plain(standalone.clientPort)}`,
              }
            : {}),
    };
}
