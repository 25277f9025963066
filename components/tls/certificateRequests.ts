// Certificates the stack's issuer (TlsCertificates) signs for keys it does not hold. A node's
// NodeCertificate keeps the node's key and asks, with its public key, for a certificate naming what the
// runtime made the node reachable at (Kubernetes: its Service's ClusterIP, known only once the Service
// exists); so the CA's key stays in the one issuer and no node's resource gets it. Pure decisions (when a
// certificate is issued again), and the issuing they call for.
import { X509Certificate, createPublicKey } from "crypto";
import { canonical } from "../providers/implementation";
import { type CertificateSubject, type IssueTimes, type KeyedCertificate, issueFor } from "./certificates";
import { bundleCerts, renewalDue, signedBy } from "./validate";

/** A certificate as a node got it: what it names, and the CA bundle it was handed with. */
export interface IssuedCertificate {
    readonly cert: string;
    readonly subject: CertificateSubject;
    readonly trusted: string;
}

/** A node's request for a certificate; the key it is for stays with the node's NodeCertificate. */
export interface CertificateRequest {
    /** Keys the certificate in the issuer's outputs: the NodeCertificate's resource name. */
    readonly name: string;
    readonly subject: CertificateSubject;
    /** PEM (SPKI). */
    readonly publicKey: string;
    /**
     * The certificate the NodeCertificate held when it issued certificates itself (state written before the
     * issuer did), kept rather than issued again, so an upgraded stack's nodes keep their files; "" when none.
     */
    readonly legacy: IssuedCertificate | "";
}

/** What the issuer records of the requests it signed (part of its outputs). */
export interface SignedRequests {
    readonly requests?: CertificateRequest[];
    /** Request name -> PEM certificate. */
    readonly requestCerts?: Record<string, string>;
    /** The CA bundle the nodes got with those certificates ("" without requests). */
    readonly requestsTrusted?: string;
}

/** How requests are signed now: the signing CA's certificate, and the bundle the nodes get with theirs. */
export interface RequestSigning {
    readonly caCert: string;
    readonly trusted: string;
    readonly renewalMs: number;
}

/** Whether `certPem` is the certificate of the public key `publicKeyPem`. */
export function certifiesKey(certPem: string, publicKeyPem: string): boolean {
    const spki = (key: ReturnType<typeof createPublicKey>) => key.export({ type: "spki", format: "der" });
    return spki(new X509Certificate(certPem).publicKey).equals(spki(createPublicKey(publicKeyPem)));
}

/** The certificate a request's node has now: the one the issuer signed last, else the one its NodeCertificate held before. */
export function currentCertificate(olds: SignedRequests | undefined, request: CertificateRequest): IssuedCertificate | undefined {
    const cert = olds?.requestCerts?.[request.name];
    const before = olds?.requests?.find((r) => r.name === request.name);
    if (cert && before) return { cert, subject: before.subject, trusted: olds?.requestsTrusted ?? "" };
    return request.legacy || undefined;
}

/**
 * Pure: whether a request's certificate must be issued (again) at `now`: none yet, a new subject or key,
 * expiry within the renewal window, or a renewed CA. A node on Kubernetes reads its files only when its
 * pod starts, and the pods restart one at a time, so after a CA renewal the certificate is issued again in
 * two steps: while the nodes do not trust the new CA yet (the bundle they last got, `current.trusted`,
 * lacks it), it is kept as long as a CA of the new bundle still vouches for it, and the pods restart with
 * that bundle only; a later `up` issues it from the new CA, which every node then trusts. Issuing it at
 * once would have a restarted node present a certificate its peers and its master, still on the old
 * files, refuse.
 */
export function requestDue(
    current: IssuedCertificate | undefined,
    request: CertificateRequest,
    signing: RequestSigning,
    now: Date,
): boolean {
    if (!current?.cert || canonical(current.subject) !== canonical(request.subject)) return true;
    if (!certifiesKey(current.cert, request.publicKey) || renewalDue(current.cert, now, Number(signing.renewalMs))) return true;
    if (signedBy(current.cert, signing.caCert)) return false;
    const nodesTrustNewCa = bundleCerts(current.trusted).some((ca) => ca.trim() === signing.caCert.trim());
    if (nodesTrustNewCa) return true;
    return !bundleCerts(signing.trusted).some((ca) => signedBy(current.cert, ca) && !renewalDue(ca, now, 0));
}

/** Pure: the names of the requests whose certificate is issued (again). */
export function dueRequests(
    olds: SignedRequests | undefined,
    requests: readonly CertificateRequest[],
    signing: RequestSigning,
    now: Date,
): string[] {
    return requests.filter((r) => requestDue(currentCertificate(olds, r), r, signing, now)).map((r) => r.name);
}

/** Pure: whether the recorded request certificates differ from what `requests` need: issued again, added, dropped, or a new bundle. */
export function requestsChange(olds: SignedRequests, requests: readonly CertificateRequest[], signing: RequestSigning, now: Date): boolean {
    const names = (list: readonly string[]) => canonical([...list].sort());
    if (names(Object.keys(olds.requestCerts ?? {})) !== names(requests.map((r) => r.name))) return true;
    if (requests.length > 0 && (olds.requestsTrusted ?? "") !== signing.trusted) return true;
    return dueRequests(olds, requests, signing, now).length > 0;
}

/** The certificates of `requests`, signed by `signer` where due, the others as the nodes have them. */
export async function signRequests(
    olds: SignedRequests | undefined,
    requests: readonly CertificateRequest[],
    signer: KeyedCertificate,
    signing: RequestSigning,
    times: IssueTimes,
): Promise<Required<Omit<SignedRequests, "requests">>> {
    const due = new Set(dueRequests(olds, requests, signing, times.now));
    const requestCerts: Record<string, string> = {};
    for (const request of requests)
        requestCerts[request.name] = due.has(request.name)
            ? await issueFor(signer, request.subject, request.publicKey, times)
            : currentCertificate(olds, request)!.cert;
    return { requestCerts, requestsTrusted: requests.length > 0 ? signing.trusted : "" };
}
