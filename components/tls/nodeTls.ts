// Pure: what TLS changes about a stack's nodes. Port scheme: TLS always takes the client ports the
// stack publishes and announces (basePort + i, standalonePort), so seeds, the natMap and MOVED
// redirects keep their shape; the plain port, when kept (`tlsPlainPort`), is the client port plus
// twice `busPortOffset` (7000 -> 27000, 6379 -> 26379), clear of the client and bus ports by the same
// rule that keeps those two apart. Each runtime's placement publishes and announces what the node's
// arguments serve (servedPorts, announcedClientPorts). The certificate, key and CA reach each node as
// files written into its container before it starts (never in its command or environment); the
// command names only paths.
import { type ContainerFile, TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from "../contracts/nodeFiles";
import { type NodeSpec, type Topology, withArgValue } from "../topology/topology";
import type { CertificateSubject } from "./certificates";
import { commandSettings, declaresTls } from "./liveSwitch";
import { plainPortOf } from "../settings/tlsPorts";

// Named here too, where the scheme is described, for the code that knows them from this module.
export { REDIS_CLI_TLS_ARGS, TLS_CA_PATH, TLS_CERT_PATH, TLS_DIR, TLS_KEY_PATH } from "../contracts/nodeFiles";
export { plainPortOf } from "../settings/tlsPorts";

/** The TLS material of one end of a connection, PEM text: the CA to trust, its own certificate and key. */
export interface NodeTls {
    readonly ca: string;
    readonly cert: string;
    /** Secret. */
    readonly key: string;
}

export interface TlsSettings {
    readonly tls: boolean;
    /** Keep a plain-text port next to the TLS one. */
    readonly tlsPlainPort: boolean;
    readonly busPortOffset: number;
}

/** The files a node's container needs for TLS; none without TLS. */
export function tlsFiles(tls: NodeTls | undefined): ContainerFile[] {
    if (!tls) return [];
    return [
        { path: TLS_CA_PATH, content: tls.ca },
        { path: TLS_CERT_PATH, content: tls.cert },
        { path: TLS_KEY_PATH, content: tls.key },
    ];
}

function withNodeTls(node: NodeSpec, settings: TlsSettings): NodeSpec {
    const plain = settings.tlsPlainPort ? plainPortOf(node.clientPort, settings.busPortOffset) : undefined;
    return {
        ...node,
        redisArgs: [
            ...withArgValue(node.redisArgs, "--port", String(plain ?? 0)),
            "--tls-port",
            String(node.clientPort),
            "--tls-cert-file",
            TLS_CERT_PATH,
            "--tls-key-file",
            TLS_KEY_PATH,
            "--tls-ca-cert-file",
            TLS_CA_PATH,
            // Clients present a certificate the stack's CA signed (the `tlsClientCert` output).
            "--tls-auth-clients",
            "yes",
            "--tls-replication",
            "yes",
            ...(node.role !== "standalone" ? ["--tls-cluster", "yes"] : []),
        ],
    };
}

/** The topology with TLS on every node (unchanged when TLS is off). */
export function withTls(topology: Topology, settings: TlsSettings): Topology {
    if (!settings.tls) return topology;
    return {
        ...topology,
        clusterNodes: topology.clusterNodes.map((n) => withNodeTls(n, settings)),
        standalone: withNodeTls(topology.standalone, settings),
    };
}

/** Pure: whether the node's command serves TLS on its client port, and the plain-text port it keeps (if any). */
export function servedPorts(node: Pick<NodeSpec, "redisArgs">): { readonly tls: boolean; readonly plainPort?: number } {
    if (!declaresTls(node.redisArgs)) return { tls: false };
    const plain = Number(commandSettings(node.redisArgs).get("port") ?? "0");
    return plain > 0 ? { tls: true, plainPort: plain } : { tls: true };
}

/**
 * The client ports a cluster node announces, wherever it runs: with tls-cluster its TLS port as its port (what
 * MOVED points TLS clients to, `cluster-announce-tls-port`), and the plain one, when kept, as the port plain
 * clients are redirected to (`cluster-announce-port`).
 */
export function announcedClientPorts(node: Pick<NodeSpec, "redisArgs" | "clientPort">): {
    readonly port?: number;
    readonly tlsPort?: number;
} {
    const { tls, plainPort } = servedPorts(node);
    if (!tls) return { port: node.clientPort };
    return plainPort !== undefined ? { port: plainPort, tlsPort: node.clientPort } : { tlsPort: node.clientPort };
}

/** Where a node is, as its certificate must name it: the address it announces, and where the stack reaches it. */
export interface AddressedNode {
    readonly name: string;
    readonly announceHost: string;
    readonly host: string;
}

/** The addresses a node is reached at, as its certificate must name them. */
export function nodeSubject(node: AddressedNode): CertificateSubject {
    return {
        name: node.name,
        ips: [...new Set([node.announceHost, node.host, "127.0.0.1"])],
        dnsNames: [node.name, "localhost"],
    };
}

/** The IP SANs a certificate shared by every node must carry (supplied certificates). */
export function neededIps(nodes: readonly AddressedNode[]): string[] {
    return [...new Set(nodes.flatMap((n) => nodeSubject(n).ips))];
}
