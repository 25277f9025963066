// The node certificates' resources under pulumi.runtime.setMocks, in shape but with real keys and a real
// CA: the program signs each node's terms itself (components/tls/stackTls.ts), so what it signs with and
// what it signs must parse. Each certificate served is the one the program signed.
import { X509Certificate } from "crypto";
import { type KeyedCertificate, issueCa, newLeafTerms, termsCertificate } from "../../components/tls/certificates";

const DAY = 24 * 3600 * 1000;
let ca: Promise<KeyedCertificate> | undefined;
const keys = new Map<string, string>();

/** A CA for the stack's own TlsCertificates under mocks (the same one for a whole test run). */
export function mockedCa(): Promise<KeyedCertificate> {
    ca ??= issueCa("mocked CA", { now: new Date(), validityMs: 3650 * DAY });
    return ca;
}

/** The state a NodeCertificate or ServedCertificate returns for `inputs`; undefined for other types. */
export async function mockedCertificateState(type: string, inputs: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    if (type.endsWith(":NodeCertificate")) {
        const subject = inputs.subject as { name: string; ips: string[]; dnsNames: string[] };
        const terms = await newLeafTerms(subject, { now: new Date(), validityMs: 90 * DAY });
        keys.set(subject.name, terms.key);
        return { ...inputs, cert: await termsCertificate(terms), key: terms.key };
    }
    if (type.endsWith(":ServedCertificate")) return { ...inputs, cert: inputs.candidate };
    return undefined;
}

/** The key the mocked NodeCertificate of subject `name` holds. */
export function mockedNodeKey(name: string): string {
    const key = keys.get(name);
    if (!key) throw new Error(`no mocked node certificate for ${name}`);
    return key;
}

/** The common name of a PEM certificate. */
export function subjectNameOf(certPem: string): string {
    return new X509Certificate(certPem).subject.replace(/^CN=/, "");
}

/** Whether `text` holds the body of a key a mocked NodeCertificate holds. */
export function holdsMockedNodeKey(text: string): boolean {
    return [...keys.values()].some((key) => text.includes(key.split("\n")[1]));
}
