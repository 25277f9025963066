// Pure: the addresses services use with TLS, from the nodes' announced addresses (see ./nodeTls.ts
// for the port scheme): the node specs' on the Docker runtimes, the Services' on Kubernetes.
import { plainPortOf } from "./nodeTls";

/** Where a node is announced: what clients and MOVED redirects use. */
export interface AnnouncedAddress {
    readonly announceHost: string;
    readonly announcePort: number;
}

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
    clusterNodes: readonly AnnouncedAddress[],
    standalone: AnnouncedAddress,
    settings: { readonly tlsPlainPort: boolean; readonly busPortOffset: number },
): TlsAddressOutputs {
    const seeds = clusterNodes.map((n) => `${n.announceHost}:${n.announcePort}`);
    const plain = (port: number) => plainPortOf(port, settings.busPortOffset);
    return {
        clusterTlsSeeds: seeds,
        clusterTlsUrls: seeds.map((s) => `rediss://${s}`),
        standaloneTlsUrl: `rediss://${standalone.announceHost}:${standalone.announcePort}`,
        ...(settings.tlsPlainPort
            ? {
                  clusterPlainSeeds: clusterNodes.map((n) => `${n.announceHost}:${plain(n.announcePort)}`),
                  standalonePlainUrl: `redis://${standalone.announceHost}:${plain(standalone.announcePort)}`,
              }
            : {}),
    };
}
