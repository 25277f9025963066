// Typed, validated stack settings with defaults. Pure: no Pulumi, no I/O, so every rule is unit-tested
// directly and runs before any resource is declared.
import projectDefaults from "./defaults.json";
import { tlsPortProblems } from "./tlsPorts";
import { metricsPortProblems } from "./metricsPorts";
import { SUPPLIED_TLS_KEYS } from "./suppliedTls";
import { parseLimits } from "./nodeLimits";
import { KubernetesResources, parseResources } from "./kubernetesResources";
import { RedisSettings, parseRedisSettings } from "./redisSettings";
import { IPV4, networkAddress } from "./networkAddresses";
import { SettingReader } from "./settingReader";
import { DNS_LABEL, DNS_SUBDOMAIN } from "./kubernetesNames";
import { TextMap, parseTextMap } from "./podMetadata";
import { Toleration, parseTolerations } from "./tolerations";
import { parsePullSecrets } from "./pullSecrets";
import { NetworkPeer, parseAllowFrom } from "./allowFrom";
import { BACKUP_MACROS, scheduleProblem } from "./cronSchedule";
import { parseSourceRanges } from "./loadBalancer";

// The settings that take one of a few words are objects `as const` with a type of their values: the shape in
// which Pulumi's schema analyzer reads a union of strings, as an enum of the component package's schema.
export const NetworkMode = { Bridge: "bridge", Host: "host" } as const;
export type NetworkMode = (typeof NetworkMode)[keyof typeof NetworkMode];
export const ContainerRuntime = { Docker: "docker", Engine: "engine", Kubernetes: "kubernetes" } as const;
export type ContainerRuntime = (typeof ContainerRuntime)[keyof typeof ContainerRuntime];
/** How strictly a replica's pod keeps off the Kubernetes node of its shard's other members. */
export const AntiAffinity = { Preferred: "preferred", Required: "required" } as const;
export type AntiAffinity = (typeof AntiAffinity)[keyof typeof AntiAffinity];
/** How the stack's own code reaches the nodes on Kubernetes: at their ClusterIPs, or through the API server. */
export const NodeAccessMode = { Direct: "direct", PortForward: "portForward" } as const;
export type NodeAccessMode = (typeof NodeAccessMode)[keyof typeof NodeAccessMode];
/** Whether each shard's members are spread across zones (`topology.kubernetes.io/zone`) on Kubernetes, and how strictly. */
export const ZoneSpread = { None: "none", Preferred: "preferred", Required: "required" } as const;
export type ZoneSpread = (typeof ZoneSpread)[keyof typeof ZoneSpread];
/** Whether clients outside the Kubernetes cluster reach the nodes: `none`, or through a NodePort or LoadBalancer Service per node. */
export const ExternalAccess = { None: "none", NodePort: "nodePort", LoadBalancer: "loadBalancer" } as const;
export type ExternalAccess = (typeof ExternalAccess)[keyof typeof ExternalAccess];

