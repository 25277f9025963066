// A node certificate's terms as NodeCertificate's state records them (./nodeCertificateProvider.ts), read by
// its provider and by the program that signs them (./stackTls.ts). Pure: no Pulumi, no I/O.
// The state keeps them as one PEM certificate (`cert`) beside the key, in the properties an earlier release's
// state has too: a preview reads a property the state lacks as unknown, which would leave every node's files
// unknown to it. An earlier release kept there the certificate its CA signed, which then carries the terms.
import { X509Certificate, createPublicKey } from "crypto";
import type { CertificateSubject, LeafTerms } from "./certificates";

export interface NodeCertificateInputs {
    readonly subject: CertificateSubject;
    readonly validityMs: number;
    readonly renewalMs: number;
}

export interface NodeCertificateOutputs extends NodeCertificateInputs {
    /** The terms, as a certificate their own key signs (certificates.ts termsCertificate); an earlier release's: its CA's. */
    readonly cert: string;
    /** PEM (PKCS#8) private key: secret. */
    readonly key: string;
}

/** What an earlier release's state holds besides: the CA, with its key, and the bundle. Dropped at its next update or a refresh. */
export interface EarlierOutputs extends NodeCertificateOutputs {
    readonly ca?: unknown;
    readonly trusted?: string;
}

export type RecordedCertificate = Partial<EarlierOutputs>;

export interface RecordedTerms {
    readonly terms: LeafTerms;
    /** The certificate an earlier release's CA signed for the terms: what the node serves until a change, so an upgrade restarts none. */
    readonly carried?: string;
}

/** Whether `certPem` is signed by its own key (the terms as this release keeps them). */
export function selfSigned(certPem: string): boolean {
    const cert = new X509Certificate(certPem);
    return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

/** The terms `recorded` holds; undefined when it holds none (nothing made yet, or its key is not its certificate's). */
export function recordedTerms(recorded: RecordedCertificate | undefined): RecordedTerms | undefined {
    if (!recorded?.key || !recorded.cert || !recorded.subject) return undefined;
    const cert = new X509Certificate(recorded.cert);
    if (!cert.publicKey.equals(createPublicKey(recorded.key))) return undefined;
    const terms = {
        subject: recorded.subject,
        serial: cert.serialNumber.toLowerCase(),
        notBefore: new Date(cert.validFrom).toISOString(),
        notAfter: new Date(cert.validTo).toISOString(),
        key: recorded.key,
    };
    return selfSigned(recorded.cert) ? { terms } : { terms, carried: recorded.cert };
}
