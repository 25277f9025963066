// A CA as a user's own tooling makes it (openssl, a corporate PKI): RSA or ECDSA P-384 rather than the
// stack's P-256, its key in the traditional PEM formats (PKCS#1, SEC1), for the supplied-CA tests.
import "reflect-metadata"; // before @peculiar/x509 (its dependency injection needs it)
import * as x509 from "@peculiar/x509";
import { createPrivateKey, webcrypto } from "crypto";
import type { KeyedCertificate } from "../../components/tls/certificates";

/** A self-signed CA certificate and its PEM key, valid from `now` for `validityMs`. */
export async function userCa(keyType: "rsa" | "P-384", name: string, now: Date, validityMs: number): Promise<KeyedCertificate> {
    const algorithm =
        keyType === "rsa"
            ? { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
            : { name: "ECDSA", namedCurve: "P-384", hash: "SHA-384" };
    const keys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: "01",
        name: `CN=${name}`,
        notBefore: now,
        notAfter: new Date(now.getTime() + validityMs),
        keys,
        signingAlgorithm: algorithm,
        extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
    });
    const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
    const key = createPrivateKey({ key: der, format: "der", type: "pkcs8" }).export({
        type: keyType === "rsa" ? "pkcs1" : "sec1",
        format: "pem",
    });
    return { cert: cert.toString("pem"), key: key.toString() };
}
