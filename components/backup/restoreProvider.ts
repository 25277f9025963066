// Restore's provider (loaded by module name in Pulumi's provider process). check reads the backup's manifest (at
// preview too: a directory that is not a backup is refused before anything is made); create restores; diff
// refuses another backup for a stack it seeded; delete has nothing to undo.
import { messageOf } from "../common/errorMessage";
import type * as pulumi from "@pulumi/pulumi";
import { checked, implementation } from "../providers/implementation";
import { type RestoreReport, checkedManifest, restoreBackup } from "./restoreBackup";
import type { BackupTarget } from "./takeBackup";

interface RestoreInputs {
    readonly dir: string;
    readonly target: BackupTarget;
}

class RestoreRefusal extends Error {}

export const provider: pulumi.dynamic.ResourceProvider = implementation("Restore", {
    async check(olds: Partial<RestoreInputs>, news: RestoreInputs) {
        return checked(
            news,
            async () => {
                // A stack it seeded does not need the backup any more.
                if (Object.keys(olds).length > 0) return;
                try {
                    checkedManifest(news.dir);
                } catch (err) {
                    throw new RestoreRefusal(messageOf(err));
                }
            },
            (err) => err instanceof RestoreRefusal,
        );
    },
    async create(inputs: RestoreInputs) {
        const report: RestoreReport = await restoreBackup(inputs.target, inputs.dir);
        return { id: "restore", outs: { ...inputs, ...report } };
    },
    async read(id: string, props: RestoreInputs) {
        return { id, props };
    },
    async diff(_id: string, olds: RestoreInputs & RestoreReport, news: RestoreInputs) {
        if (olds.dir !== news.dir)
            throw new Error(
                `restoreFrom: got ${news.dir}, but this stack was seeded from ${olds.dir}; a restore only seeds a new stack, so nothing was changed. ` +
                    "Set restoreFrom back, or restore into a new stack.",
            );
        // The nodes' addresses or password may change later: recorded, nothing to do.
        return { changes: JSON.stringify(olds.target) !== JSON.stringify(news.target), replaces: [], deleteBeforeReplace: false };
    },
    async update(_id: string, olds: RestoreInputs & RestoreReport, news: RestoreInputs) {
        return { outs: { ...olds, ...news } };
    },
    async delete() {
        // The keys it restored are the stack's data now: nothing of the resource's own to remove.
    },
});