export interface Settings {
    /** Number of master nodes (shards); each owns an even share of the 16384 slots. */
    readonly masters: number;
    /** Replicas attached to every master. */
    readonly replicasPerMaster: number;
    /** Client port of node 0; node i listens on basePort + i. */
    readonly basePort: number;
    /** Cluster bus port = client port + busPortOffset. */
    readonly busPortOffset: number;
    /** Client port of the standalone (cluster mode off) node. */
    readonly standalonePort: number;
    /** Redis image for every node. */
    readonly image: string;
    /** `bridge`: a dedicated network with published ports; `host`: host networking on 127.0.0.1. */
    readonly networkMode: NetworkMode;
    /** IPv4 subnet of the stack's bridge network (its first address is the gateway). */
    readonly subnet: string;
    /** Host address that client and bus ports are published on and that nodes announce (bridge mode). */
    readonly publishAddress: string;
    /** AOF persistence (`appendonly yes`); data and nodes.conf live on a named volume either way. */
    readonly appendOnly: boolean;
    /** `cluster-node-timeout` in milliseconds: how long a node may be unreachable before failover. */
    readonly clusterNodeTimeoutMs: number;
    /** How node specs become containers: `@pulumi/docker` resources or the built-in Docker Engine API provider. */
    readonly runtime: ContainerRuntime;
    /** Export a `redis-cli --cluster check` report (runs through @pulumi/command and the docker CLI). */
    readonly clusterCheck: boolean;
    /** Keep the data volumes when their nodes' resources are deleted (`destroy`, scale-in): Pulumi's retainOnDelete. */
    readonly retainData: boolean;
    /** TLS on every node: client connections, the cluster bus and replication (components/tls/). */
    readonly tls: boolean;
    /** With `tls`: keep a plain-text port too, at the client port + 2 x busPortOffset. */
    readonly tlsPlainPort: boolean;
    /** Kubernetes: the namespace the stack creates and owns; empty: derived from the project and stack names. */
    readonly namespace: string;
    /** Kubernetes: path of the kubeconfig file; empty: the ambient one (KUBECONFIG, else ~/.kube/config, current context). */
    readonly kubeconfig: string;
    /** Kubernetes: StorageClass of the nodes' data claims; empty: the cluster's default class. */
    readonly storageClass: string;
    /** Kubernetes: size of each node's data claim (a Kubernetes quantity). */
    readonly storageSize: string;
    /** Kubernetes: `preferred` (soft) or `required` pod anti-affinity between the members of a shard. */
    readonly antiAffinity: AntiAffinity;
    /** Kubernetes: `direct` (the nodes' ClusterIPs are routable from where Pulumi runs) or `portForward` (through the API server). */
    readonly access: NodeAccessMode;
    /** Kubernetes: CPU and memory requests and limits of every node's pod (memoryLimit/cpuLimit folded in as limits). */
    readonly resources: KubernetesResources;
    /** Kubernetes: extra labels of every node's pod (not the stack's own selection labels). */
    readonly podLabels: TextMap;
    /** Kubernetes: extra annotations of every node's pod. */
    readonly podAnnotations: TextMap;
    /** Kubernetes: labels a Kubernetes node must have to run the stack's pods (the pod spec's nodeSelector). */
    readonly nodeSelector: TextMap;
    /** Kubernetes: taints every node's pod tolerates. */
    readonly tolerations: readonly Toleration[];
    /** Kubernetes: spread each shard's members across zones: `none`, `preferred` (ScheduleAnyway) or `required` (DoNotSchedule). */
    readonly zoneSpread: ZoneSpread;
    /** Kubernetes: the PriorityClass of every node's pod; empty: the cluster's default priority. */
    readonly priorityClassName: string;
    /** Kubernetes: Secrets in the stack's namespace that images are pulled with. */
    readonly imagePullSecrets: readonly string[];
    /** Kubernetes: a NetworkPolicy that lets only the stack's own pods reach the bus ports, and only allowed peers the client ports. */
    readonly networkPolicy: boolean;
    /** Kubernetes: with networkPolicy, who besides the pods of the stack's namespace may reach the client ports. */
    readonly allowFrom: readonly NetworkPeer[];
    /**
     * Kubernetes: `nodePort` gives every node a NodePort Service at its client port, announced at `externalHost` for MOVED
     * redirects; `loadBalancer` a LoadBalancer Service, each node announcing its own load balancer's address.
     */
    readonly externalAccess: ExternalAccess;
    /** Kubernetes, with externalAccess nodePort: the address (IPv4 or DNS name) clients outside the cluster reach its nodes' NodePorts at. */
    readonly externalHost: string;
    /** Kubernetes, with externalAccess loadBalancer: the address ranges the load balancers admit; empty: every address. */
    readonly loadBalancerSourceRanges: readonly string[];
    /** Kubernetes, with externalAccess loadBalancer: annotations of the load balancers' Services (an internal load balancer...). */
    readonly loadBalancerAnnotations: TextMap;
    /** Redis settings passed through to every node (redisSettings.ts: validated, the stack's own refused). */
    readonly redisConfig: RedisSettings;
    /** Memory limit of each node's container, Docker syntax (`512m`); "" for none. */
    readonly memoryLimit: string;
    /** CPU limit of each node's container in CPUs (`1.5`); "" for none. */
    readonly cpuLimit: string;
    /** The Redis server program the containers start (on the image's PATH, or a path). */
    readonly serverCommand: string;
    /** The Redis CLI program the health checks run in the containers. */
    readonly cliCommand: string;
    /** A Prometheus exporter (redis_exporter) beside every node, scraping it as its own read-only ACL user. */
    readonly metrics: boolean;
    /** With metrics: the standalone node's exporter port; cluster node i's is metricsPort + 1 + i (metricsPorts.ts). */
    readonly metricsPort: number;
    /** With metrics: the exporter's image. */
    readonly metricsImage: string;
    /** Kubernetes, with metrics: a Prometheus Operator ServiceMonitor for the nodes' Services (the cluster must have its CRD). */
    readonly metricsServiceMonitor: boolean;
    /** `destroy` takes a backup of the stack (every master's RDB, the standalone node's, a manifest) before its data goes. */
    readonly finalBackup: boolean;
    /** Where backups go (a directory; relative to the program's directory); empty: `.redis-stack/backups/<name prefix>`. */
    readonly backupDir: string;
    /** A backup's directory to seed the new stack from (any number of masters); empty: none. */
    readonly restoreFrom: string;
    /** When scheduled backups are taken: five cron fields or a macro, UTC (../backup/backupSchedule.ts); empty: none. */
    readonly backupSchedule: string;
    /** With backupSchedule: how many scheduled backups are kept (the oldest go). */
    readonly backupRetention: number;
    /** With backupSchedule: the runner's image (scripts/lib/backup-image.sh builds it); empty: this machine's build. */
    readonly backupImage: string;
    /** Kubernetes, with backupSchedule: the size of the claim the scheduled backups go to. */
    readonly backupStorageSize: string;
}

