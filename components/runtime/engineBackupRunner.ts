// `engine` runtime: the scheduled backups' runner (backupSchedule) as a container beside the nodes (an EngineSidecar),
// writing into the host directory the placement gives it as the user who runs Pulumi, so that the backups are theirs.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_JOB_FILE, backupJob, newestBackup } from "../backup/backupSchedule";
import { readBackupEntries } from "../backup/backupDirs";
import type { BackupRunnerContext, BackupRunnerResources } from "./backend";
import { backupRunnerCreateBody } from "./containerSpec";
import type { DockerTopology } from "./dockerPlacement";
import { EngineSidecar } from "./engine/sidecar";
import type { StackOwnerId } from "./ownership";
import { NODE_GID, NODE_UID } from "../topology/nodeUser";

/** Who runs Pulumi here (the node's user where the platform has no uids). */
function hostUser(): string {
    return `${process.getuid?.() ?? NODE_UID}:${process.getgid?.() ?? NODE_GID}`;
}

export function backupRunner(
    name: string,
    placement: DockerTopology,
    context: BackupRunnerContext,
    owner: pulumi.Output<StackOwnerId> | undefined,
    opts: pulumi.CustomResourceOptions,
): BackupRunnerResources {
    const runner = placement.backupRunner;
    if (!runner) throw new Error(`${name}: the stack's Docker placement has no backup runner (backupSchedule)`);
    const job = pulumi
        .all([context.password, context.tls])
        .apply(([password, tls]) => JSON.stringify(backupJob(context.stack, context.schedule, context.retention, runner, password, tls)));
    const container = new EngineSidecar(
        name,
        {
            body: pulumi
                .output(context.network?.name)
                .apply((networkName) =>
                    backupRunnerCreateBody(
                        runner,
                        { image: context.image, ...(networkName ? { network: { name: networkName } } : {}) },
                        hostUser(),
                    ),
                ),
            files: job.apply((content) => [{ path: BACKUP_JOB_FILE, content }]),
            imageSetting: "backupImage",
            ...(owner ? { owner } : {}),
            hostDirs: [runner.hostDir],
        },
        opts,
    );
    return {
        location: pulumi.output(runner.hostDir),
        // Read as this run finds the directory: a later backup shows at the next up, preview or refresh.
        lastBackup: container.containerId.apply(() => {
            const newest = newestBackup(readBackupEntries(runner.hostDir));
            return newest === undefined ? "" : path.join(runner.hostDir, newest);
        }),
    };
}
