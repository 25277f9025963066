// The arguments of RedisStack: the documented settings table. Each argument has the name of the program's
// `redis-stack:` config key that sets it (Pulumi.yaml declares the same keys for the program).
import type * as pulumi from "@pulumi/pulumi";
import type { DefaultUserState } from "../settings/aclUsers";
import type { AntiAffinity, ContainerRuntime, ExternalAccess, NetworkMode, NodeAccessMode, ZoneSpread } from "../settings/config";
import type { KubernetesResources } from "../settings/kubernetesResources";
import type { Toleration } from "../settings/tolerations";
import type { NetworkPeer } from "../settings/allowFrom";

export interface RedisStackArgs {
    /**
     * Masters (shards), 3-100; the 16384 slots are split evenly as `redis-cli --cluster create` does.
     * @default 3
     */
    readonly masters?: number;
    /**
     * Replicas per master, 0-5.
     * @default 1
     */
    readonly replicasPerMaster?: number;
    /**
     * Client port of cluster node 0; node i uses basePort + i.
     * @default 7000
     */
    readonly basePort?: number;
    /**
     * Cluster bus port = client port + busPortOffset; at least the node count.
     * @default 10000
     */
    readonly busPortOffset?: number;
    /**
     * Client port of the standalone node, outside the cluster's client and bus ports.
     * @default 6379
     */
    readonly standalonePort?: number;
    /**
     * Redis image of every node.
     * @default "redis:8.0.2"
     */
    readonly image?: string;
    /**
     * Docker: `bridge` (the stack's own network, ports published on its gateway) or `host` (host networking on 127.0.0.1).
     * @default "bridge"
     */
    readonly networkMode?: NetworkMode;
    /**
     * Docker, bridge mode: IPv4 network address of the stack's network, /8 to /28; its first address is the gateway.
     * @default "172.30.57.0/24"
     */
    readonly subnet?: string;
    /**
     * Docker, bridge mode: host address that ports are published on and nodes announce; empty means the network's
     * gateway, `0.0.0.0` every interface.
     * @default ""
     */
    readonly publishAddress?: string;
    /**
     * AOF persistence (`appendonly yes`).
     * @default true
     */
    readonly appendOnly?: boolean;
    /**
     * `cluster-node-timeout` in milliseconds, 500-600000.
     * @default 5000
     */
    readonly clusterNodeTimeoutMs?: number;
    /**
     * `engine` (this package's own Docker Engine API provider, rolling replacements), `docker` (@pulumi/docker) or
     * `kubernetes` (@pulumi/kubernetes). Cannot change on a running stack.
     * @default "engine"
     */
    readonly runtime?: ContainerRuntime;
    /**
     * Export a `redis-cli --cluster check` report (needs the @pulumi/command plugin and the docker CLI).
     * @default true with runtime docker, else false
     */
    readonly clusterCheck?: boolean;
    /**
     * Keep the data volumes (claims on Kubernetes) when destroy, or a scale-in, deletes their nodes.
     * @default false
     */
    readonly retainData?: boolean;
    /**
     * TLS on every node (clients, cluster bus, replication), with certificates the stack issues, or from `tlsCaCert`
     * and `tlsCaKey`, or `tlsCert` and `tlsKey`; TLS takes the client ports.
     * @default false
     */
    readonly tls?: boolean;
    /**
     * With `tls`, keep a plain-text port too, at the client port + 2 x busPortOffset.
     * @default false
     */
    readonly tlsPlainPort?: boolean;
    /**
     * Kubernetes: the namespace the stack creates and owns (a DNS-1123 label).
     * @default the name prefix, as a DNS-1123 label
     */
    readonly namespace?: string;
    /**
     * Kubernetes: path of the kubeconfig file; empty means the ambient one (KUBECONFIG, else ~/.kube/config).
     * @default ""
     */
    readonly kubeconfig?: string;
    /**
     * Kubernetes: StorageClass of each node's data claim; empty means the cluster's default class.
     * @default ""
     */
    readonly storageClass?: string;
    /**
     * Kubernetes: size of each node's data claim, a Kubernetes quantity.
     * @default "1Gi"
     */
    readonly storageSize?: string;
    /**
     * Kubernetes: `preferred` (soft) or `required` pod anti-affinity between the members of a shard.
     * @default "preferred"
     */
    readonly antiAffinity?: AntiAffinity;
    /**
     * Kubernetes: how the stack reaches its nodes from where Pulumi runs: `direct` (their Services' ClusterIPs) or
     * `portForward` (through the API server).
     * @default "direct"
     */
    readonly access?: NodeAccessMode;
    /**
     * Kubernetes: CPU and memory requests and limits of every node's pod.
     * @default {}
     */
    readonly resources?: KubernetesResources;
    /**
     * Kubernetes: extra labels of every node's pod; not the stack's own (`app.kubernetes.io/name`, `instance`,
     * `component`, `redis-stack/...`). A change replaces the pods one at a time, failover first.
     * @default {}
     */
    readonly podLabels?: Record<string, string>;
    /**
     * Kubernetes: extra annotations of every node's pod; not under `redis-stack/`. A change replaces the pods one at a
     * time, failover first.
     * @default {}
     */
    readonly podAnnotations?: Record<string, string>;
    /**
     * Kubernetes: labels a Kubernetes node must have to run the stack's pods (the pods' `nodeSelector`).
     * @default {}
     */
    readonly nodeSelector?: Record<string, string>;
    /**
     * Kubernetes: taints of Kubernetes nodes that every node's pod tolerates (Kubernetes Tolerations).
     * @default []
     */
    readonly tolerations?: Toleration[];
    /**
     * Kubernetes: spread each shard's members (a master and its replicas) across zones (`topology.kubernetes.io/zone`):
     * `none`, `preferred` (ScheduleAnyway) or `required` (DoNotSchedule: a pod waits for a node in a zone its shard lacks).
     * @default "none"
     */
    readonly zoneSpread?: ZoneSpread;
    /**
     * Kubernetes: the PriorityClass of every node's pod (it must exist); empty means the cluster's default priority.
     * @default ""
     */
    readonly priorityClassName?: string;
    /**
     * Kubernetes: names of Secrets in the stack's namespace that the nodes' image is pulled with.
     * @default []
     */
    readonly imagePullSecrets?: string[];
    /**
     * Kubernetes: a NetworkPolicy for the stack's pods: the cluster bus ports only from the stack's own pods, the
     * client ports only from pods of the stack's namespace and the peers of `allowFrom`. It takes effect where the
     * cluster runs a NetworkPolicy controller.
     * @default true
     */
    readonly networkPolicy?: boolean;
    /**
     * Kubernetes: who else may reach the client ports under the NetworkPolicy: peers with `namespaceSelector`
     * and/or `podSelector` (label maps), or a `cidr` alone.
     * @default []
     */
    readonly allowFrom?: NetworkPeer[];
    /**
     * Kubernetes: `nodePort` gives every node a NodePort Service at its client port (so the client ports must lie in the
     * cluster's NodePort range: unset or left at 7000 and 6379, basePort is 31000 and standalonePort 31379) and has the cluster nodes announce
     * `externalHost` in MOVED redirects, so that clients outside the cluster follow them. `loadBalancer` gives every node
     * a LoadBalancer Service at its client port instead, and each cluster node announces its own load balancer's address
     * (the cluster must have a load balancer controller: a cloud's, MetalLB...). Needs a password.
     * @default "none"
     */
    readonly externalAccess?: ExternalAccess;
    /**
     * Kubernetes, with `externalAccess` `nodePort`: the address (an IPv4 address or a DNS name) clients outside the cluster reach
     * the Kubernetes nodes' NodePorts at.
     * @default ""
     */
    readonly externalHost?: string;
    /**
     * Kubernetes, with `externalAccess` `loadBalancer`: the address ranges its load balancers admit (the Services'
     * `loadBalancerSourceRanges`), such as `["203.0.113.0/24"]`; empty means every address.
     * @default []
     */
    readonly loadBalancerSourceRanges?: string[];
    /**
     * Kubernetes, with `externalAccess` `loadBalancer`: annotations of the load balancers' Services, as the cluster's load
     * balancer controller reads them, such as `{"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}` for an
     * internal one.
     * @default {}
     */
    readonly loadBalancerAnnotations?: Record<string, string>;
    /**
     * Redis settings for every node (`maxmemory`, `maxmemory-policy`, ...); the settings the stack owns are refused.
     * @default {}
     */
    readonly redisConfig?: Record<string, string>;
    /**
     * Memory limit of each node's container, Docker syntax (`512m`); empty means none.
     * @default ""
     */
    readonly memoryLimit?: string;
    /**
     * CPU limit of each node's container in CPUs (`1.5`); empty means none.
     * @default ""
     */
    readonly cpuLimit?: string;
    /**
     * The Redis server program in the image (a name on its PATH or an absolute path), e.g. `valkey-server`.
     * @default "redis-server"
     */
    readonly serverCommand?: string;
    /**
     * The Redis CLI program in the image that health checks and probes run, e.g. `valkey-cli`.
     * @default "redis-cli"
     */
    readonly cliCommand?: string;
    /**
     * A Prometheus exporter (oliver006/redis_exporter) beside every node: a container on Docker, a sidecar in the pod on
     * Kubernetes. It scrapes its node as an ACL user of its own that can read counters and no data; `metricsTargets`
     * lists where to scrape.
     * @default false
     */
    readonly metrics?: boolean;
    /**
     * With `metrics`: the standalone node's exporter port; cluster node i's is metricsPort + 1 + i (9122, 9123, ...).
     * @default 9121
     */
    readonly metricsPort?: number;
    /**
     * With `metrics`: the exporter's image (redis_exporter's flags and metric names).
     * @default "oliver006/redis_exporter:v1.97.0"
     */
    readonly metricsImage?: string;
    /**
     * Kubernetes, with `metrics`: a Prometheus Operator `ServiceMonitor` in the stack's namespace that selects every node's
     * Service at its `metrics` port. The cluster must have the `monitoring.coreos.com/v1` ServiceMonitor resource (the
     * preflight refuses it otherwise).
     * @default false
     */
    readonly metricsServiceMonitor?: boolean;
    /**
     * `destroy` first takes a backup of the stack (every master's RDB, the standalone node's and a manifest, as
     * `npm run backup` does) into a new directory under `backupDir`; a backup that fails stops the destroy with nothing
     * deleted. On Kubernetes it needs `access: direct`.
     * @default false
     */
    readonly finalBackup?: boolean;
    /**
     * Where backups go (relative to the program's directory); empty: `.redis-stack/backups/<name prefix>`.
     * @default ""
     */
    readonly backupDir?: string;
    /**
     * A backup's directory (`npm run backup`, `finalBackup`) to seed this new stack from: every key of every master goes in
     * by its slot (so the stack may have another number of masters), values and TTLs kept, and the standalone node's
     * file into the standalone node. Refused where the stack already holds data; on Kubernetes it needs `access: direct`.
     * @default ""
     */
    readonly restoreFrom?: string;
    /**
     * Scheduled backups: five cron fields (minute hour day-of-month month day-of-week) or a macro such as `@daily`, in
     * UTC. A runner that lives with the stack takes a backup (as `npm run backup` does, as its own read-only ACL user
     * `redis-stack-backup`) at each time: on Docker a container writing under `<backupDir>/scheduled`, on Kubernetes a
     * CronJob writing onto a claim of its own. The output `scheduledBackups` says where they go and the last one taken.
     * @default none
     */
    readonly backupSchedule?: string;
    /**
     * With `backupSchedule`: how many scheduled backups are kept; after each one the oldest beyond it are removed
     * (backups taken by `npm run backup` or `finalBackup` are not counted or touched).
     * @default 7
     */
    readonly backupRetention?: number;
    /**
     * With `backupSchedule`: the runner's image. The project publishes none: `npm run setup` builds one
     * (scripts/lib/backup-image.sh) and records it as this machine's default; elsewhere push that image to a
     * registry the cluster pulls from and name it here.
     * @default this machine's build
     */
    readonly backupImage?: string;
    /**
     * Kubernetes, with `backupSchedule`: the size of the claim the scheduled backups go to (about `backupRetention`
     * times the data's RDB size).
     * @default "1Gi"
     */
    readonly backupStorageSize?: string;
    /**
     * Password of every node, 8-512 printable characters without spaces or quotes. Kept a secret.
     * @default none
     */
    readonly password?: pulumi.Input<string>;
    /**
     * ACL users of every node: user name -> ACL rules (`"~app:* +@read +@write"`), without password rules: each
     * user's password is generated and given in the `redisUsers` output (a secret).
     * @default {}
     */
    readonly users?: Record<string, string>;
    /**
     * `off` disables Redis's default user (AUTH with the password alone) on every node; only with a password and at
     * least one user.
     * @default "on"
     */
    readonly defaultUser?: DefaultUserState;
    /**
     * With `tls`: the PEM CA certificate (or bundle) that signed `tlsCert`, or whose key is `tlsCaKey`.
     * @default the stack issues its own CA
     */
    readonly tlsCaCert?: string;
    /**
     * With `tls`: the PEM private key of `tlsCaCert` (ECDSA P-256/P-384 or RSA): the stack issues every node's
     * certificate from it. Kept a secret.
     * @default none
     */
    readonly tlsCaKey?: pulumi.Input<string>;
    /**
     * With `tls` (Docker runtimes): the PEM certificate every node serves.
     * @default none
     */
    readonly tlsCert?: string;
    /**
     * With `tls`: the PEM private key of `tlsCert`. Kept a secret.
     * @default none
     */
    readonly tlsKey?: pulumi.Input<string>;
    /**
     * With `tls`: the PEM client certificate the stack gives services.
     * @default `tlsCert`, or one the stack issues
     */
    readonly tlsClientCert?: string;
    /**
     * With `tls`: the PEM private key of `tlsClientCert`. Kept a secret.
     * @default `tlsKey`
     */
    readonly tlsClientKey?: pulumi.Input<string>;
    /**
     * The prefix of every container, volume and network name, and of the default Kubernetes namespace. Two
     * RedisStacks of one program must differ in it. A RedisStack whose prefix is `<project>-<stack>` takes over the
     * resources of a stack that this project's program made before RedisStack existed.
     * @default "<project>-<stack>-<name>"
     */
    readonly namePrefix?: string;
    /**
     * Start with new data on purpose: a change that moves where the data lives (another namePrefix, as a renamed stack
     * gives; another namespace, storage class or runtime) replaces the volumes or claims, deleting their data, instead
     * of being refused. Set it for that one up, then unset it.
     * @default false
     */
    readonly allowDataReplacement?: boolean;
    /**
     * Docker: the owner id a stack that has none yet (its first up, or the first after a `destroy`) takes, instead of a
     * new random one. Every container, volume and network the stack makes carries its owner id (label
     * `redis-stack.owner`), and the stack adopts, replaces or removes only objects with its own. Set it to the id
     * that objects of this stack carry when its state no longer has it: volumes kept through `destroy` by
     * `retainData`, or a lost state.
     * @default a random id, made at the stack's first up and kept in its state
     */
    readonly ownerId?: string;
}

/** The secret arguments: never in a message, wrapped as secrets before any resource sees them. */
export const SECRET_ARGS = ["password", "tlsCaKey", "tlsKey", "tlsClientKey"] as const;
