// Issuing the stack's TLS material: a CA, one certificate per node, one client certificate. ECDSA P-256
// keys through Node's WebCrypto and @peculiar/x509 for the X.509 structures: a key pair and certificate
// take milliseconds (RSA 2048 takes a hundred times that). No Pulumi, no I/O: the TlsCertificates
// provider (./certificatesProvider.ts) decides when to call these, and stores what they return.
import "reflect-metadata"; // @peculiar/x509's dependency injection (tsyringe) needs it, loaded once
import * as x509 from "@peculiar/x509";
import { createPrivateKey, webcrypto, randomBytes } from "crypto";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const USAGE: KeyUsage[] = ["sign", "verify"];

/** What a certificate must be valid for. */
export interface CertificateSubject {
    /** Common name; for a node, its container name. */
    readonly name: string;
    /** IP addresses clients reach it at (announced address, loopback). */
    readonly ips: readonly string[];
    /** DNS names clients reach it at (container name and alias, localhost). */
    readonly dnsNames: readonly string[];
}

/** A PEM certificate and its PEM (PKCS#8) private key. */
export interface KeyedCertificate {
    readonly cert: string;
    readonly key: string;
}

export interface IssueTimes {
    readonly now: Date;
    readonly validityMs: number;
}

type KeyPair = { publicKey: CryptoKey; privateKey: CryptoKey };

async function newKeyPair(): Promise<KeyPair> {
    return await webcrypto.subtle.generateKey(ALGORITHM, true, USAGE);
}

async function pemKey(key: CryptoKey): Promise<string> {
    const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
    const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
    return `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

type SigningAlgorithm = (EcKeyImportParams & EcdsaParams) | RsaHashedImportParams;

/**
 * How a CA key signs: the stack's own CAs are ECDSA P-256; a CA the user supplies (tlsCaKey) may be
 * P-384 or RSA too (validate.ts SIGNING_KEY_TYPES). Any PEM private key format Node reads is accepted.
 */
async function signingKey(pem: string): Promise<{ key: CryptoKey; algorithm: SigningAlgorithm }> {
    const parsed = createPrivateKey(pem);
    const der = parsed.export({ type: "pkcs8", format: "der" });
    const curve = parsed.asymmetricKeyDetails?.namedCurve;
    const algorithm: SigningAlgorithm =
        parsed.asymmetricKeyType === "rsa"
            ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
            : curve === "secp384r1"
              ? { name: "ECDSA", namedCurve: "P-384", hash: "SHA-384" }
              : ALGORITHM;
    return { key: await webcrypto.subtle.importKey("pkcs8", der, algorithm, true, ["sign"]), algorithm };
}

/** A positive random serial (RFC 5280: at most 20 octets, unique per CA). */
function serialNumber(): string {
    const bytes = randomBytes(16);
    bytes[0] &= 0x7f;
    return bytes.toString("hex");
}

/** CN values are escaped by the library's name parser only in part; keep names to what needs no escaping. */
function commonName(name: string): string {
    return `CN=${name.replace(/[^A-Za-z0-9 ._-]/g, "-")}`;
}

/** A self-signed CA that may only sign end-entity certificates (path length 0). */
export async function issueCa(name: string, times: IssueTimes): Promise<KeyedCertificate> {
    const keys = await newKeyPair();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serialNumber(),
        name: commonName(name),
        notBefore: times.now,
        notAfter: new Date(times.now.getTime() + times.validityMs),
        keys,
        signingAlgorithm: ALGORITHM,
        extensions: [
            new x509.BasicConstraintsExtension(true, 0, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
            await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
    });
    return { cert: cert.toString("pem"), key: await pemKey(keys.privateKey) };
}

/**
 * A certificate signed by `ca` for `subject`, good for both ends of a TLS connection: a node serves
 * clients with it and presents it to its peers on the cluster bus and to its master.
 */
export async function issueLeaf(ca: KeyedCertificate, subject: CertificateSubject, times: IssueTimes): Promise<KeyedCertificate> {
    const [keys, signer] = await Promise.all([newKeyPair(), signingKey(ca.key)]);
    const caCert = new x509.X509Certificate(ca.cert);
    const names = [
        ...subject.ips.map((value) => ({ type: "ip" as const, value })),
        ...subject.dnsNames.map((value) => ({ type: "dns" as const, value })),
    ];
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serialNumber(),
        subject: commonName(subject.name),
        issuer: caCert.subject,
        notBefore: times.now,
        notAfter: new Date(times.now.getTime() + times.validityMs),
        signingKey: signer.key,
        publicKey: keys.publicKey,
        signingAlgorithm: signer.algorithm,
        extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
            new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
            ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
            await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
    });
    return { cert: cert.toString("pem"), key: await pemKey(keys.privateKey) };
}
