// NodeCertificate's provider, run in Pulumi's provider process and loaded there by module name
// (components/providers/): one node's key, for a node whose certificate the stack's issuer (TlsCertificates)
// signs for the key's public half alone (./certificateRequests.ts); so no node's resource holds the CA's key.
// The key is made once and kept in the state (a secret), and made again when it is as old as a certificate's
// validity less the renewal window: the issuer then issues a certificate for the new one, in the same `up`.
// State written before the issuer signed these certificates (then each NodeCertificate issued its own, the
// CA's key an input) is rewritten on the next `up`: the CA goes, the key stays, and the certificate it held is
// handed to the issuer to keep (`legacy`), so the nodes' files do not change.
import { X509Certificate } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { implementation } from "../providers/implementation";
import { type CertificateSubject, type KeyedCertificate, newNodeKey, publicKeyOf } from "./certificates";
import type { IssuedCertificate } from "./certificateRequests";

export interface NodeCertificateInputs {
    /** Names the request (the resource's name): the issuer keys the certificate by it. */
    readonly name: string;
    readonly validityMs: number;
    readonly renewalMs: number;
}

export interface NodeCertificateOutputs extends NodeCertificateInputs {
    /** Secret. */
    readonly key: string;
    /** PEM (SPKI): what the issuer certifies. */
    readonly publicKey: string;
    /** ISO time: the key is made again `renewalMs` before. */
    readonly keyNotAfter: string;
    /** The certificate this resource issued itself before the issuer did, for the issuer to keep; "" when none. */
    readonly legacy: IssuedCertificate | "";
}

/** What a NodeCertificate recorded before the issuer signed node certificates. */
export interface FormerNodeCertificate {
    /** The CA, its key included: what the rewrite takes out of the state. */
    readonly ca?: KeyedCertificate;
    readonly trusted?: string;
    readonly subject?: CertificateSubject;
    readonly cert?: string;
    readonly key?: string;
}

type Recorded = Partial<NodeCertificateOutputs> & FormerNodeCertificate;

/** When the recorded key must be made again by: as recorded, or for a former record the expiry of its certificate. */
function keyNotAfterOf(olds: Recorded): string | undefined {
    if (olds.keyNotAfter) return olds.keyNotAfter;
    return olds.cert ? new Date(new X509Certificate(olds.cert).validTo).toISOString() : undefined;
}

/** Pure: whether the node gets a new key at `now`: none yet, or the recorded one within `renewalMs` of its end. */
export function keyDue(olds: Recorded | undefined, now: Date, renewalMs: number): boolean {
    const notAfter = olds?.key ? keyNotAfterOf(olds) : undefined;
    return notAfter === undefined || new Date(notAfter).getTime() - Number(renewalMs) <= now.getTime();
}

/** The certificate a former record held, for the issuer to keep; "" when there is none (or it is new state). */
function legacyOf(olds: Recorded): IssuedCertificate | "" {
    if (olds.legacy !== undefined) return olds.legacy;
    return olds.cert && olds.subject ? { cert: olds.cert, subject: olds.subject, trusted: olds.trusted ?? "" } : "";
}

async function issue(olds: Recorded | undefined, news: NodeCertificateInputs): Promise<NodeCertificateOutputs> {
    const now = new Date();
    if (olds?.key && !keyDue(olds, now, news.renewalMs))
        return { ...news, key: olds.key, publicKey: publicKeyOf(olds.key), keyNotAfter: keyNotAfterOf(olds)!, legacy: legacyOf(olds) };
    const made = await newNodeKey();
    return { ...news, ...made, keyNotAfter: new Date(now.getTime() + Number(news.validityMs)).toISOString(), legacy: "" };
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("NodeCertificate", {
    async create(inputs: NodeCertificateInputs) {
        return { id: inputs.name, outs: await issue(undefined, inputs) };
    },

    async diff(_id: string, olds: Recorded, news: NodeCertificateInputs) {
        // A key due counts as a change: a preview shows the renewal that the next `up` makes. A former record
        // is rewritten (its CA's key leaves the state).
        const changes =
            keyDue(olds, new Date(), news.renewalMs) ||
            olds.ca !== undefined ||
            olds.publicKey === undefined ||
            Number(olds.validityMs) !== Number(news.validityMs) ||
            Number(olds.renewalMs) !== Number(news.renewalMs);
        return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async update(_id: string, olds: Recorded, news: NodeCertificateInputs) {
        return { outs: await issue(olds, news) };
    },

    async read(id: string, props: NodeCertificateOutputs) {
        // Nothing lives outside the state.
        return { id, props };
    },

    async delete() {
        // Nothing to undo: the key exists only in the state (and in the node's files, removed with it).
    },
});
