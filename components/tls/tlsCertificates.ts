// TlsCertificates, program side: a thin dynamic resource whose provider is ./certificatesProvider.ts,
// loaded by name in Pulumi's provider process. Every private key is a secret output.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import type { CertificateSubject } from "./certificates";

export interface TlsCertificatesArgs {
    /** Common name of the stack's CA. */
    readonly caName: pulumi.Input<string>;
    readonly nodes: pulumi.Input<CertificateSubject[]>;
    readonly client: pulumi.Input<CertificateSubject>;
    /** @default DEFAULT_TIMEOUTS.caValidityMs */
    readonly caValidityMs?: pulumi.Input<number>;
    /** @default DEFAULT_TIMEOUTS.certificateValidityMs */
    readonly validityMs?: pulumi.Input<number>;
    /** @default DEFAULT_TIMEOUTS.certificateRenewalMs */
    readonly renewalMs?: pulumi.Input<number>;
}

/** The stack's CA, a certificate per node and a client certificate, stable across `up`s and renewed before expiry. */
export class TlsCertificates extends ThinDynamicResource {
    declare readonly caCert: pulumi.Output<string>;
    declare readonly caKey: pulumi.Output<string>;
    /** The CA a renewal replaced, still trusted while valid; undefined otherwise. */
    declare readonly previousCaCert: pulumi.Output<string | undefined>;
    declare readonly nodeCerts: pulumi.Output<Record<string, string>>;
    declare readonly nodeKeys: pulumi.Output<Record<string, string>>;
    declare readonly clientCert: pulumi.Output<string>;
    declare readonly clientKey: pulumi.Output<string>;

    constructor(name: string, args: TlsCertificatesArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/tls/certificatesProvider",
            "TlsCertificates",
            name,
            {
                caValidityMs: DEFAULT_TIMEOUTS.caValidityMs,
                validityMs: DEFAULT_TIMEOUTS.certificateValidityMs,
                renewalMs: DEFAULT_TIMEOUTS.certificateRenewalMs,
                ...args,
                caCert: undefined,
                caKey: undefined,
                previousCaCert: undefined,
                nodeCerts: undefined,
                nodeKeys: undefined,
                clientCert: undefined,
                clientKey: undefined,
            },
            { ...opts, additionalSecretOutputs: ["caKey", "nodeKeys", "clientKey"] },
        );
    }
}