/** The raw config values as strings (as Pulumi config and environment variables give them). */
export type RawSettings = { readonly [K in keyof Settings]?: string };

export const NETWORK_MODES: readonly NetworkMode[] = ["bridge", "host"];
export const RUNTIMES: readonly ContainerRuntime[] = ["docker", "engine", "kubernetes"];
export const ANTI_AFFINITIES: readonly AntiAffinity[] = ["preferred", "required"];
export const NODE_ACCESS_MODES: readonly NodeAccessMode[] = ["direct", "portForward"];
export const ZONE_SPREADS: readonly ZoneSpread[] = ["none", "preferred", "required"];
export const EXTERNAL_ACCESSES: readonly ExternalAccess[] = ["none", "nodePort", "loadBalancer"];
/** Kubernetes' default NodePort range: with externalAccess nodePort the client ports are the NodePorts. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;
/** The client ports with externalAccess nodePort where basePort and standalonePort are unset: inside NODE_PORT_RANGE. */
export const NODE_PORT_DEFAULTS = { basePort: 31000, standalonePort: 31379 } as const;
/** Settings that only the kubernetes runtime reads. */
export const KUBERNETES_KEYS = [
    "namespace",
    "kubeconfig",
    "storageClass",
    "storageSize",
    "antiAffinity",
    "access",
    "resources",
    "podLabels",
    "podAnnotations",
    "nodeSelector",
    "tolerations",
    "zoneSpread",
    "priorityClassName",
    "imagePullSecrets",
    "networkPolicy",
    "allowFrom",
    "externalAccess",
    "externalHost",
    "loadBalancerSourceRanges",
    "loadBalancerAnnotations",
    "metricsServiceMonitor",
    "backupStorageSize",
] as const;
/** The project's default image, in defaults.json so that scripts/setup.sh reads the same value. */
export const DEFAULT_IMAGE: string = projectDefaults.image;
/** The exporter's upstream image, of the version the local build makes where it cannot be pulled (scripts/lib/exporter-image.sh). */
export const DEFAULT_METRICS_IMAGE: string = projectDefaults.metricsImage;
export const MIN_MASTERS = 3;
export const MAX_MASTERS = 100;
export const MAX_REPLICAS_PER_MASTER = 5;
export const MAX_PORT = 65535;

export const DEFAULTS: Settings = {
    masters: 3,
    replicasPerMaster: 1,
    basePort: 7000,
    busPortOffset: 10000,
    standalonePort: 6379,
    image: DEFAULT_IMAGE,
    networkMode: "bridge",
    subnet: "172.30.57.0/24",
    publishAddress: "", // empty: the subnet's gateway
    appendOnly: true,
    clusterNodeTimeoutMs: 5000,
    // The engine runtime is the one that replaces nodes one at a time with a failover (docs/operations.md),
    // and it needs no provider plugin download; `docker` stays available for @pulumi/docker users.
    runtime: "engine",
    clusterCheck: false,
    retainData: false,
    tls: false,
    tlsPlainPort: false,
    namespace: "", // empty: kubernetesNamespace(prefix)
    kubeconfig: "", // empty: the ambient kubeconfig
    storageClass: "", // empty: the cluster's default StorageClass
    storageSize: "1Gi",
    antiAffinity: "preferred",
    access: "direct",
    resources: {},
    podLabels: {},
    podAnnotations: {},
    nodeSelector: {},
    tolerations: [],
    zoneSpread: "none",
    priorityClassName: "", // empty: the cluster's default priority
    imagePullSecrets: [],
    networkPolicy: true,
    allowFrom: [],
    externalAccess: "none",
    externalHost: "", // required with externalAccess nodePort
    loadBalancerSourceRanges: [],
    loadBalancerAnnotations: {},
    redisConfig: {},
    memoryLimit: "",
    cpuLimit: "",
    // On PATH in the official redis images and in Debian's build; valkey images name theirs valkey-server.
    serverCommand: "redis-server",
    cliCommand: "redis-cli",
    metrics: false,
    // redis_exporter's own default port.
    metricsPort: 9121,
    metricsImage: DEFAULT_METRICS_IMAGE,
    metricsServiceMonitor: false,
    finalBackup: false,
    backupDir: "", // empty: .redis-stack/backups/<name prefix>
    restoreFrom: "",
    backupSchedule: "", // empty: no scheduled backups
    backupRetention: 7,
    backupImage: "", // empty: this machine's build (.redis-stack/machine.json), which npm run setup makes
    backupStorageSize: "1Gi",
};

/** Every setting's key, from DEFAULTS (which the type checker holds to exactly the Settings keys). */
export const SETTING_KEYS = Object.keys(DEFAULTS) as readonly (keyof Settings)[];
/** Keys of the stack as a whole, not of its nodes: what its names start with, data replaced on purpose, whose its objects are. */
export const STACK_KEYS = ["namePrefix", "allowDataReplacement", "ownerId"] as const;

