// NodeCertificate's provider, run in Pulumi's provider process and loaded there by module name
// (components/providers/): one node's certificate, signed by the stack's CA, for a runtime that learns
// the node's address only as it creates the node (Kubernetes: its Service's ClusterIP). It is issued
// once and kept in the state (the key a secret); issued again only when what it must name changed, its
// CA changed, or it expires within the renewal window.
import type * as pulumi from "@pulumi/pulumi";
import { canonical, implementation } from "../providers/implementation";
import { CertificateSubject, KeyedCertificate, issueLeaf } from "./certificates";
import { renewalDue } from "./validate";

export interface NodeCertificateInputs {
    /** The CA that signs it (its key a secret). */
    readonly ca: KeyedCertificate;
    readonly subject: CertificateSubject;
    readonly validityMs: number;
    readonly renewalMs: number;
}

export interface NodeCertificateOutputs extends NodeCertificateInputs {
    readonly cert: string;
    /** Secret. */
    readonly key: string;
}

/** Pure: whether the certificate must be issued again to reach `news` at `now`. */
export function reissueDue(olds: NodeCertificateOutputs | undefined, news: NodeCertificateInputs, now: Date): boolean {
    return (
        !olds?.cert ||
        !olds.key ||
        olds.ca?.cert !== news.ca.cert ||
        canonical(olds.subject) !== canonical(news.subject) ||
        renewalDue(olds.cert, now, Number(news.renewalMs))
    );
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
