// NodeCertificate's provider, run in Pulumi's provider process and loaded there by module name
// (components/providers/): the terms of one node's certificate (its key, serial and validity) for a
// runtime that learns the node's address only as it creates the node (Kubernetes: its Service's
// ClusterIP), or for a CA the user supplied, kept as ./nodeCertificateTerms.ts says. It holds no CA and no CA
// key: the program signs the terms (./stackTls.ts, deterministically, so the same certificate at every run)
// and ServedCertificate (./servedCertificateProvider.ts) keeps what the node serves through a CA renewal. New
// terms are made only when what the certificate must name changed or it expires within the renewal window.
import type * as pulumi from "@pulumi/pulumi";
import { canonical, implementation } from "../providers/implementation";
import { newLeafTerms, termsCertificate } from "./certificates";
import { type NodeCertificateInputs, type NodeCertificateOutputs, type RecordedCertificate, recordedTerms } from "./nodeCertificateTerms";

export type { NodeCertificateInputs, NodeCertificateOutputs } from "./nodeCertificateTerms";

/** Pure: whether new terms are due to reach `news` at `now`: none recorded, a new subject, or expiry within the renewal window. */
export function newTermsDue(olds: RecordedCertificate | undefined, news: NodeCertificateInputs, now: Date): boolean {
    const recorded = recordedTerms(olds);
    if (!recorded || canonical(recorded.terms.subject) !== canonical(news.subject)) return true;
    return new Date(recorded.terms.notAfter).getTime() - Number(news.renewalMs) <= now.getTime();
}

/** What the state keeps to reach `news`: new terms when due, else those recorded (an earlier release's certificate kept as it is). */
async function termsFor(olds: RecordedCertificate | undefined, news: NodeCertificateInputs): Promise<NodeCertificateOutputs> {
    const now = new Date();
    if (!newTermsDue(olds, news, now)) return { ...news, cert: olds!.cert!, key: olds!.key! };
    const terms = await newLeafTerms(news.subject, { now, validityMs: Number(news.validityMs) });
    return { ...news, cert: await termsCertificate(terms), key: terms.key };
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("NodeCertificate", {
    async create(inputs: NodeCertificateInputs) {
        return { id: inputs.subject.name, outs: await termsFor(undefined, inputs) };
    },

    async diff(_id: string, olds: RecordedCertificate, news: NodeCertificateInputs) {
        // Expiry counts as a change: a preview shows the renewal that the next `up` makes. An earlier release's
        // state is no change by itself (see EarlierOutputs): the program reads its terms from the certificate.
        const changes =
            newTermsDue(olds, news, new Date()) ||
            Number(olds.validityMs) !== Number(news.validityMs) ||
            Number(olds.renewalMs) !== Number(news.renewalMs);
        return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async update(_id: string, olds: RecordedCertificate, news: NodeCertificateInputs) {
        return { outs: await termsFor(olds, news) };
    },

    async read(id: string, props: RecordedCertificate) {
        // Nothing lives outside the state. An earlier release's CA (and its key) is dropped here, at a refresh.
        const { ca: _ca, trusted: _trusted, ...kept } = props;
        return { id, props: kept };
    },

    async delete() {
        // Nothing to undo: the terms exist only in the state (and in the node's Secret, deleted with it).
    },
});
