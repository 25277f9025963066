// NodeCertificate, program side: a thin dynamic resource whose provider is ./nodeCertificateProvider.ts,
// loaded by name in Pulumi's provider process. The CA's key goes in as a secret, the node's key comes out as one.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import type { CertificateSubject, KeyedCertificate } from "./certificates";

export interface NodeCertificateArgs {
    /** The stack's CA (pass its key as a secret). */
    readonly ca: pulumi.Input<KeyedCertificate>;
    /** The CA bundle the node trusts with it (PEM). */
    readonly trusted: pulumi.Input<string>;
    /** What the certificate names: known once the runtime created what the node is reached at. */
    readonly subject: pulumi.Input<CertificateSubject>;
    /** @default DEFAULT_TIMEOUTS.certificateValidityMs */
    readonly validityMs?: pulumi.Input<number>;
    /** @default DEFAULT_TIMEOUTS.certificateRenewalMs */
    readonly renewalMs?: pulumi.Input<number>;
}

/** One node's certificate, signed by the stack's CA, stable across `up`s and renewed before expiry. */
export class NodeCertificate extends ThinDynamicResource {
    declare readonly cert: pulumi.Output<string>;
    declare readonly key: pulumi.Output<string>;

    constructor(name: string, args: NodeCertificateArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/tls/nodeCertificateProvider",
            "NodeCertificate",
            name,
            {
                validityMs: DEFAULT_TIMEOUTS.certificateValidityMs,
                renewalMs: DEFAULT_TIMEOUTS.certificateRenewalMs,
                ...args,
                ca: pulumi.secret(args.ca),
                cert: undefined,
                key: undefined,
            },
            { ...opts, additionalSecretOutputs: ["ca", "key"] },
        );
    }
}
