// `kubernetes` runtime: the scheduled backups (backupSchedule) as a CronJob in the stack's namespace
// (./backupCronJob.ts), its claim, and the Secret with the runner's job file, which names every node at its
// Service's ClusterIP. A change of nodes (scaling) updates the Secret; the next job reads it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { backupJob } from "../../backup/backupSchedule";
import { messageOf } from "../../common/errorMessage";
import type { StackNode } from "../../backup/takeBackup";
import type { BackupRunnerContext, BackupRunnerResources, NamedEndpoint } from "../backend";
import { BACKUP_JOB_KEY, BACKUP_OBJECTS, backupCronJobSpec, backupLabels } from "./backupCronJob";
import { kubeConnection, kubeRequest } from "./kubeApi";
import { SKIP_AWAIT, claimSpec } from "./manifests";
import type { KubernetesTarget } from "./target";

/** A node as a pod in the cluster reaches it: at what it announces, its Service's ClusterIP. */
const inCluster = ({ name, endpoint }: NamedEndpoint): StackNode => ({
    name,
    announced: `${endpoint.announceHost}:${endpoint.announcePort}`,
    host: endpoint.announceHost,
    port: endpoint.announcePort,
});

/** When the CronJob's last job succeeded, as the API server says now; empty: none yet. */
async function lastSuccess(kubeconfig: string, namespace: string): Promise<string> {
    const cronJob = (await kubeRequest(
        kubeConnection(kubeconfig),
        "GET",
        `/apis/batch/v1/namespaces/${namespace}/cronjobs/${BACKUP_OBJECTS.cronJob}`,
    )) as { status?: { lastSuccessfulTime?: string } } | undefined;
    return cronJob?.status?.lastSuccessfulTime ?? "";
}

export function kubernetesBackupRunner(
    name: string,
    target: KubernetesTarget,
    context: BackupRunnerContext,
    opts: pulumi.CustomResourceOptions,
): BackupRunnerResources {
    const { provider, placement } = target;
    const labels = backupLabels(placement);
    const claim = new k8s.core.v1.PersistentVolumeClaim(
        `${name}-claim`,
        {
            // Bound when the first job's pod is scheduled (WaitForFirstConsumer): do not wait for that here.
            metadata: { name: BACKUP_OBJECTS.claim, namespace: target.namespace, labels, annotations: SKIP_AWAIT },
            spec: claimSpec(placement, context.storageSize),
        },
        { ...opts, provider, retainOnDelete: context.retainData },
    );
    const job = pulumi
        .all([context.nodes, context.password, context.tls])
        .apply(([nodes, password, tls]) =>
            JSON.stringify(
                backupJob(
                    context.stack,
                    context.schedule,
                    context.retention,
                    { clusterNodes: nodes.clusterNodes.map(inCluster), standalone: inCluster(nodes.standalone) },
                    password,
                    tls,
                ),
            ),
        );
    const secret = new k8s.core.v1.Secret(
        `${name}-job`,
        {
            metadata: { name: BACKUP_OBJECTS.secret, namespace: target.namespace, labels },
            type: "Opaque",
            stringData: { [BACKUP_JOB_KEY]: pulumi.secret(job) },
        },
        { ...opts, provider },
    );
    const cronJob = new k8s.batch.v1.CronJob(
        name,
        {
            metadata: { name: BACKUP_OBJECTS.cronJob, namespace: target.namespace, labels },
            spec: backupCronJobSpec(context.schedule, { runner: context.image, node: context.nodeImage }, placement),
        },
        { ...opts, provider, dependsOn: [claim, secret] },
    );
    return {
        location: pulumi.interpolate`persistentvolumeclaim/${claim.metadata.name} in namespace ${target.namespace}`,
        // Read as this run finds the CronJob: a later backup shows at the next up, preview or refresh.
        // A read that fails leaves it empty with a warning: the stack itself is up.
        lastBackup: pulumi.all([target.namespace, cronJob.metadata.name]).apply(([namespace]) =>
            lastSuccess(target.kubeconfig, namespace).catch((err: unknown) => {
                void pulumi.log.warn(`lastBackup: the CronJob's status could not be read (${messageOf(err)})`, cronJob);
                return "";
            }),
        ),
    };
}
