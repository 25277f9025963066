// NodeCertificate, program side: a thin dynamic resource whose provider is ./nodeCertificateProvider.ts,
// loaded by name in Pulumi's provider process. It holds a node certificate's terms, the node's key a
// secret among them, and no CA: the program signs them (./stackTls.ts).
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import type { CertificateSubject } from "./certificates";

export interface NodeCertificateArgs {
    /** What the certificate names: known once the runtime created what the node is reached at. */
    readonly subject: pulumi.Input<CertificateSubject>;
    /** @default DEFAULT_TIMEOUTS.certificateValidityMs */
    readonly validityMs?: pulumi.Input<number>;
    /** @default DEFAULT_TIMEOUTS.certificateRenewalMs */
    readonly renewalMs?: pulumi.Input<number>;
}

/** The terms of one node's certificate (key, serial, validity), stable across `up`s and renewed before expiry. */
export class NodeCertificate extends ThinDynamicResource {
    declare readonly subject: pulumi.Output<CertificateSubject>;
    /** The terms (serial, validity) as a certificate its own key signs; an earlier release's CA's (./nodeCertificateTerms.ts). */
    declare readonly cert: pulumi.Output<string>;
    declare readonly key: pulumi.Output<string>;
    declare readonly renewalMs: pulumi.Output<number>;

    constructor(name: string, args: NodeCertificateArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/tls/nodeCertificateProvider",
            "NodeCertificate",
            name,
            {
                validityMs: DEFAULT_TIMEOUTS.certificateValidityMs,
                renewalMs: DEFAULT_TIMEOUTS.certificateRenewalMs,
                ...args,
                cert: undefined,
                key: undefined,
            },
            { ...opts, additionalSecretOutputs: ["key"] },
        );
    }
}
