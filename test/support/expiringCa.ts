// A stand-in for time passing in the renewal tests: the stack's CA certificate made again for the same
// key and name, but expiring soon, so certificates its key signed still verify under it while the
// stack sees its CA within the renewal window.
import "reflect-metadata"; // before @peculiar/x509 (its dependency injection needs it)
import * as x509 from "@peculiar/x509";
import { createPrivateKey, createPublicKey, webcrypto } from "crypto";

const CURVE = { name: "ECDSA", namedCurve: "P-256" } as const;

/** PEM of a CA certificate with `caCertPem`'s subject and `caKeyPem`'s key, valid from now for `validityMs`. */
export async function expiringCa(caCertPem: string, caKeyPem: string, validityMs: number): Promise<string> {
    const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
    const privateKey = await webcrypto.subtle.importKey("pkcs8", der(caKeyPem), CURVE, true, ["sign"]);
    const spki = createPublicKey(createPrivateKey(caKeyPem)).export({ type: "spki", format: "der" });
    const publicKey = await webcrypto.subtle.importKey("spki", spki, CURVE, true, ["verify"]);
    const expiring = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: "0a0b0c",
        name: new x509.X509Certificate(caCertPem).subject,
        notBefore: new Date(),
        notAfter: new Date(Date.now() + validityMs),
        keys: { privateKey: privateKey, publicKey: publicKey },
        signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
        extensions: [
            new x509.BasicConstraintsExtension(true, 0, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
            await x509.SubjectKeyIdentifierExtension.create(publicKey),
        ],
    });
    return expiring.toString("pem");
}
