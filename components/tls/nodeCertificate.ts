// NodeCertificate, program side: a thin dynamic resource whose provider is ./nodeCertificateProvider.ts,
// loaded by name in Pulumi's provider process. It holds one node's key (a secret output) and gives its public
// key to the stack's issuer (TlsCertificates), which signs the node's certificate: the CA's key never comes here.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import type { IssuedCertificate } from "./certificateRequests";

export interface NodeCertificateArgs {
    /** Names the request: the issuer keys the node's certificate by it. */
    readonly name: pulumi.Input<string>;
    /** @default DEFAULT_TIMEOUTS.certificateValidityMs */
    readonly validityMs?: pulumi.Input<number>;
    /** @default DEFAULT_TIMEOUTS.certificateRenewalMs */
    readonly renewalMs?: pulumi.Input<number>;
}

/** One node's key, stable across `up`s and made again with its certificate's renewal; the issuer certifies its public key. */
export class NodeCertificate extends ThinDynamicResource {
    declare readonly key: pulumi.Output<string>;
    declare readonly publicKey: pulumi.Output<string>;
    /** The certificate this resource held when it issued it itself (older state), for the issuer to keep; "" when none. */
    declare readonly legacy: pulumi.Output<IssuedCertificate | "">;

    constructor(name: string, args: NodeCertificateArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/tls/nodeCertificateProvider",
            "NodeCertificate",
            name,
            {
                validityMs: DEFAULT_TIMEOUTS.certificateValidityMs,
                renewalMs: DEFAULT_TIMEOUTS.certificateRenewalMs,
                ...args,
                key: undefined,
                publicKey: undefined,
                keyNotAfter: undefined,
                legacy: undefined,
            },
            { ...opts, additionalSecretOutputs: ["key"] },
        );
    }
}
