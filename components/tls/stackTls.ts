// The stack's TLS material as the components consume it: issued by the stack's one issuer (TlsCertificates,
// from its own CA or a supplied one), or supplied as config (validated before this runs, see stackConfig.ts).
// Every output holding a key is a secret.
import * as pulumi from "@pulumi/pulumi";
import { type AddressedNode, type NodeTls, nodeSubject } from "./nodeTls";
import type { CertificateSubject } from "./certificates";
import type { CertificateRequest } from "./certificateRequests";
import { NodeCertificate } from "./nodeCertificate";
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
     * Service's ClusterIP): its key in a resource called `resourceName`, and a certificate naming `subject`.
     */
    readonly forLearntNode: NodeCertificateIssuer;
    /** What a client presents (secret): the formation, the outputs services read. */
    readonly client: pulumi.Output<NodeTls>;
    /**
     * Every node is declared: the issuer signs what `forLearntNode` was asked for. Call it once, after the last
     * node (until then the issuer's inputs are not settled); `forLearntNode` refuses to issue after it.
     */
    readonly issue: () => void;
}

/** Issues a node's files for the addresses a runtime learnt (see TlsMaterial.forLearntNode). */
export type NodeCertificateIssuer = (
    resourceName: string,
    subject: pulumi.Input<CertificateSubject>,
    opts: pulumi.CustomResourceOptions,
) => pulumi.Output<NodeTls>;

/**
 * The certificate requests of the nodes declared one by one, handed to the issuer, which exists before them,
 * as one promise its inputs settle with once the last is declared (Pulumi awaits a promise input): the nodes'
 * requests name what their runtime made them reachable at, and their files come from the issuer's outputs.
 */
class CertificateRequests {
    private readonly requests: pulumi.Output<CertificateRequest>[] = [];
    private settle?: (requests: pulumi.Output<CertificateRequest>[] | undefined) => void;
    /** Undefined without requests, so the issuer's inputs stay as before there were any. */
    readonly all = new Promise<pulumi.Output<CertificateRequest>[] | undefined>((resolve) => (this.settle = resolve));

    add(name: string, subject: pulumi.Input<CertificateSubject>, key: NodeCertificate): void {
        if (!this.settle) throw new Error(`TLS: node certificate ${name} asked for after every node was declared`);
        this.requests.push(
            pulumi.all([subject, key.publicKey, key.legacy]).apply(([s, publicKey, legacy]) => ({ name, subject: s, publicKey, legacy })),
        );
    }

    close(): void {
        this.settle?.(this.requests.length > 0 ? this.requests : undefined);
        this.settle = undefined;
    }
}

/** Issues each node a certificate from `certs` for the key of a NodeCertificate of its own, served with the `trusted` bundle. */
function requestIssuer(certs: TlsCertificates, requests: CertificateRequests, trusted: pulumi.Input<string>): NodeCertificateIssuer {
    return (resourceName, subject, nodeOpts) => {
        const key = new NodeCertificate(resourceName, { name: resourceName }, nodeOpts);
        requests.add(resourceName, subject, key);
        return pulumi.secret(
            pulumi.all([trusted, certs.requestCerts, key.key]).apply(([ca, requestCerts, nodeKey]) => ({
                ca,
                cert: requestCerts[resourceName],
                key: nodeKey,
            })),
        );
    };
}

/**
 * Certificates the stack issues and keeps: its CA, one for clients, and one per node of `placedNodes`, the
 * nodes whose addresses the runtime placed beforehand (the Docker runtimes); where it learns them
 * (Kubernetes: none placed) each node's key is a NodeCertificate of its own, made by its runtime through
 * `forLearntNode`, and this issuer signs its certificate.
 */
export function issuedTls(
    name: string,
    placedNodes: readonly AddressedNode[],
    prefix: string,
    opts: pulumi.CustomResourceOptions = {},
): TlsMaterial {
    const requests = new CertificateRequests();
    const certs = new TlsCertificates(
        name,
        {
            caName: `${prefix} CA`,
            nodes: placedNodes.map((n) => nodeSubject(n)),
            client: { name: `${prefix}-client`, ips: [], dnsNames: [] },
            requests: requests.all,
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
    return { caCert: trusted, forNode, forLearntNode: requestIssuer(certs, requests, trusted), client, issue: () => requests.close() };
}

/** Certificates the user supplied: one for every node, and the client one (default: the node one). */
export function suppliedTls(supplied: SuppliedTlsInputs & Required<Pick<SuppliedTlsInputs, "cert" | "key">>): TlsMaterial {
    const node = pulumi.secret(supplied.key.apply((key) => ({ ca: supplied.caCert, cert: supplied.cert, key })));
    const clientKey = supplied.clientKey ?? supplied.key;
    const client = pulumi.secret(clientKey.apply((key) => ({ ca: supplied.caCert, cert: supplied.clientCert ?? supplied.cert, key })));
    return { caCert: pulumi.output(supplied.caCert), forNode: () => node, forLearntNode: () => node, client, issue: () => undefined };
}

/**
 * Certificates issued from a CA the user supplied (`tlsCaCert`, `tlsCaKey`), as cert-manager's CA issuer
 * does: the stack's issuer (`name`) takes the CA's key, as a secret, and is the one resource that holds it;
 * each node, on every runtime, and clients (unless their certificate is supplied) get a key of their own
 * (a NodeCertificate) and a certificate the issuer signs for it.
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
    const requests = new CertificateRequests();
    const certs = new TlsCertificates(name, { caName: `${prefix} CA`, nodes: [], signer, trusted, requests: requests.all }, opts);
    const forLearntNode = requestIssuer(certs, requests, trusted);
    const client =
        supplied.clientCert && supplied.clientKey
            ? pulumi.secret(supplied.clientKey.apply((key) => ({ ca: trusted, cert: supplied.clientCert!, key })))
            : forLearntNode(`${name}-client`, { name: `${prefix}-client`, ips: [], dnsNames: [] }, opts);
    return { caCert: pulumi.output(trusted), forLearntNode, client, issue: () => requests.close() };
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
