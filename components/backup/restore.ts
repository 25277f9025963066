// Restore, program side: with `restoreFrom`, one per RedisStack, after its nodes are formed: its create seeds the
// new stack from the backup (./restoreBackup.ts), refused where the stack holds data; a later `up` does nothing,
// and another `restoreFrom` on a stack it seeded is refused (at preview too). Provider: ./restoreProvider.ts.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";
import type { BackupTarget } from "./takeBackup";

export interface RestoreArgs {
    /** The backup's directory (absolute). */
    readonly dir: string;
    /** The nodes, the password and the TLS client files (secret). */
    readonly target: pulumi.Input<BackupTarget>;
}

export class Restore extends ThinDynamicResource {
    declare readonly clusterKeys: pulumi.Output<number>;
    declare readonly standaloneKeys: pulumi.Output<number>;

    constructor(name: string, args: RestoreArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/backup/restoreProvider",
            "Restore",
            name,
            { ...args, target: pulumi.secret(args.target), clusterKeys: undefined, standaloneKeys: undefined, expired: undefined },
            { ...opts, additionalSecretOutputs: ["target"] },
        );
    }
}
