// TlsCertificates, program side: a thin dynamic resource whose provider is ./certificatesProvider.ts,
// loaded by name in Pulumi's provider process: the stack's issuer, the one resource that holds a CA's key
// (its own CA's as a secret output, a supplied one's as a secret input). Every private key is a secret.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import type { CertificateSubject, KeyedCertificate } from "./certificates";
import type { CertificateRequest } from "./certificateRequests";

export interface TlsCertificatesArgs {
    /** Common name of the stack's CA. */
    readonly caName: pulumi.Input<string>;
    /** The nodes placed beforehand: issued here with their keys. */
    readonly nodes: pulumi.Input<CertificateSubject[]>;
    /** Absent where clients get their certificate otherwise (a request, or supplied). */
    readonly client?: pulumi.Input<CertificateSubject>;
    /** A CA the user supplied, which signs instead of one of the stack's own (pass a secret). */
    readonly signer?: pulumi.Input<KeyedCertificate>;
    /** With `signer`: the CA bundle the nodes trust. */
    readonly trusted?: pulumi.Input<string>;
    /**
     * Certificates for keys the nodes' NodeCertificates hold; may be a promise, settled once every node is
     * declared (undefined: none).
     */
    readonly requests?: pulumi.Input<pulumi.Input<CertificateRequest>[] | undefined>;
    /** @default DEFAULT_TIMEOUTS.caValidityMs */
    readonly caValidityMs?: pulumi.Input<number>;
    /** @default DEFAULT_TIMEOUTS.certificateValidityMs */
    readonly validityMs?: pulumi.Input<number>;
    /** @default DEFAULT_TIMEOUTS.certificateRenewalMs */
    readonly renewalMs?: pulumi.Input<number>;
}

/**
 * The stack's CA (or the supplied one), a certificate per node and a client certificate, stable across `up`s
 * and renewed before expiry.
 */
export class TlsCertificates extends ThinDynamicResource {
    /** The stack's own CA ("" with a `signer`). */
    declare readonly caCert: pulumi.Output<string>;
    declare readonly caKey: pulumi.Output<string | undefined>;
    /** The CA a renewal replaced, still trusted while valid; undefined otherwise. */
    declare readonly previousCaCert: pulumi.Output<string | undefined>;
    declare readonly nodeCerts: pulumi.Output<Record<string, string>>;
    declare readonly nodeKeys: pulumi.Output<Record<string, string>>;
    declare readonly clientCert: pulumi.Output<string>;
    declare readonly clientKey: pulumi.Output<string>;
    /** Request name -> certificate (see `requests`). */
    declare readonly requestCerts: pulumi.Output<Record<string, string>>;

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
                ...(args.signer !== undefined ? { signer: pulumi.secret(args.signer) } : {}),
                caCert: undefined,
                caKey: undefined,
                previousCaCert: undefined,
                nodeCerts: undefined,
                nodeKeys: undefined,
                clientCert: undefined,
                clientKey: undefined,
                requestCerts: undefined,
                requestsTrusted: undefined,
            },
            { ...opts, additionalSecretOutputs: ["caKey", "nodeKeys", "clientKey"] },
        );
    }
}
