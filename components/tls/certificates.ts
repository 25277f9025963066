// Issuing the stack's TLS material: a CA, one certificate per node, one client certificate. ECDSA P-256
// keys through Node's WebCrypto and @peculiar/x509 for the X.509 structures: a key pair and certificate
// take milliseconds (RSA 2048 takes a hundred times that). Signatures are deterministic (RFC 6979 ECDSA
// through @noble/curves; RSA PKCS#1 v1.5 is so already): the same terms and CA give the same certificate,
// so the program can sign a node's certificate at every run and no resource needs the CA's key. No
// Pulumi, no I/O: the providers (./certificatesProvider.ts, ./nodeCertificateProvider.ts) decide when to
// call these, and store what they return.
import "reflect-metadata"; // @peculiar/x509's dependency injection (tsyringe) needs it, loaded once
import * as x509 from "@peculiar/x509";
import { p256, p384 } from "@noble/curves/nist";
import { createPrivateKey, createPublicKey, webcrypto, randomBytes } from "crypto";

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

/** WebCrypto whose ECDSA signatures are RFC 6979's (the nonce derived from the key and the message) instead of random ones. */
const deterministicCrypto = {
    getRandomValues: webcrypto.getRandomValues.bind(webcrypto),
    subtle: {
        exportKey: webcrypto.subtle.exportKey.bind(webcrypto.subtle),
        async sign(algorithm: AlgorithmIdentifier, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
            if (key.algorithm.name !== "ECDSA") return await webcrypto.subtle.sign(algorithm, key, data);
            const curve = (key.algorithm as EcKeyAlgorithm).namedCurve === "P-384" ? p384 : p256;
            const { d } = await webcrypto.subtle.exportKey("jwk", key);
            const message = new Uint8Array(
                ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data,
            );
            // prehash: the curve's own hash, SHA-256 for P-256 and SHA-384 for P-384, as the signing algorithm names.
            const signature = curve.sign(message, Buffer.from(d!, "base64url"), { prehash: true }).toCompactRawBytes();
            return signature.slice().buffer;
        },
    },
} as unknown as Crypto;

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

/** A positive random serial (RFC 5280: at most 20 octets, unique per CA), in hex. */
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
 * What a node's certificate says besides who signs it: what it names, its serial, its validity and its key
 * (secret). Kept in the state, so that it is signed again to the same certificate at every run.
 */
export interface LeafTerms {
    readonly subject: CertificateSubject;
    /** Hex. */
    readonly serial: string;
    /** ISO 8601, whole seconds (what X.509 records). */
    readonly notBefore: string;
    readonly notAfter: string;
    /** PEM (PKCS#8) private key. */
    readonly key: string;
}

/** New terms for `subject`: a key of its own and a new serial, valid from `times.now`. */
export async function newLeafTerms(subject: CertificateSubject, times: IssueTimes): Promise<LeafTerms> {
    const keys = await newKeyPair();
    const from = Math.floor(times.now.getTime() / 1000) * 1000;
    return {
        subject,
        serial: serialNumber(),
        notBefore: new Date(from).toISOString(),
        notAfter: new Date(from + times.validityMs).toISOString(),
        key: await pemKey(keys.privateKey),
    };
}

/** The public half of a node's PEM private key, as WebCrypto takes it. */
async function publicKeyOf(keyPem: string): Promise<CryptoKey> {
    const spki = createPublicKey(keyPem).export({ type: "spki", format: "der" });
    return await webcrypto.subtle.importKey("spki", spki, ALGORITHM, true, ["verify"]);
}

/**
 * `terms` as a certificate their own key signs: how the state keeps them (one PEM, as an earlier release kept the
 * certificate its CA signed), read back by ./nodeCertificateTerms.ts. No CA and no peer trusts it.
 */
export async function termsCertificate(terms: LeafTerms): Promise<string> {
    const der = createPrivateKey(terms.key).export({ type: "pkcs8", format: "der" });
    const privateKey = await webcrypto.subtle.importKey("pkcs8", der, ALGORITHM, true, ["sign"]);
    const publicKey = await publicKeyOf(terms.key);
    const cert = await x509.X509CertificateGenerator.createSelfSigned(
        {
            serialNumber: terms.serial,
            name: commonName(terms.subject.name),
            notBefore: new Date(terms.notBefore),
            notAfter: new Date(terms.notAfter),
            keys: { privateKey, publicKey },
            signingAlgorithm: ALGORITHM,
        },
        deterministicCrypto,
    );
    return cert.toString("pem");
}

/**
 * The certificate `ca` signs for `terms`, the same at every call: good for both ends of a TLS connection, a
 * node serves clients with it and presents it to its peers on the cluster bus and to its master.
 */
export async function signLeaf(ca: KeyedCertificate, terms: LeafTerms): Promise<string> {
    const signer = await signingKey(ca.key);
    const caCert = new x509.X509Certificate(ca.cert);
    const publicKey = await publicKeyOf(terms.key);
    const names = [
        ...terms.subject.ips.map((value) => ({ type: "ip" as const, value })),
        ...terms.subject.dnsNames.map((value) => ({ type: "dns" as const, value })),
    ];
    const cert = await x509.X509CertificateGenerator.create(
        {
            serialNumber: terms.serial,
            subject: commonName(terms.subject.name),
            issuer: caCert.subject,
            notBefore: new Date(terms.notBefore),
            notAfter: new Date(terms.notAfter),
            signingKey: signer.key,
            publicKey,
            signingAlgorithm: signer.algorithm,
            extensions: [
                new x509.BasicConstraintsExtension(false, undefined, true),
                new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
                new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
                ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
                await x509.AuthorityKeyIdentifierExtension.create(caCert),
            ],
        },
        deterministicCrypto,
    );
    return cert.toString("pem");
}

/** A certificate signed by `ca` for `subject`, with a key of its own (see signLeaf). */
export async function issueLeaf(ca: KeyedCertificate, subject: CertificateSubject, times: IssueTimes): Promise<KeyedCertificate> {
    const terms = await newLeafTerms(subject, times);
    return { cert: await signLeaf(ca, terms), key: terms.key };
}
