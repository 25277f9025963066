// ServedCertificate, program side: a thin dynamic resource whose provider is
// ./servedCertificateProvider.ts, loaded by name in Pulumi's provider process: the certificate a node
// serves, kept through the first step of a CA renewal. It gets the certificate the program signed, never a key.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";

export interface ServedCertificateArgs {
    /** The node's terms as the program signed them this run. */
    readonly candidate: pulumi.Input<string>;
    /** The certificate an earlier release issued for the same terms, if any. */
    readonly carried: pulumi.Input<string | undefined>;
    /** The CA that signed `candidate`. */
    readonly caCert: pulumi.Input<string>;
    /** The CA bundle the node trusts with it (PEM). */
    readonly trusted: pulumi.Input<string>;
    readonly renewalMs: pulumi.Input<number>;
}

export class ServedCertificate extends ThinDynamicResource {
    declare readonly cert: pulumi.Output<string>;

    constructor(name: string, args: ServedCertificateArgs, opts: pulumi.CustomResourceOptions = {}) {
        super("redis-stack/components/tls/servedCertificateProvider", "ServedCertificate", name, { ...args, cert: undefined }, opts);
    }
}
