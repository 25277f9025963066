// The stack's TLS material as the components consume it: issued by TlsCertificates, or supplied as
// config (validated before this runs, see stackConfig.ts). Every output holding a key is a secret.
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../topology";
import type { NodeTls } from "./nodeTls";
import { nodeSubject } from "./nodeTls";
import { TlsCertificates } from "./tlsCertificates";
import { trustedCas } from "./validate";

/** Supplied PEM text; the keys are secrets. */
export interface SuppliedTlsInputs {
    readonly caCert: string;
    readonly cert: string;
    readonly key: pulumi.Output<string>;
    readonly clientCert?: string;
    readonly clientKey?: pulumi.Output<string>;
}

export interface TlsMaterial {
    /** PEM certificate of the CA that signed every node and client certificate (and the one it replaced, during a renewal). */
    readonly caCert: pulumi.Output<string>;
    /** What node `name` serves and presents to its peers (secret: it holds the key). */
    readonly forNode: (name: string) => pulumi.Output<NodeTls>;
    /** What a client presents (secret): the formation, the outputs services read. */
    readonly client: pulumi.Output<NodeTls>;
}

/** Certificates the stack issues and keeps, one per node of `topology` and one for clients. */
export function issuedTls(name: string, topology: Topology, prefix: string, opts: pulumi.CustomResourceOptions = {}): TlsMaterial {
    const nodes = [...topology.clusterNodes, topology.standalone];
    const certs = new TlsCertificates(
        name,
        {
            caName: `${prefix} CA`,
            nodes: nodes.map((n) => nodeSubject(n)),
            client: { name: `${prefix}-client`, ips: [], dnsNames: [] },
        },
        opts,
    );
    // Both CAs during a CA renewal: what nodes and clients trust.
    const trusted = pulumi
        .all([certs.caCert, certs.previousCaCert])
        .apply(([caCert, previousCaCert]) => trustedCas({ caCert, ...(previousCaCert ? { previousCaCert } : {}) }));
    const forNode = (node: string): pulumi.Output<NodeTls> =>
        pulumi.secret(
            pulumi.all([trusted, certs.nodeCerts, certs.nodeKeys]).apply(([ca, nodeCerts, nodeKeys]) => ({
                ca,
                cert: nodeCerts[node],
                key: nodeKeys[node],
            })),
        );
    const client = pulumi.secret(pulumi.all([trusted, certs.clientCert, certs.clientKey]).apply(([ca, cert, key]) => ({ ca, cert, key })));
    return { caCert: trusted, forNode, client };
}

/** Certificates the user supplied: one for every node, and the client one (default: the node one). */
export function suppliedTls(supplied: SuppliedTlsInputs): TlsMaterial {
    const node = pulumi.secret(supplied.key.apply((key) => ({ ca: supplied.caCert, cert: supplied.cert, key })));
    const clientKey = supplied.clientKey ?? supplied.key;
    const client = pulumi.secret(clientKey.apply((key) => ({ ca: supplied.caCert, cert: supplied.clientCert ?? supplied.cert, key })));
    return { caCert: pulumi.output(supplied.caCert), forNode: () => node, client };
}
