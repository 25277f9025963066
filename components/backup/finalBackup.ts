// FinalBackup, program side: one per RedisStack, after its nodes, so that `destroy` deletes it first, while the
// nodes still run: with `finalBackup` on, its delete takes a backup of the stack (./takeBackup.ts) before
// anything else goes, and a backup that fails stops the destroy with nothing deleted. It is always declared (off,
// it does nothing), so that turning the setting off is an update, not a delete that would take a backup.
// Provider: ./finalBackupProvider.ts.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";
import type { BackupTarget } from "./takeBackup";

export interface FinalBackupArgs {
    readonly enabled: boolean;
    /** Where the backup's directory is made (absolute). */
    readonly dir: string;
    /** The nodes, the password and the TLS client files (secret). */
    readonly target: pulumi.Input<BackupTarget>;
}

export class FinalBackup extends ThinDynamicResource {
    constructor(name: string, args: FinalBackupArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/backup/finalBackupProvider",
            "FinalBackup",
            name,
            { ...args, target: pulumi.secret(args.target) },
            { ...opts, additionalSecretOutputs: ["target"] },
        );
    }
}
