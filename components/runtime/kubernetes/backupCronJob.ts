// Pure: the scheduled backups on Kubernetes (backupSchedule): a CronJob in the stack's namespace whose pod runs the
// runner once (`once`) onto a claim of its own, with the job file from a Secret. Its pod is as locked down as the
// nodes' (their user, no capability, read-only root, the default seccomp filter), reaches the nodes at their
// Services' ClusterIPs (what they announce), and runs where the nodes may (their node selector, tolerations,
// priority and pull Secrets).
import { BACKUP_JOB_DIR, BACKUP_MOUNT } from "../../backup/backupSchedule";
import { DATA_DIR } from "../../topology/topology";
import { NODE_FILE_MODE } from "../../topology/nodeUser";
import {
    COMPONENT_LABEL,
    type KubernetesPlacement,
    NODE_CONTAINER_SECURITY_CONTEXT,
    POD_SECURITY_CONTEXT,
    dataOwnerContainer,
    stackLabels,
} from "./manifests";

/** The objects' names in the stack's namespace: the CronJob, its claim and its Secret. */
export const BACKUP_OBJECTS = { cronJob: "backups", claim: "backups", secret: "backup-job" } as const;
/** The job file's key in the Secret (mounted at BACKUP_JOB_DIR: the runner reads BACKUP_JOB_FILE). */
export const BACKUP_JOB_KEY = "job.json";
/** The runner's container in the job's pod. */
export const BACKUP_CONTAINER = "backup";

/** Labels of the backup objects and the job's pods: the stack's, as component `backup`. */
export function backupLabels(placement: Pick<KubernetesPlacement, "namespace">): Record<string, string> {
    return { ...stackLabels(placement), [COMPONENT_LABEL]: "backup" };
}

/**
 * The CronJob's spec: in UTC whatever the cluster's zone; one job at a time (a slow backup makes the next time wait,
 * never two at once); a missed time is run within 5 minutes or skipped; the last three jobs kept to read their logs.
 */
export function backupCronJobSpec(
    schedule: string,
    images: { readonly runner: string; readonly node: string },
    placement: KubernetesPlacement,
) {
    const labels = backupLabels(placement);
    return {
        schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 300,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            metadata: { labels },
            spec: {
                // A failed backup is retried once; the runner itself waits for nodes that are starting.
                backoffLimit: 1,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: "Never",
                        automountServiceAccountToken: false,
                        enableServiceLinks: false,
                        securityContext: POD_SECURITY_CONTEXT,
                        ...(Object.keys(placement.nodeSelector).length > 0 ? { nodeSelector: { ...placement.nodeSelector } } : {}),
                        ...(placement.tolerations.length > 0 ? { tolerations: placement.tolerations.map((t) => ({ ...t })) } : {}),
                        ...(placement.priorityClassName !== "" ? { priorityClassName: placement.priorityClassName } : {}),
                        ...(placement.imagePullSecrets.length > 0
                            ? { imagePullSecrets: placement.imagePullSecrets.map((name) => ({ name })) }
                            : {}),
                        // Storage that ignores fsGroup leaves a new claim root's: handed to the runner's user first,
                        // with the nodes' image (the runner's holds nothing but Node).
                        initContainers: [
                            { ...dataOwnerContainer(images.node, {}), volumeMounts: [{ name: "backups", mountPath: DATA_DIR }] },
                        ],
                        containers: [
                            {
                                name: BACKUP_CONTAINER,
                                image: images.runner,
                                imagePullPolicy: "IfNotPresent",
                                args: ["once"],
                                securityContext: NODE_CONTAINER_SECURITY_CONTEXT,
                                volumeMounts: [
                                    { name: "backups", mountPath: BACKUP_MOUNT },
                                    { name: "job", mountPath: BACKUP_JOB_DIR, readOnly: true },
                                ],
                            },
                        ],
                        volumes: [
                            { name: "backups", persistentVolumeClaim: { claimName: BACKUP_OBJECTS.claim } },
                            { name: "job", secret: { secretName: BACKUP_OBJECTS.secret, defaultMode: NODE_FILE_MODE } },
                        ],
                    },
                },
            },
        },
    };
}
