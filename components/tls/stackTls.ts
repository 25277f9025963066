// The stack's TLS material as the components consume it: issued by TlsCertificates, or supplied as
// config (validated before this runs, see stackConfig.ts). Every output holding a key is a secret.
import * as pulumi from "@pulumi/pulumi";
import type { NodeContext, RuntimeCapabilities } from "../runtime/backend";
import type { Topology } from "../topology";
import type { NodeTls } from "./nodeTls";
import { nodeSubject } from "./nodeTls";
import type { CertificateSubject } from "./certificates";
import { NodeCertificate } from "./nodeCertificate";
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
    /** What node `name` serves and presents to its peers (secret: it holds the key), for the addresses its spec gives. */
    readonly forNode: (name: string) => pulumi.Output<NodeTls>;
    /**
     * The same, for a node whose addresses the runtime learns only as it creates it (Kubernetes: its
     * Service's ClusterIP): a certificate of its own naming `subject`, a resource called `resourceName`.
     */
    readonly forLearntNode: NodeCertificateIssuer;
    /** What a client presents (secret): the formation, the outputs services read. */
    readonly client: pulumi.Output<NodeTls>;
}

/** Issues a node's files for the addresses a runtime learnt (see TlsMaterial.forLearntNode). */
export type NodeCertificateIssuer = (
    resourceName: string,
    subject: pulumi.Input<CertificateSubject>,
    opts: pulumi.CustomResourceOptions,
) => pulumi.Output<NodeTls>;

/**
 * Certificates the stack issues and keeps: its CA, one for clients, and one per node of `topology`
 * when `nodeAddresses` is "spec" (the Docker runtimes); with "learnt" each node's certificate is a
 * resource of its own, made by its runtime through `forLearntNode`.
 */
export function issuedTls(
    name: string,
    topology: Topology,
    prefix: string,
    nodeAddresses: "spec" | "learnt",
    opts: pulumi.CustomResourceOptions = {},
): TlsMaterial {
    const nodes = nodeAddresses === "spec" ? [...topology.clusterNodes, topology.standalone] : [];
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
    const signer = pulumi.secret(pulumi.all([certs.caCert, certs.caKey]).apply(([cert, key]) => ({ cert, key })));
    const forLearntNode: NodeCertificateIssuer = (resourceName, subject, nodeOpts) => {
        const issued = new NodeCertificate(resourceName, { ca: signer, trusted, subject }, nodeOpts);
        return pulumi.secret(pulumi.all([trusted, issued.cert, issued.key]).apply(([ca, cert, key]) => ({ ca, cert, key })));
    };
    return { caCert: trusted, forNode, forLearntNode, client };
}

/** Certificates the user supplied: one for every node, and the client one (default: the node one). */
export function suppliedTls(supplied: SuppliedTlsInputs): TlsMaterial {
    const node = pulumi.secret(supplied.key.apply((key) => ({ ca: supplied.caCert, cert: supplied.cert, key })));
    const clientKey = supplied.clientKey ?? supplied.key;
    const client = pulumi.secret(clientKey.apply((key) => ({ ca: supplied.caCert, cert: supplied.clientCert ?? supplied.cert, key })));
    return { caCert: pulumi.output(supplied.caCert), forNode: () => node, forLearntNode: () => node, client };
}

/**
 * A node's TLS as its runtime takes it: the files for the addresses its spec gives, or, where the
 * runtime learns them (`learnsAddresses`), a certificate of its own (`certResourceName`) issued for them.
 */
export function nodeTlsContext(
    tls: TlsMaterial | undefined,
    capabilities: Pick<RuntimeCapabilities, "learnsAddresses">,
    nodeName: string,
    certResourceName: string,
): Pick<NodeContext, "tls" | "tlsFor"> {
    if (!tls) return {};
    if (!capabilities.learnsAddresses) return { tls: tls.forNode(nodeName) };
    return { tlsFor: (subject, opts) => tls.forLearntNode(certResourceName, subject, opts) };
}
