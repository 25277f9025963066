// ServedCertificate's provider, run in Pulumi's provider process and loaded there by module name
// (components/providers/): the certificate a node serves, chosen between the one it served so far and the
// one the program signed this run for its terms (NodeCertificate) with the CA's key (`candidate`). It
// never sees that key. A node reads its files only when its pod starts, and the pods restart one at a
// time, so after a CA renewal the new certificate is taken in two steps (see keepsServed).
import type * as pulumi from "@pulumi/pulumi";
import { X509Certificate } from "crypto";
import { implementation } from "../providers/implementation";
import { bundleCerts, renewalDue, signedBy } from "./validate";

export interface ServedCertificateInputs {
    /** What the program signed this run: the node's terms, signed by `caCert`'s key. */
    readonly candidate: string;
    /** The certificate an earlier release issued for the same terms (NodeCertificate's `carried`), served until a change. */
    readonly carried?: string;
    /** The CA that signed `candidate` (PEM). */
    readonly caCert: string;
    /** The CA bundle the node trusts with this certificate (PEM): during a CA renewal, the new CA and the old one. */
    readonly trusted: string;
    readonly renewalMs: number;
}

export interface ServedCertificateOutputs extends ServedCertificateInputs {
    readonly cert: string;
}

const isCertificate = (value: unknown): boolean => typeof value === "string" && value.includes("-----BEGIN CERTIFICATE-----");

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber.toLowerCase().replace(/^0+/, "");

/**
 * Pure: whether the node keeps serving `served` rather than `news.candidate` at `now`. Only the same terms
 * (the same serial, so the same key and names) can be kept, and not within the renewal window. From the
 * same CA they are the same certificate (an earlier release's differs only in its signature). From
 * another CA (a renewal): while the nodes do not trust the new CA yet (`servedWith`, the bundle they last
 * got, lacks it) it is kept as long as a CA of the new bundle still vouches for it, and the pods restart
 * with that bundle only; a later `up` takes the new CA's, which every node then trusts. Taking it at once
 * would have a restarted node present a certificate its peers and its master, still on the old files, refuse.
 */
export function keepsServed(served: string | undefined, servedWith: string, news: ServedCertificateInputs, now: Date): boolean {
    if (!served || serialOf(served) !== serialOf(news.candidate)) return false;
    if (renewalDue(served, now, Number(news.renewalMs))) return false;
    if (signedBy(served, news.caCert)) return true;
    const nodesTrustNewCa = bundleCerts(servedWith).some((ca) => ca.trim() === news.caCert.trim());
    if (nodesTrustNewCa) return false;
    return bundleCerts(news.trusted).some((ca) => signedBy(served, ca) && !renewalDue(ca, now, 0));
}

/** What the node serves to reach `news`: the certificate kept, or the candidate. */
export function servedCertificate(olds: ServedCertificateOutputs | undefined, news: ServedCertificateInputs, now: Date): string {
    const served = olds?.cert ?? news.carried;
    return served && keepsServed(served, olds?.trusted ?? "", news, now) ? served : news.candidate;
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("ServedCertificate", {
    // The choice is made here too, into the inputs: what a preview shows as the outputs of a resource it creates
    // or changes, so a preview of an upgrade or a CA renewal knows each node's files instead of marking them unknown.
    async check(olds: Partial<ServedCertificateOutputs>, news: ServedCertificateInputs) {
        if (![news.candidate, news.caCert].every(isCertificate)) return { inputs: news };
        const served = olds.cert && isCertificate(olds.cert) ? (olds as ServedCertificateOutputs) : undefined;
        return { inputs: { ...news, cert: servedCertificate(served, news, new Date()) } };
    },

    async create(inputs: ServedCertificateInputs) {
        return {
            id: new X509Certificate(inputs.candidate).subject,
            outs: { ...inputs, cert: servedCertificate(undefined, inputs, new Date()) },
        };
    },

    async diff(_id: string, olds: ServedCertificateOutputs, news: ServedCertificateInputs) {
        // A preview of new terms or a new CA has no certificate to judge yet (Pulumi hands an unknown in).
        if (![news.candidate, news.caCert].every(isCertificate)) return { changes: true, replaces: [], deleteBeforeReplace: false };
        // Expiry counts as a change: a preview shows the renewal that the next `up` makes.
        const changes =
            servedCertificate(olds, news, new Date()) !== olds.cert ||
            olds.trusted !== news.trusted ||
            Number(olds.renewalMs) !== Number(news.renewalMs);
        return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async update(_id: string, olds: ServedCertificateOutputs, news: ServedCertificateInputs) {
        return { outs: { ...news, cert: servedCertificate(olds, news, new Date()) } };
    },

    async read(id: string, props: ServedCertificateOutputs) {
        // Nothing lives outside the state.
        return { id, props };
    },

    async delete() {
        // Nothing to undo: the certificate exists only in the state (and in the node's Secret, deleted with it).
    },
});
