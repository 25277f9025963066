// The stack's TLS material as the components consume it: issued by TlsCertificates, or supplied as
// config (validated before this runs, see stackConfig.ts). Every output holding a key is a secret.
import * as pulumi from "@pulumi/pulumi";
import { type AddressedNode, type NodeTls, nodeSubject } from "./nodeTls";
import { type CertificateSubject, type KeyedCertificate, signLeaf } from "./certificates";
import { NodeCertificate } from "./nodeCertificate";
import { recordedTerms, selfSigned } from "./nodeCertificateTerms";
import { ServedCertificate } from "./servedCertificate";
import { TlsCertificates } from "./tlsCertificates";
import { signingCa, trustedCas } from "./validate";

/** Supplied PEM text; the keys are secrets. Either `cert` and `key` (one certificate for every node) or `caKey`. */
export interface SuppliedTlsInputs {
    /** The CA, or a bundle of CAs (with `caKey`: the one it belongs to signs, all are trusted). */
    readonly caCert: string;
    readonly cert?: string;
    readonly key?: pulumi.Output<string>;
    readonly clientCert?: string;
    readonly clientKey?: pulumi.Output<string>;
    /** The CA's key: the stack issues each node's certificate (and the client one, unless supplied) from it. */
    readonly caKey?: pulumi.Output<string>;
}

