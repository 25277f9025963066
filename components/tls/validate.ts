// Pure checks of TLS material with Node's own X.509 parser: certificates a user supplies (each problem
// names the setting, what is wrong and what is needed, never a key), and when stored certificates are
// due for renewal.
import { X509Certificate, createPrivateKey } from "crypto";
import { messageOf } from "../common/errorMessage";
import { SUPPLIED_TLS_KEYS, type SuppliedTls } from "../settings/suppliedTls";

export { SUPPLIED_TLS_KEYS, type SuppliedTls };

/** What the node certificate must name: the addresses the nodes are reached at. */
export interface TlsNeeds {
    readonly ips: readonly string[];
}

function parseCert(pem: string | undefined): X509Certificate | string {
    if (pem === undefined) return "missing";
    try {
        return new X509Certificate(pem);
    } catch (err) {
        return `does not parse as a PEM certificate (${messageOf(err)})`;
    }
}

/** Whether the key parses; never says anything about its content. */
function keyParses(pem: string): boolean {
    try {
        createPrivateKey(pem);
        return true;
    } catch {
        return false;
    }
}

function ipsOf(cert: X509Certificate): string[] {
    return (cert.subjectAltName ?? "")
        .split(/,\s*/)
        .filter((n) => n.startsWith("IP Address:"))
        .map((n) => n.slice("IP Address:".length));
}

function validityProblem(key: string, cert: X509Certificate, now: Date): string | undefined {
    if (new Date(cert.validTo).getTime() <= now.getTime()) return `${key}: expired on ${cert.validTo}; allowed: a certificate valid now`;
    if (new Date(cert.validFrom).getTime() > now.getTime())
        return `${key}: not valid before ${cert.validFrom}; allowed: a certificate valid now`;
    return undefined;
}

/** Problems of a certificate and its key, signed by `ca`. */
function pairProblems(
    certKey: string,
    keyKey: string,
    certPem: string | undefined,
    keyPem: string | undefined,
    ca: X509Certificate | undefined,
    now: Date,
): { cert?: X509Certificate; problems: string[] } {
    const problems: string[] = [];
    const cert = parseCert(certPem);
    if (typeof cert === "string") problems.push(`${certKey}: ${cert}; allowed: a PEM certificate signed by tlsCaCert`);
    if (keyPem === undefined) problems.push(`${keyKey}: missing; allowed: the PEM private key of ${certKey}, set as a secret`);
    else if (!keyParses(keyPem))
        problems.push(`${keyKey}: does not parse as a PEM private key; allowed: the PEM private key of ${certKey}`);
    if (typeof cert === "string") return { problems };
    if (keyPem !== undefined && keyParses(keyPem) && !cert.checkPrivateKey(createPrivateKey(keyPem)))
        problems.push(
            `${keyKey}: is not the private key of ${certKey} (subject ${cert.subject.replace(/\n/g, ", ")}); allowed: the key the certificate was issued for`,
        );
    const validity = validityProblem(certKey, cert, now);
    if (validity) problems.push(validity);
    if (ca && !cert.verify(ca.publicKey))
        problems.push(
            `${certKey}: is not signed by tlsCaCert (issuer ${cert.issuer.replace(/\n/g, ", ")}); allowed: a certificate tlsCaCert signed`,
        );
    return { cert, problems };
}

/** Problems of the optional client pair: both or neither, and a pair `ca` signed. */
function clientPairProblems(supplied: SuppliedTls, ca: X509Certificate | undefined, now: Date): string[] {
    if ((supplied.clientCert === undefined) !== (supplied.clientKey === undefined))
        return ["tlsClientCert/tlsClientKey: only one of them is set; allowed: both (a client certificate and its key) or neither"];
    if (supplied.clientCert === undefined) return [];
    return pairProblems("tlsClientCert", "tlsClientKey", supplied.clientCert, supplied.clientKey, ca, now).problems;
}

/** The signing keys certificates.ts can sign with: what a supplied CA key must be. */
export const SIGNING_KEY_TYPES = "ECDSA P-256, ECDSA P-384 or RSA";

/** Why `keyPem` cannot sign certificates here, or undefined when it can. */
function signingKeyProblem(keyPem: string): string | undefined {
    const key = createPrivateKey(keyPem);
    const [type, details] = [key.asymmetricKeyType, key.asymmetricKeyDetails];
    if (type === "rsa") return undefined;
    if (type === "ec" && (details?.namedCurve === "prime256v1" || details?.namedCurve === "secp384r1")) return undefined;
    return `a ${type}${details?.namedCurve ? ` ${details.namedCurve}` : ""} key`;
}

/** The CA of `bundlePem` whose key `keyPem` is: the one that signs what the stack issues; undefined when none is. */
export function signingCa(bundlePem: string, keyPem: string): string | undefined {
    const key = createPrivateKey(keyPem);
    return bundleCerts(bundlePem).find((pem) => new X509Certificate(pem).checkPrivateKey(key));
}

/**
 * Problems of a supplied CA the stack issues from (`tlsCaKey`): the key parses and can sign, tlsCaCert
 * (one CA, or a bundle: the one the key belongs to signs, every one is trusted, which is how the CA is
 * rotated) holds its certificate, a CA valid now; tlsCert/tlsKey have no place next to it.
 */
