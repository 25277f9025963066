// TlsCertificates' provider, run in Pulumi's provider process and loaded there by module name
// (components/providers/): issues the stack's CA and certificates once and keeps them in the state
// (keys as secrets), so every `up` hands the nodes the same files. A certificate is issued again only
// when what it must name changed or it expires within the renewal window: then a plain `up` updates
// this resource and the nodes whose files changed reload them live. A renewed CA is issued next to the
// old one, which stays trusted (a CA bundle) while it is valid.
import type * as pulumi from "@pulumi/pulumi";
import { canonical, implementation } from "../providers/implementation";
import { CertificateSubject, KeyedCertificate, issueCa, issueLeaf } from "./certificates";
import { renewalDue } from "./validate";

export interface CertificatesInputs {
    /** Common name of the CA. */
    readonly caName: string;
    /** One per node; the name keys its certificate. */
    readonly nodes: CertificateSubject[];
    readonly client: CertificateSubject;
    readonly caValidityMs: number;
    readonly validityMs: number;
    readonly renewalMs: number;
}

export interface CertificatesOutputs extends CertificatesInputs {
    readonly caCert: string;
    /** Secret. */
    readonly caKey: string;
    /**
     * The CA this one replaced, while it is still valid: nodes and clients trust both, so certificates
     * signed by either are accepted while the nodes reload theirs one by one. "" when there is none:
     * always recorded, since an output missing from the state is unknown in a preview (every node would
     * show an update). Absent only in state written before it existed.
     */
    readonly previousCaCert?: string;
    /** Node name -> PEM certificate. */
    readonly nodeCerts: Record<string, string>;
    /** Node name -> PEM private key. Secret. */
    readonly nodeKeys: Record<string, string>;
    readonly clientCert: string;
    /** Secret. */
    readonly clientKey: string;
}

/** What must be issued again to reach `news` from `olds` at `now`. */
export interface ReissuePlan {
    readonly ca: boolean;
    /** Names of nodes that get a new certificate. */
    readonly nodes: string[];
    readonly client: boolean;
}

/** Pure: what is issued again. A new CA means every certificate is new; otherwise only changed or expiring ones. */
export function reissuePlan(olds: CertificatesOutputs | undefined, news: CertificatesInputs, now: Date): ReissuePlan {
    const renewalMs = Number(news.renewalMs);
    const ca = !olds?.caCert || olds.caName !== news.caName || renewalDue(olds.caCert, now, renewalMs);
    const oldSubject = new Map((olds?.nodes ?? []).map((s) => [s.name, canonical(s)]));
    const nodes = news.nodes
        .filter((s) => {
            const cert = olds?.nodeCerts?.[s.name];
            return ca || !cert || !olds?.nodeKeys?.[s.name] || oldSubject.get(s.name) !== canonical(s) || renewalDue(cert, now, renewalMs);
        })
        .map((s) => s.name);
    const client =
        ca ||
        !olds?.clientCert ||
        !olds.clientKey ||
        canonical(olds.client) !== canonical(news.client) ||
        renewalDue(olds.clientCert, now, renewalMs);
    return { ca, nodes, client };
}

/** Whether a certificate is valid at `now` (a previous CA is trusted only while it is). */
const stillValid = (certPem: string, now: Date) => renewalDue(certPem, now, 0) === false;

/** Whether the plan issues anything, the recorded validity settings differ, or the previous CA expired (or is not recorded). */
function planChanges(plan: ReissuePlan, olds: CertificatesOutputs, news: CertificatesInputs, now: Date): boolean {
    const settings = (i: CertificatesInputs) =>
        canonical([Number(i.caValidityMs), Number(i.validityMs), Number(i.renewalMs), i.nodes.map((n) => n.name)]);
    // Older state has no previousCaCert yet: recorded once (same certificates), so previews know it.
    const previous = olds.previousCaCert;
    const previousChanges = previous === undefined || (previous !== "" && !stillValid(previous, now));
    return plan.ca || plan.client || plan.nodes.length > 0 || previousChanges || settings(olds) !== settings(news);
}

async function issue(olds: CertificatesOutputs | undefined, news: CertificatesInputs): Promise<CertificatesOutputs> {
    const now = new Date();
    const plan = reissuePlan(olds, news, now);
    const ca: KeyedCertificate =
        plan.ca || !olds
            ? await issueCa(news.caName, { now, validityMs: Number(news.caValidityMs) })
            : { cert: olds.caCert, key: olds.caKey };
    const times = { now, validityMs: Number(news.validityMs) };
    const reissue = new Set(plan.nodes);
    const nodeCerts: Record<string, string> = {};
    const nodeKeys: Record<string, string> = {};
    for (const subject of news.nodes) {
        const issued = reissue.has(subject.name)
            ? await issueLeaf(ca, subject, times)
            : { cert: olds!.nodeCerts[subject.name], key: olds!.nodeKeys[subject.name] };
        nodeCerts[subject.name] = issued.cert;
        nodeKeys[subject.name] = issued.key;
    }
    const client = plan.client || !olds ? await issueLeaf(ca, news.client, times) : { cert: olds.clientCert, key: olds.clientKey };
    const previous = plan.ca ? olds?.caCert : olds?.previousCaCert;
    return {
        ...news,
        caCert: ca.cert,
        caKey: ca.key,
        previousCaCert: previous && stillValid(previous, now) ? previous : "",
        nodeCerts,
        nodeKeys,
        clientCert: client.cert,
        clientKey: client.key,
    };
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("TlsCertificates", {
    async create(inputs: CertificatesInputs) {
        const outs = await issue(undefined, inputs);
        return { id: inputs.caName, outs };
    },

    async diff(_id: string, olds: CertificatesOutputs, news: CertificatesInputs) {
        // Expiry counts as a change: a preview shows the renewal that the next `up` makes.
        const now = new Date();
        return { changes: planChanges(reissuePlan(olds, news, now), olds, news, now), replaces: [], deleteBeforeReplace: false };
    },

    async update(_id: string, olds: CertificatesOutputs, news: CertificatesInputs) {
        return { outs: await issue(olds, news) };
    },

    async read(id: string, props: CertificatesOutputs) {
        // Nothing lives outside the state.
        return { id, props };
    },

    async delete() {
        // Nothing to undo: the material exists only in the state (and in the nodes' containers, removed with them).
    },
});
