// UserPassword, program side: the generated password of one ACL user, a thin dynamic resource whose
// provider is ./userPasswordProvider.ts. The password and its hash are secrets in the state and outputs.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "./dynamicResource";

export class UserPassword extends ThinDynamicResource {
    /** The password (secret); made once, stable across ups. */
    declare readonly password: pulumi.Output<string>;
    /** Its SHA-256, hex (secret): what the nodes are given. */
    declare readonly passwordHash: pulumi.Output<string>;

    constructor(name: string, args: { user: string }, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/providers/userPasswordProvider",
            "UserPassword",
            name,
            { user: args.user, password: undefined, passwordHash: undefined },
            { ...opts, additionalSecretOutputs: ["password", "passwordHash"] },
        );
    }
}