function caKeyProblems(supplied: SuppliedTls, now: Date): string[] {
    const problems: string[] = [];
    if (supplied.cert !== undefined || supplied.key !== undefined)
        problems.push(
            "tlsCert/tlsKey: set with tlsCaKey; allowed: either tlsCaKey (the stack issues each node a certificate from your CA) or tlsCert and tlsKey (every node serves that one certificate), not both",
        );
    const cas = bundleCerts(supplied.caCert ?? "");
    if (cas.length === 0) {
        problems.push(
            `tlsCaCert: ${supplied.caCert === undefined ? "missing" : "holds no PEM certificate"}; allowed: the PEM certificate of the CA whose key is tlsCaKey`,
        );
        return problems;
    }
    const unparsed = cas.map(parseCert).find((c): c is string => typeof c === "string");
    if (unparsed) problems.push(`tlsCaCert: ${unparsed}; allowed: PEM CA certificates`);
    if (!keyParses(supplied.caKey ?? "")) {
        problems.push("tlsCaKey: does not parse as a PEM private key; allowed: the PEM private key of tlsCaCert, set as a secret");
        return problems;
    }
    const unusable = signingKeyProblem(supplied.caKey!);
    if (unusable) problems.push(`tlsCaKey: ${unusable}; allowed: an ${SIGNING_KEY_TYPES} key`);
    if (unparsed) return problems;
    const signer = signingCa(supplied.caCert!, supplied.caKey!);
    if (!signer) {
        problems.push(
            "tlsCaKey: is not the private key of tlsCaCert (of none of its certificates); allowed: the key the CA certificate was issued for",
        );
        return problems;
    }
    const ca = new X509Certificate(signer);
    const validity = validityProblem("tlsCaCert", ca, now);
    if (validity) problems.push(validity);
    if (!ca.ca) problems.push("tlsCaCert: is not a CA certificate (basicConstraints CA:FALSE or absent); allowed: a CA certificate");
    problems.push(...clientPairProblems(supplied, ca, now));
    return problems;
}

/**
 * Every problem with supplied TLS material, each naming the setting; an empty list when none is
 * supplied or all of it is usable. `needs.ips`: the addresses the node certificate must carry as IP SANs.
 */
export function suppliedTlsProblems(supplied: SuppliedTls, needs: TlsNeeds, now: Date): string[] {
    const given = (Object.keys(SUPPLIED_TLS_KEYS) as (keyof SuppliedTls)[]).filter((k) => supplied[k] !== undefined);
    if (given.length === 0) return [];
    if (supplied.caKey !== undefined) return caKeyProblems(supplied, now);
    const problems: string[] = [];
    const ca = parseCert(supplied.caCert);
    if (typeof ca === "string") problems.push(`tlsCaCert: ${ca}; allowed: the PEM certificate of the CA that signed tlsCert`);
    else {
        const validity = validityProblem("tlsCaCert", ca, now);
        if (validity) problems.push(validity);
        if (!ca.ca) problems.push("tlsCaCert: is not a CA certificate (basicConstraints CA:FALSE or absent); allowed: a CA certificate");
    }
    const caCert = typeof ca === "string" ? undefined : ca;
    const node = pairProblems("tlsCert", "tlsKey", supplied.cert, supplied.key, caCert, now);
    problems.push(...node.problems);
    if (node.cert) {
        const present = new Set(ipsOf(node.cert));
        const missing = needs.ips.filter((ip) => !present.has(ip));
        if (missing.length > 0)
            problems.push(
                `tlsCert: lacks the IP SANs ${missing.join(", ")} (has ${[...present].join(", ") || "none"}); allowed: a certificate whose subjectAltName includes ${needs.ips.map((ip) => `IP:${ip}`).join(", ")}`,
            );
    }
    problems.push(...clientPairProblems(supplied, caCert, now));
    return problems;
}

/** True when `certPem` expires within `renewalMs` of `now` (or already has): time to issue a new one. */
export function renewalDue(certPem: string, now: Date, renewalMs: number): boolean {
    return new Date(new X509Certificate(certPem).validTo).getTime() - renewalMs <= now.getTime();
}

/** The IP and DNS SANs of a certificate, for tests and diagnostics. */
export function subjectAltNames(certPem: string): { ips: string[]; dnsNames: string[] } {
    const cert = new X509Certificate(certPem);
    const entries = (cert.subjectAltName ?? "").split(/,\s*/);
    return {
        ips: ipsOf(cert),
        dnsNames: entries.filter((n) => n.startsWith("DNS:")).map((n) => n.slice(4)),
    };
}

/** The CA certificates to trust, PEM, the current one first: both during a CA renewal. */
export function trustedCas(cas: { readonly caCert: string; readonly previousCaCert?: string }): string {
    return cas.previousCaCert ? `${cas.caCert.trimEnd()}\n${cas.previousCaCert}` : cas.caCert;
}

/** The certificates of a PEM bundle (what `trustedCas` makes), each as PEM text. */
export function bundleCerts(bundlePem: string): string[] {
    return bundlePem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Whether `certPem` is signed by the key of `caPem` and names it as its issuer. */
export function signedBy(certPem: string, caPem: string): boolean {
    const [cert, ca] = [new X509Certificate(certPem), new X509Certificate(caPem)];
    return cert.issuer === ca.subject && cert.verify(ca.publicKey);
}
