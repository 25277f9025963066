// FinalBackup's provider (loaded by module name in Pulumi's provider process): nothing to do until it is deleted,
// which `destroy` does before it deletes the nodes; then, when enabled, the stack's last backup.
import type * as pulumi from "@pulumi/pulumi";
import { messageOf } from "../common/errorMessage";
import { canonical, implementation } from "../providers/implementation";
import { type BackupTarget, takeBackup } from "./takeBackup";

interface FinalBackupInputs {
    readonly enabled: boolean;
    readonly dir: string;
    readonly target: BackupTarget;
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("FinalBackup", {
    async create(inputs: FinalBackupInputs) {
        return { id: "final-backup", outs: inputs };
    },
    async read(id: string, props: FinalBackupInputs) {
        return { id, props };
    },
    async diff(_id: string, olds: FinalBackupInputs, news: FinalBackupInputs) {
        return { changes: canonical(olds) !== canonical(news), replaces: [], deleteBeforeReplace: false };
    },
    async update(_id: string, _olds: FinalBackupInputs, news: FinalBackupInputs) {
        return { outs: news };
    },
    async delete(_id: string, props: FinalBackupInputs) {
        if (!props.enabled) return;
        try {
            await takeBackup(props.target, props.dir);
        } catch (err) {
            // eslint-disable-next-line preserve-caught-error -- the message says what failed and what to do; nothing was deleted
            throw new Error(
                `finalBackup: the last backup before the stack's data goes failed, so nothing was deleted: ${messageOf(err)}. ` +
                    "Fix what stopped it and run destroy again, or set finalBackup false (pulumi config set redis-stack:finalBackup false), up, then destroy.",
            );
        }
    },
});