export interface TlsMaterial {
    /** PEM certificate of the CA that signed every node and client certificate (and the one it replaced, during a renewal). */
    readonly caCert: pulumi.Output<string>;
    /**
     * What node `name` serves and presents to its peers (secret: it holds the key), for the addresses its
     * runtime placed it at; absent when each node gets a certificate of its own through `forLearntNode` instead.
     */
    readonly forNode?: (name: string) => pulumi.Output<NodeTls>;
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
 * Certificates the stack issues and keeps: its CA, one for clients, and one per node of `placedNodes`, the
 * nodes whose addresses the runtime placed beforehand (the Docker runtimes); where it learns them
 * (Kubernetes: none placed) each node's certificate is a resource of its own, made by its runtime through
 * `forLearntNode`.
 */
export function issuedTls(
    name: string,
    placedNodes: readonly AddressedNode[],
    prefix: string,
    opts: pulumi.CustomResourceOptions = {},
): TlsMaterial {
    const certs = new TlsCertificates(
        name,
        {
            caName: `${prefix} CA`,
            nodes: placedNodes.map((n) => nodeSubject(n)),
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
    return { caCert: trusted, forNode, forLearntNode: nodeCertificateIssuer(signer, trusted), client };
}

/**
 * Issues each node a certificate from `signer` (its key a secret), served with the `trusted` bundle: its
 * terms a NodeCertificate, signed here at every run to the same certificate (certificates.ts signs
 * deterministically), so that the CA's key reaches no resource's state; a ServedCertificate keeps what the
 * node serves through a CA renewal.
 */
function nodeCertificateIssuer(signer: pulumi.Output<KeyedCertificate>, trusted: pulumi.Input<string>): NodeCertificateIssuer {
    const caCert = pulumi.unsecret(signer.apply((ca) => ca.cert));
    return (resourceName, subject, nodeOpts) => {
        const terms = new NodeCertificate(resourceName, { subject }, nodeOpts);
        const recorded = pulumi.all([terms.subject, terms.key, terms.cert]).apply(([subject, key, cert]) => {
            const read = recordedTerms({ subject, key, cert });
            if (!read) throw new Error(`${resourceName}: its state records no certificate terms`);
            return read.terms;
        });
        const candidate = pulumi.unsecret(pulumi.all([signer, recorded]).apply(([ca, leaf]) => signLeaf(ca, leaf)));
        // An earlier release's certificate, public: read apart from the key, so it stays no secret.
        const carried = terms.cert.apply((cert) => (cert && !selfSigned(cert) ? cert : undefined));
        const served = new ServedCertificate(
            `${resourceName}-served`,
            { candidate, carried, caCert, trusted, renewalMs: terms.renewalMs },
            nodeOpts,
        );
        return pulumi.secret(pulumi.all([trusted, served.cert, terms.key]).apply(([ca, cert, key]) => ({ ca, cert, key })));
    };
}

/** Certificates the user supplied: one for every node, and the client one (default: the node one). */
export function suppliedTls(supplied: SuppliedTlsInputs & Required<Pick<SuppliedTlsInputs, "cert" | "key">>): TlsMaterial {
    const node = pulumi.secret(supplied.key.apply((key) => ({ ca: supplied.caCert, cert: supplied.cert, key })));
    const clientKey = supplied.clientKey ?? supplied.key;
    const client = pulumi.secret(clientKey.apply((key) => ({ ca: supplied.caCert, cert: supplied.clientCert ?? supplied.cert, key })));
    return { caCert: pulumi.output(supplied.caCert), forNode: () => node, forLearntNode: () => node, client };
}

/**
 * Certificates issued from a CA the user supplied (`tlsCaCert`, `tlsCaKey`), as cert-manager's CA
 * issuer does: a certificate per node, on every runtime, and one for clients unless supplied. The CA's key
 * stays in the config: the program signs with it, and no resource's state holds it.
 */
export function caSignedTls(
    name: string,
    supplied: SuppliedTlsInputs & Required<Pick<SuppliedTlsInputs, "caKey">>,
    prefix: string,
    opts: pulumi.CustomResourceOptions = {},
): TlsMaterial {
    const trusted = supplied.caCert;
    const signer = pulumi.secret(
        supplied.caKey.apply((key) => {
            const cert = signingCa(trusted, key);
            // stackConfig.ts refused the key at preview otherwise.
            if (!cert) throw new Error("tlsCaKey: is not the private key of tlsCaCert");
            return { cert, key };
        }),
    );
    const forLearntNode = nodeCertificateIssuer(signer, trusted);
    const client =
        supplied.clientCert && supplied.clientKey
            ? pulumi.secret(supplied.clientKey.apply((key) => ({ ca: trusted, cert: supplied.clientCert!, key })))
            : forLearntNode(`${name}-client`, { name: `${prefix}-client`, ips: [], dnsNames: [] }, opts);
    return { caCert: pulumi.output(trusted), forLearntNode, client };
}

/** The stack's TLS material: supplied certificates, certificates from a supplied CA, or the stack's own (resources `name`...). */
export function stackTls(
    supplied: SuppliedTlsInputs | undefined,
    placedNodes: readonly AddressedNode[],
    prefix: string,
    name = "tls",
    opts: pulumi.CustomResourceOptions = {},
): TlsMaterial {
    if (supplied?.caKey) return caSignedTls(name, { ...supplied, caKey: supplied.caKey }, prefix, opts);
    if (supplied?.cert && supplied.key) return suppliedTls({ ...supplied, cert: supplied.cert, key: supplied.key });
    return issuedTls(name, placedNodes, prefix, opts);
}

/** A node's TLS as a runtime takes it (runtime/backend.ts NodeContext has the same two fields). */
export interface NodeTlsContext {
    readonly tls?: pulumi.Input<NodeTls>;
    readonly tlsFor?: (subject: pulumi.Input<CertificateSubject>, opts: pulumi.CustomResourceOptions) => pulumi.Output<NodeTls>;
}

/**
 * A node's TLS as its runtime takes it: the files for the addresses its runtime placed it at (`placed`), or,
 * where the runtime learns them (no `placed`), a certificate of its own (`certResourceName`) issued for them.
 * Material without shared node files (a supplied CA) issues that certificate for the placed addresses.
 */
export function nodeTlsContext(
    tls: TlsMaterial | undefined,
    placed: AddressedNode | undefined,
    certResourceName: string,
    opts: pulumi.CustomResourceOptions,
): NodeTlsContext {
    if (!tls) return {};
    if (!placed) return { tlsFor: (subject, nodeOpts) => tls.forLearntNode(certResourceName, subject, nodeOpts) };
    return { tls: tls.forNode ? tls.forNode(placed.name) : tls.forLearntNode(certResourceName, nodeSubject(placed), opts) };
}