/**
 * Every `redis-stack:` config key the stack knows: the settings, the password and supplied TLS
 * certificates (secrets), and the ACL users (a map, see aclUsers.ts), all read apart from the settings.
 * The one list; Pulumi.yaml declares the same keys (test/unit/projectConfig.test.ts checks).
 */
export const CONFIG_KEYS: readonly string[] = [
    ...SETTING_KEYS,
    "password",
    ...Object.values(SUPPLIED_TLS_KEYS),
    "users",
    "defaultUser",
    ...STACK_KEYS,
];

/** Defaults this machine chose for settings a stack leaves unset (see machineDefaults.ts); they win over DEFAULTS. */
export interface MachineDefaults {
    /** The image where the project's default cannot be pulled (a local build). */
    readonly image?: string;
    /** The exporter's image where the project's default cannot be pulled (a local build). */
    readonly metricsImage?: string;
    /** The scheduled backups' runner image (always a local build: the project publishes none). */
    readonly backupImage?: string;
}

/** Every problem found in the settings, each naming the key, the value and what is allowed. */
export class ConfigError extends Error {
    constructor(
        readonly namespace: string,
        readonly problems: readonly string[],
    ) {
        super(`invalid ${namespace} configuration:\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}

// An address clients reach Kubernetes nodes at: a dotted IPv4 address or a DNS name.
const EXTERNAL_HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

// A path as a setting: anything but control characters.
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const NO_CONTROL_CHARACTERS = /^[^\x00-\x1f\x7f]*$/;

// A Kubernetes resource quantity (names: ./kubernetesNames.ts).
const QUANTITY = /^([1-9]\d*(\.\d+)?|0\.\d*[1-9]\d*)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/**
 * The namespace a stack gets when `namespace` is unset: its name prefix (`<project>-<stack>`) as a
 * DNS-1123 label (lowercase, other characters to `-`, at most 63 characters).
 */
export function kubernetesNamespace(prefix: string): string {
    const label = prefix
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .slice(0, 63)
        .replace(/^-+|-+$/g, "");
    return label === "" ? "redis-stack" : label;
}

// A Docker image reference: [registry[:port]/]path[:tag][@digest], lowercase path components.
const IMAGE_REF =
    /^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/** Masters plus their replicas. */
export function clusterNodeCount(settings: Pick<Settings, "masters" | "replicasPerMaster">): number {
    return settings.masters * (1 + settings.replicasPerMaster);
}

/**
 * Parses and validates raw settings. Throws a ConfigError listing every problem (key, value, allowed
 * values) so a user fixes them all in one go. `machine`: this machine's defaults for settings `raw` leaves unset.
 */
export function parseSettings(raw: RawSettings, namespace = "redis-stack", machine: MachineDefaults = {}): Settings {
    const c = new SettingReader();
    const masters = c.integer("masters", raw.masters, DEFAULTS.masters, MIN_MASTERS, MAX_MASTERS);
    const replicasPerMaster = c.integer("replicasPerMaster", raw.replicasPerMaster, DEFAULTS.replicasPerMaster, 0, MAX_REPLICAS_PER_MASTER);
    const externalAccess = c.oneOf("externalAccess", raw.externalAccess, DEFAULTS.externalAccess, EXTERNAL_ACCESSES);
    // Through NodePorts the client ports are the NodePorts: unset, they default inside Kubernetes' NodePort range. The
    // program's config hands the general defaults over as values (Pulumi.yaml declares them), and those cannot be
    // NodePorts: taken as unset there too.
    const nodePorts = externalAccess === "nodePort";
    const portSetting = (key: "basePort" | "standalonePort") =>
        nodePorts && raw[key]?.trim() === String(DEFAULTS[key]) ? undefined : raw[key];
    const portDefaults = nodePorts ? NODE_PORT_DEFAULTS : DEFAULTS;
    const basePort = c.integer("basePort", portSetting("basePort"), portDefaults.basePort, 1024, MAX_PORT);
    const busPortOffset = c.integer("busPortOffset", raw.busPortOffset, DEFAULTS.busPortOffset, 1, MAX_PORT - 1024);
    const standalonePort = c.integer("standalonePort", portSetting("standalonePort"), portDefaults.standalonePort, 1024, MAX_PORT);
    const externalHost = c.matching(
        "externalHost",
        raw.externalHost,
        DEFAULTS.externalHost,
        EXTERNAL_HOST,
        "an IPv4 address or a DNS name that reaches the Kubernetes nodes, such as 10.0.0.12 or redis.example.com",
    );
    const clusterNodeTimeoutMs = c.integer("clusterNodeTimeoutMs", raw.clusterNodeTimeoutMs, DEFAULTS.clusterNodeTimeoutMs, 500, 600000);
    const networkMode = c.oneOf("networkMode", raw.networkMode, DEFAULTS.networkMode, NETWORK_MODES);
    const runtime = c.oneOf("runtime", raw.runtime, DEFAULTS.runtime, RUNTIMES);
    const appendOnly = c.boolean("appendOnly", raw.appendOnly, DEFAULTS.appendOnly);
    // The check needs the @pulumi/command plugin: on by default only with the docker runtime, which
    // downloads plugins anyway.
    const clusterCheck = c.boolean("clusterCheck", raw.clusterCheck, runtime === "docker");
    const retainData = c.boolean("retainData", raw.retainData, DEFAULTS.retainData);
    const tls = c.boolean("tls", raw.tls, DEFAULTS.tls);
    const tlsPlainPort = c.boolean("tlsPlainPort", raw.tlsPlainPort, DEFAULTS.tlsPlainPort);
    const antiAffinity = c.oneOf("antiAffinity", raw.antiAffinity, DEFAULTS.antiAffinity, ANTI_AFFINITIES);
    const access = c.oneOf("access", raw.access, DEFAULTS.access, NODE_ACCESS_MODES);
    const kubernetesNamespaceName = c.matching(
        "namespace",
        raw.namespace,
        DEFAULTS.namespace,
        DNS_LABEL,
        "a DNS-1123 label such as redis-prod (lowercase letters, digits and -, at most 63 characters; empty: <project>-<stack>)",
    );
    const kubeconfig = raw.kubeconfig?.trim() ?? DEFAULTS.kubeconfig;
    const storageClass = c.matching(
        "storageClass",
        raw.storageClass,
        DEFAULTS.storageClass,
        DNS_SUBDOMAIN,
        "a StorageClass name such as standard (empty: the cluster's default class)",
    );
    const storageSize = c.matching(
        "storageSize",
        raw.storageSize,
        DEFAULTS.storageSize,
        QUANTITY,
        "a Kubernetes quantity such as 1Gi or 500Mi",
    );

    const image = imageSetting("image", raw.image, machine.image ?? DEFAULTS.image, c);
    const metrics = c.boolean("metrics", raw.metrics, DEFAULTS.metrics);
    const metricsPort = c.integer("metricsPort", raw.metricsPort, DEFAULTS.metricsPort, 1024, MAX_PORT);
    const metricsImage = imageSetting("metricsImage", raw.metricsImage, machine.metricsImage ?? DEFAULTS.metricsImage, c);
    const finalBackup = c.boolean("finalBackup", raw.finalBackup, DEFAULTS.finalBackup);
    const backupDir = c.matching(
        "backupDir",
        raw.backupDir,
        DEFAULTS.backupDir,
        NO_CONTROL_CHARACTERS,
        "a directory path without control characters (empty: .redis-stack/backups/<name prefix>)",
    );
    const restoreFrom = c.matching(
        "restoreFrom",
        raw.restoreFrom,
        DEFAULTS.restoreFrom,
        NO_CONTROL_CHARACTERS,
        "a backup's directory without control characters (empty: none)",
    );
    const metricsServiceMonitor = c.boolean("metricsServiceMonitor", raw.metricsServiceMonitor, DEFAULTS.metricsServiceMonitor);
    const scheduled = parseBackupSchedule(raw, machine, c);
    if (metricsServiceMonitor && !metrics)
        c.problems.push(
            `metricsServiceMonitor: got ${JSON.stringify(raw.metricsServiceMonitor)} with metrics false; allowed: false, or metrics true (it selects the exporters' ports)`,
        );

    const subnet = raw.subnet === undefined || raw.subnet.trim() === "" ? DEFAULTS.subnet : raw.subnet.trim();
    const subnetMatch = /^([\d.]+)\/(\d{1,2})$/.exec(subnet);
    if (!subnetMatch || !IPV4.test(subnetMatch[1]) || Number(subnetMatch[2]) < 8 || Number(subnetMatch[2]) > 28) {
        c.problems.push(
            `subnet: got ${JSON.stringify(raw.subnet)}; allowed: an IPv4 CIDR with a prefix from /8 to /28, such as 172.30.57.0/24`,
        );
    } else if (networkAddress(subnet) !== subnet) {
        // Docker refuses a subnet with host bits set ("invalid subnet"), after other resources exist.
        c.problems.push(`subnet: got ${JSON.stringify(raw.subnet)}; allowed: a network address such as ${networkAddress(subnet)}`);
    }

    const publishAddress = raw.publishAddress?.trim() ?? DEFAULTS.publishAddress;
    if (publishAddress !== "" && !IPV4.test(publishAddress)) {
        c.problems.push(
            `publishAddress: got ${JSON.stringify(raw.publishAddress)}; allowed: an IPv4 address of this host (empty: the network's gateway; 0.0.0.0: every interface)`,
        );
    }

    const redis = parseRedisSettings(raw.redisConfig);
    c.problems.push(...redis.problems);
    const limits = parseLimits(raw.memoryLimit, raw.cpuLimit);
    c.problems.push(...limits.problems);
    // On Kubernetes memoryLimit and cpuLimit are the pods' limits; elsewhere `resources` is refused below.
    const resources = parseResources(raw.resources, runtime === "kubernetes" ? limits.limits : {});
    c.problems.push(...resources.problems);
    const placement = parsePodPlacement(raw, c);
    const allowFrom = parseAllowFrom(raw.allowFrom);
    c.problems.push(...allowFrom.problems);
    const networkPolicy = c.boolean("networkPolicy", raw.networkPolicy, DEFAULTS.networkPolicy);
    const sourceRanges = parseSourceRanges(raw.loadBalancerSourceRanges);
    const loadBalancerAnnotations = parseTextMap("loadBalancerAnnotations", raw.loadBalancerAnnotations);
    c.problems.push(...sourceRanges.problems, ...loadBalancerAnnotations.problems);
    if (!networkPolicy && allowFrom.peers.length > 0)
        c.problems.push(
            `allowFrom: got ${allowFrom.peers.length} peer(s) with networkPolicy false; allowed: unset, or networkPolicy true (without the stack's NetworkPolicy nothing limits who connects)`,
        );
    const serverCommand = c.program("serverCommand", raw.serverCommand, DEFAULTS.serverCommand);
    const cliCommand = c.program("cliCommand", raw.cliCommand, DEFAULTS.cliCommand);

    const settings: Settings = {
        masters,
        replicasPerMaster,
        basePort,
        busPortOffset,
        standalonePort,
        image,
        networkMode,
        subnet,
        publishAddress,
        appendOnly,
        clusterNodeTimeoutMs,
        runtime,
        clusterCheck,
        retainData,
        tls,
        tlsPlainPort,
        namespace: kubernetesNamespaceName,
        kubeconfig,
        storageClass,
        storageSize,
        antiAffinity,
        access,
        resources: resources.resources,
        ...placement,
        networkPolicy,
        allowFrom: allowFrom.peers,
        externalAccess,
        externalHost,
        loadBalancerSourceRanges: sourceRanges.ranges,
        loadBalancerAnnotations: loadBalancerAnnotations.map,
        redisConfig: redis.settings,
        memoryLimit: raw.memoryLimit?.trim() ?? DEFAULTS.memoryLimit,
        cpuLimit: raw.cpuLimit?.trim() ?? DEFAULTS.cpuLimit,
        serverCommand,
        cliCommand,
        metrics,
        metricsPort,
        metricsImage,
        metricsServiceMonitor,
        finalBackup,
        backupDir,
        restoreFrom,
        ...scheduled,
    };
    checkRuntimeSettings(settings, raw, c.problems);
    if (finalBackup && runtime === "kubernetes" && access === "portForward")
        c.problems.push(
            `finalBackup: got ${JSON.stringify(raw.finalBackup)} with access portForward; allowed: false, or access direct (the backup reaches the nodes at their ClusterIPs from where Pulumi runs)`,
        );
    if (restoreFrom !== "" && runtime === "kubernetes" && access === "portForward")
        c.problems.push(
            `restoreFrom: got ${JSON.stringify(raw.restoreFrom)} with access portForward; allowed: unset, or access direct (the restore reaches the nodes at their ClusterIPs from where Pulumi runs)`,
        );
    if (settings.backupSchedule !== "" && runtime === "docker")
        c.problems.push(
            `backupSchedule: got ${JSON.stringify(raw.backupSchedule)} with runtime docker; allowed: unset, or runtime engine or kubernetes (the docker runtime has no backup runner)`,
        );
    c.problems.push(...externalAccessProblems(settings, raw));
    if (c.problems.length === 0) checkPorts(settings, c.problems);
    if (c.problems.length === 0) c.problems.push(...tlsPortProblems(settings, clusterNodeCount(settings)));
    if (c.problems.length === 0) c.problems.push(...metricsPortProblems(settings, clusterNodeCount(settings)));
    if (c.problems.length > 0) throw new ConfigError(namespace, c.problems);
    return settings;
}

/** Scheduled backups: when, how many kept, the runner's image and (Kubernetes) its claim's size; refused where they would do nothing. */
function parseBackupSchedule(
    raw: RawSettings,
    machine: MachineDefaults,
    c: SettingReader,
): Pick<Settings, "backupSchedule" | "backupRetention" | "backupImage" | "backupStorageSize"> {
    const backupSchedule = raw.backupSchedule?.trim() ?? DEFAULTS.backupSchedule;
    const problem = backupSchedule === "" ? undefined : scheduleProblem(backupSchedule);
    if (problem !== undefined)
        c.problems.push(
            `backupSchedule: got ${JSON.stringify(raw.backupSchedule)} (${problem}); allowed: five cron fields (minute hour day-of-month month day-of-week, UTC) such as "0 3 * * *", or ${BACKUP_MACROS.join(", ")} (empty: none)`,
        );
    const backupRetention = c.integer("backupRetention", raw.backupRetention, DEFAULTS.backupRetention, 1, 1000);
    const backupStorageSize = c.matching(
        "backupStorageSize",
        raw.backupStorageSize,
        DEFAULTS.backupStorageSize,
        QUANTITY,
        "a Kubernetes quantity such as 1Gi or 500Mi",
    );
    const scheduled = backupSchedule !== "";
    // Pulumi.yaml's defaults arrive as values: a default is as good as unset.
    for (const key of ["backupRetention", "backupImage", "backupStorageSize"] as const)
        if (!scheduled && ![undefined, "", String(DEFAULTS[key])].includes(raw[key]?.trim()))
            c.problems.push(
                `${key}: got ${JSON.stringify(raw[key])} without backupSchedule; allowed: unset, or a backupSchedule (it is a setting of scheduled backups)`,
            );
    const rawImage = raw.backupImage?.trim() ?? "";
    const fallback = machine.backupImage ?? DEFAULTS.backupImage;
    let backupImage = rawImage;
    if (scheduled && rawImage === "" && fallback === "")
        c.problems.push(
            `backupImage: got unset, and this machine has no backup image (.redis-stack/machine.json); allowed: an image reference of the runner (scripts/lib/backup-image.sh builds one; npm run setup records it)`,
        );
    else if (scheduled) backupImage = imageSetting("backupImage", raw.backupImage, fallback, c);
    return { backupSchedule, backupRetention, backupImage, backupStorageSize };
}

/** An image setting's example where the project has no default (the backup runner's is a local build). */
const IMAGE_EXAMPLE = "registry.example.com/redis-stack-backup:1";

/** An image reference setting; unset, `fallback` (which may be this machine's default, and then the message says so). */
function imageSetting(key: "image" | "metricsImage" | "backupImage", raw: string | undefined, fallback: string, c: SettingReader): string {
    const unset = raw === undefined || raw.trim() === "";
    const image = unset ? fallback : raw.trim();
    if (!IMAGE_REF.test(image)) {
        // Unset, the image is this machine's default: say so, since the stack's config does not show it.
        const got = unset ? `${JSON.stringify(image)} (this machine's default, from .redis-stack/machine.json)` : JSON.stringify(raw);
        c.problems.push(`${key}: got ${got}; allowed: a Docker image reference such as ${DEFAULTS[key] || IMAGE_EXAMPLE}`);
    }
    return image;
}

/** Where every node's pod may run and what it carries on Kubernetes: node labels and taints, zones, priority, pull Secrets, extra metadata. */
function parsePodPlacement(
    raw: RawSettings,
    c: SettingReader,
): Pick<
    Settings,
    "podLabels" | "podAnnotations" | "nodeSelector" | "tolerations" | "zoneSpread" | "priorityClassName" | "imagePullSecrets"
> {
    const labels = parseTextMap("podLabels", raw.podLabels);
    const annotations = parseTextMap("podAnnotations", raw.podAnnotations);
    const selector = parseTextMap("nodeSelector", raw.nodeSelector);
    const tolerations = parseTolerations(raw.tolerations);
    const pullSecrets = parsePullSecrets(raw.imagePullSecrets);
    c.problems.push(...labels.problems, ...annotations.problems, ...selector.problems, ...tolerations.problems, ...pullSecrets.problems);
    return {
        podLabels: labels.map,
        podAnnotations: annotations.map,
        nodeSelector: selector.map,
        tolerations: tolerations.tolerations,
        zoneSpread: c.oneOf("zoneSpread", raw.zoneSpread, DEFAULTS.zoneSpread, ZONE_SPREADS),
        priorityClassName: c.matching(
            "priorityClassName",
            raw.priorityClassName,
            DEFAULTS.priorityClassName,
            DNS_SUBDOMAIN,
            "a PriorityClass name such as redis-high (a DNS-1123 subdomain; empty: the cluster's default priority)",
        ),
        imagePullSecrets: pullSecrets.names,
    };
}

/**
 * Settings that mean nothing to the chosen runtime are refused rather than silently ignored: the
 * Docker network settings on Kubernetes (pods get their addresses from the cluster, nodes announce
 * their Services), the Kubernetes settings on Docker.
 */
function checkRuntimeSettings(s: Settings, raw: RawSettings, problems: string[]): void {
    if (s.runtime === "kubernetes") {
        const dockerOnly: [keyof Settings, boolean][] = [
            ["networkMode", s.networkMode !== DEFAULTS.networkMode],
            ["subnet", s.subnet !== DEFAULTS.subnet],
            ["publishAddress", s.publishAddress !== DEFAULTS.publishAddress],
        ];
        for (const [key, set] of dockerOnly) {
            if (set) {
                problems.push(
                    `${key}: got ${JSON.stringify(raw[key])}; allowed: unset with runtime kubernetes (a Docker network setting; pods get their addresses from the cluster and nodes announce their Service's ClusterIP)`,
                );
            }
        }
        if (s.clusterCheck) {
            problems.push(
                `clusterCheck: got ${JSON.stringify(raw.clusterCheck)}; allowed: false or unset with runtime kubernetes (the check runs redis-cli through the docker CLI on the Docker host)`,
            );
        }
        return;
    }
    for (const key of KUBERNETES_KEYS) {
        const value = raw[key];
        const unset = typeof DEFAULTS[key] === "object" ? JSON.stringify(DEFAULTS[key]) : String(DEFAULTS[key]);
        if (value !== undefined && value.trim() !== "" && value.trim() !== unset) {
            problems.push(
                `${key}: got ${JSON.stringify(value)}; allowed: unset with runtime ${s.runtime} (a setting of runtime kubernetes)`,
            );
        }
    }
}

/**
 * externalAccess nodePort: the address clients outside reach and client ports that can be NodePorts; externalHost
 * means nothing without it. loadBalancer: each node's address comes from its own load balancer, so no externalHost;
 * the load balancers' settings mean nothing without it. (The password it needs is checked with the secrets.)
 */
export function externalAccessProblems(
    s: Settings,
    raw: Pick<RawSettings, "externalHost" | "externalAccess" | "loadBalancerSourceRanges" | "loadBalancerAnnotations">,
): string[] {
    if (s.runtime !== "kubernetes") return []; // refused with the other Kubernetes settings
    const problems: string[] = [];
    if (s.externalAccess !== "loadBalancer")
        for (const key of ["loadBalancerSourceRanges", "loadBalancerAnnotations"] as const)
            if (Object.keys(s[key]).length > 0)
                problems.push(
                    `${key}: got ${raw[key]?.trim()} with externalAccess ${s.externalAccess}; allowed: unset, or externalAccess loadBalancer (a setting of its load balancers)`,
                );
    if (s.externalAccess === "none" && s.externalHost !== "")
        problems.push(
            `externalHost: got ${JSON.stringify(raw.externalHost)}; allowed: unset with externalAccess none (the address of the NodePorts externalAccess nodePort makes)`,
        );
    if (s.externalAccess === "loadBalancer" && s.externalHost !== "")
        problems.push(
            `externalHost: got ${JSON.stringify(raw.externalHost)} with externalAccess loadBalancer; allowed: unset (each node announces its own load balancer's address, from its Service's status)`,
        );
    if (s.externalAccess !== "nodePort") return problems;
    // A host given but refused is named by its own problem already.
    if ((raw.externalHost?.trim() ?? "") === "")
        problems.push(
            `externalHost: got unset with externalAccess ${s.externalAccess}; allowed: the address clients outside the cluster reach the Kubernetes nodes at (an IPv4 address or a DNS name), which the nodes announce in MOVED redirects`,
        );
    const lastClient = s.basePort + clusterNodeCount(s) - 1;
    const { min, max } = NODE_PORT_RANGE;
    if (s.basePort < min || lastClient > max)
        problems.push(
            `basePort: got ${s.basePort} (client ports ${s.basePort}-${lastClient}); allowed with externalAccess nodePort: client ports from ${min} to ${max}, Kubernetes' NodePort range (unset: ${NODE_PORT_DEFAULTS.basePort})`,
        );
    if (s.standalonePort < min || s.standalonePort > max)
        problems.push(
            `standalonePort: got ${s.standalonePort}; allowed with externalAccess nodePort: a port from ${min} to ${max}, Kubernetes' NodePort range (unset: ${NODE_PORT_DEFAULTS.standalonePort})`,
        );
    return problems;
}

/** Client and bus ports of all nodes must fit below 65536 and not overlap, nor the standalone port. */
function checkPorts(s: Settings, problems: string[]): void {
    const nodes = clusterNodeCount(s);
    const lastClient = s.basePort + nodes - 1;
    const lastBus = lastClient + s.busPortOffset;
    if (lastBus > MAX_PORT) {
        problems.push(
            `basePort/busPortOffset: got ${s.basePort}/${s.busPortOffset}; allowed: values where the last bus port ` +
                `(basePort + ${nodes - 1} nodes + busPortOffset = ${lastBus}) is at most ${MAX_PORT}`,
        );
        return;
    }
    if (s.busPortOffset < nodes) {
        problems.push(
            `busPortOffset: got ${s.busPortOffset}; allowed: at least ${nodes} (the number of cluster nodes), so bus ports do not overlap client ports`,
        );
    }
    const inClient = s.standalonePort >= s.basePort && s.standalonePort <= lastClient;
    const inBus = s.standalonePort >= s.basePort + s.busPortOffset && s.standalonePort <= lastBus;
    if (inClient || inBus) {
        problems.push(
            `standalonePort: got ${s.standalonePort}; allowed: a port outside the cluster's client ports ` +
                `${s.basePort}-${lastClient} and bus ports ${s.basePort + s.busPortOffset}-${lastBus}`,
        );
    }
}

/** Problems with a password, without ever repeating its value. */
export function passwordProblems(password: string | undefined): string[] {
    if (password === undefined || password === "") return [];
    const problems: string[] = [];
    if (password.length < 8 || password.length > 512) {
        problems.push(`password: got a value of ${password.length} characters; allowed: 8 to 512 characters`);
    }
    // Control characters are exactly what this looks for.
    // eslint-disable-next-line no-control-regex
    if (/[\s\x00-\x1f\x7f"']/.test(password)) {
        problems.push(
            "password: got a value with whitespace, quotes or control characters; allowed: printable characters without spaces or quotes",
        );
    }
    return problems;
}
