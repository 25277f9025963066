// NodeCertificate's provider, run in Pulumi's provider process and loaded there by module name
// (components/providers/): one node's certificate, signed by the stack's CA, for a runtime that learns
// the node's address only as it creates the node (Kubernetes: its Service's ClusterIP). It is issued
// once and kept in the state (the key a secret); issued again only when what it must name changed or it
// expires within the renewal window, and after a CA renewal in two steps (see reissueDue).
import type * as pulumi from "@pulumi/pulumi";
import { canonical, implementation } from "../providers/implementation";
import { CertificateSubject, KeyedCertificate, issueLeaf } from "./certificates";
import { bundleCerts, renewalDue, signedBy } from "./validate";

export interface NodeCertificateInputs {
    /** The CA that signs it (its key a secret). */
    readonly ca: KeyedCertificate;
    /** The CA bundle the node trusts with this certificate (PEM): during a CA renewal, the new CA and the old one. */
    readonly trusted: string;
    readonly subject: CertificateSubject;
    readonly validityMs: number;
    readonly renewalMs: number;
}

export interface NodeCertificateOutputs extends NodeCertificateInputs {
    readonly cert: string;
    /** Secret. */
    readonly key: string;
}

/**
 * Pure: whether the certificate must be issued again to reach `news` at `now`: a new subject, expiry
 * within the renewal window, or a renewed CA. A node reads its files only when its pod starts, and the
 * pods restart one at a time, so after a CA renewal the certificate is issued again in two steps: while
 * the nodes do not trust the new CA yet (the bundle they last got, `olds.trusted`, lacks it), it is kept
 * as long as a CA of the new bundle still vouches for it, and the pods restart with that bundle only; a
 * later `up` issues it from the new CA, which every node then trusts. Issuing it at once would have a
 * restarted node present a certificate its peers and its master, still on the old files, refuse.
 */
export function reissueDue(olds: NodeCertificateOutputs | undefined, news: NodeCertificateInputs, now: Date): boolean {
    if (!olds?.cert || !olds.key || canonical(olds.subject) !== canonical(news.subject)) return true;
    if (renewalDue(olds.cert, now, Number(news.renewalMs))) return true;
    if (signedBy(olds.cert, news.ca.cert)) return false;
    const nodesTrustNewCa = bundleCerts(olds.trusted ?? "").some((ca) => ca.trim() === news.ca.cert.trim());
    if (nodesTrustNewCa) return true;
    return !bundleCerts(news.trusted).some((ca) => signedBy(olds.cert, ca) && !renewalDue(ca, now, 0));
}

async function issue(olds: NodeCertificateOutputs | undefined, news: NodeCertificateInputs): Promise<NodeCertificateOutputs> {
    const now = new Date();
    if (olds && !reissueDue(olds, news, now)) return { ...news, cert: olds.cert, key: olds.key };
    const issued = await issueLeaf(news.ca, news.subject, { now, validityMs: Number(news.validityMs) });
    return { ...news, ...issued };
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("NodeCertificate", {
    async create(inputs: NodeCertificateInputs) {
        return { id: inputs.subject.name, outs: await issue(undefined, inputs) };
    },

    async diff(_id: string, olds: NodeCertificateOutputs, news: NodeCertificateInputs) {
        // Expiry counts as a change: a preview shows the renewal that the next `up` makes.
        const changes =
            reissueDue(olds, news, new Date()) ||
            (olds.trusted ?? "") !== news.trusted ||
            Number(olds.validityMs) !== Number(news.validityMs) ||
            Number(olds.renewalMs) !== Number(news.renewalMs);
        return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async update(_id: string, olds: NodeCertificateOutputs, news: NodeCertificateInputs) {
        return { outs: await issue(olds, news) };
    },

    async read(id: string, props: NodeCertificateOutputs) {
        // Nothing lives outside the state.
        return { id, props };
    },

    async delete() {
        // Nothing to undo: the certificate exists only in the state (and in the node's Secret, deleted with it).
    },
});
