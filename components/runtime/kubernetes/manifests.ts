// Pure: a node of the logical topology -> the Kubernetes objects that run it (as the plain specs
// @pulumi/kubernetes takes), and the runtime's placement: the node announces its Service's ClusterIP.
// No Pulumi, no I/O: the resource module (./backend.ts) only wires these to resources, and the rules
// (what a pod runs, what its Service selects, where a replica may be scheduled) are unit-tested here.
//
// One node = one 1-replica StatefulSet + one ClusterIP Service + one PersistentVolumeClaim:
// - a StatefulSet, not a Deployment, because it never runs two pods on one claim (a rolling Deployment
//   would start the new pod before the old one stops) and brings a deleted pod back under the same name;
// - one per node, not one for the whole cluster, because every node differs (ports, the address it
//   announces, its shard, which its anti-affinity and PodDisruptionBudget key on);
// - the node announces its own Service's ClusterIP (stable for the Service's life), not its pod IP
//   (new on every restart): a pod that comes back rejoins with its nodes.conf from the claim, at the
//   address its peers already know;
// - `updateStrategy: OnDelete`: a changed pod template (image, resources) touches no pod by itself; the
//   node's NodePod resource (./nodePod.ts) replaces the pods one at a time, a master failed over first;
// - the passed-through Redis settings are a ConfigMap of their own, not part of the pod template, so a
//   change that Redis takes with CONFIG SET restarts nothing (a pod started later reads the new file);
// - the claim is a resource of its own (not a volumeClaimTemplate), so it lives and dies with the node
//   as a Docker volume does (retainData keeps it), and a size change resizes it in place.
import { METRICS_CONTAINER, METRICS_PORT_NAME, metricsSidecar, scrapeAnnotations } from "./metricsSidecar";
import { createHash } from "crypto";
import { IPV4 } from "../../settings/networkAddresses";
import { INCLUDE_SETTINGS_LINE } from "../../settings/redisSettings";
import { AUTH_CONFIG_PATH, DATA_DIR, NodeSpec, redisCommand } from "../../topology/topology";
import { passwordFromFile } from "../../topology/nodeHealth";
import { DATA_OWNER_CAPABILITIES, DATA_OWNER_COMMAND, NODE_FILE_MODE, NODE_GID, NODE_UID } from "../../topology/nodeUser";
import { PROJECT_USER } from "../../settings/aclUsers";
import type { AntiAffinity, Settings, ZoneSpread } from "../../settings/config";
import type { KubernetesResources } from "../../settings/kubernetesResources";
import { STACK_LABELS, type TextMap } from "../../settings/podMetadata";
import type { Toleration } from "../../settings/tolerations";
import { DEFAULT_TIMEOUTS, STOP_GRACE_SECONDS } from "../../common/timeouts";
import type { CertificateSubject } from "../../tls/certificates";
import { type NodeTls, TLS_CA_PATH, TLS_CERT_PATH, TLS_DIR, TLS_KEY_PATH, announcedClientPorts, servedPorts } from "../../tls/nodeTls";

// The label keys are the settings' (podMetadata.ts), which refuse them as a user's podLabels.
/** Labels every object of a stack carries; the instance is the stack's namespace name (a valid label value). */
export const NAME_LABEL = STACK_LABELS.name;
export const INSTANCE_LABEL = STACK_LABELS.instance;
export const COMPONENT_LABEL = STACK_LABELS.component;
/** Selects one node's pod (its Service and StatefulSet). */
export const NODE_LABEL = STACK_LABELS.node;
/** The shard a cluster node serves: PodDisruptionBudget, anti-affinity and zone spread key on it, not on roles that failovers swap. */
export const SHARD_LABEL = STACK_LABELS.shard;
/** The well-known node label of a Kubernetes node's zone, what zoneSpread spreads shards across. */
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";
/** Key of the auth config file in the password Secret. */
export const AUTH_SECRET_KEY = "auth.conf";
/** The passed-through settings file, in the component's settings ConfigMap: the auth file includes it, and redis-server refuses to start without it. */
export const SETTINGS_CONFIG_KEY = "settings.conf";
/**
 * Where a pod sees its component's Secret and settings ConfigMap: each whole volume as a directory, not
 * files by subPath, because the kubelet brings a directory up to date when the object changes and never
 * a subPath file (a container restarted in its pod would start with the users, password and settings of
 * the pod's start).
 */
export const SECRET_DIR = "/etc/redis-stack-secret";
export const SETTINGS_DIR = "/etc/redis-stack-settings";
export const POD_AUTH_CONFIG_PATH = `${SECRET_DIR}/${AUTH_SECRET_KEY}`;
export const POD_SETTINGS_PATH = `${SETTINGS_DIR}/${SETTINGS_CONFIG_KEY}`;
/**
 * A socket of the node's own, in a directory only the pod has, for its probes: on it redis-server speaks
 * plain text whether its client port serves TLS or not. A node switched live between the two keeps its
 * old command line until its pod is replaced in its turn, and a TLS handshake sent to a port that has
 * gone plain is never answered (redis-server waits for the end of a line that never comes), so a probe
 * over TCP would time out every time and the kubelet would restart the node back into the old protocol.
 */
export const PROBE_SOCKET_DIR = "/run/redis-stack";
export const PROBE_SOCKET = `${PROBE_SOCKET_DIR}/redis.sock`;

/** The auth config file as a pod reads it: including the settings file where the pod has it. */
export function podAuthConfig(authConfig: string): string {
    if (!authConfig.startsWith(INCLUDE_SETTINGS_LINE)) throw new Error("the auth config file does not start with its settings include");
    return `include ${POD_SETTINGS_PATH}\n${authConfig.slice(INCLUDE_SETTINGS_LINE.length)}`;
}

/** The name of the container that runs redis-server in a node's pod. */
export const NODE_CONTAINER = "redis";
/** The init container that hands the data claim to the node's user before redis-server starts (nodeUser.ts). */
export const DATA_OWNER_CONTAINER = "data-owner";

/**
 * The pod's security context: every container as the node's user unless it says otherwise, the claim and the
 * mounted Secrets' files group-owned by it (fsGroup: the kubelet makes a Secret's 0400 files 0440 root:999, read
 * by nobody else), under the container runtime's default seccomp filter (Kubernetes runs pods unconfined otherwise).
 */
export const POD_SECURITY_CONTEXT = {
    runAsUser: NODE_UID,
    runAsGroup: NODE_GID,
    fsGroup: NODE_GID,
    // The claim's files are walked only when its top directory is not the group's yet (a large claim starts fast).
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
};

/** redis-server's container: not root, no capability, no privilege gained, nothing written outside its data and socket. */
export const NODE_CONTAINER_SECURITY_CONTEXT = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
};

/**
 * The data owner: root with CHOWN and DAC_READ_SEARCH alone, for one chown of the claim. Storage that
 * ignores fsGroup (hostPath, some local provisioners) leaves a new claim root's 0750, and data an earlier
 * release wrote as root is root's: redis-server could not write either.
 */
export function dataOwnerContainer(image: string, resources: ReturnType<typeof containerResources>) {
    return {
        name: DATA_OWNER_CONTAINER,
        image,
        imagePullPolicy: "IfNotPresent",
        command: [...DATA_OWNER_COMMAND],
        securityContext: {
            runAsUser: 0,
            runAsGroup: 0,
            runAsNonRoot: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"], add: [...DATA_OWNER_CAPABILITIES] },
        },
        ...(Object.keys(resources).length > 0 ? { resources } : {}),
        volumeMounts: [{ name: "data", mountPath: DATA_DIR }],
    };
}

/** Pod template annotation: the digest of the node's TLS files (not the files: no key in the pod spec). */
export const TLS_DIGEST_ANNOTATION = "redis-stack/tls-digest";
/** The pod template a running pod was made from (podTemplateDigest): what its NodePod compares with the declared one. */
export const TEMPLATE_ANNOTATION = "redis-stack/template";

/** Pure: the digest of a node's TLS files as the pod template carries it: of the CA and certificate only (a new key comes with a new certificate). */
export function tlsDigest(tls: Pick<NodeTls, "ca" | "cert">): string {
    return createHash("sha256").update(tls.ca).update("\n").update(tls.cert).digest("hex").slice(0, 16);
}

/** The node's TLS Secret: its CA bundle, certificate and key (a name of its own, so every pod mounts it, optional while TLS is off). */
export function tlsSecretName(node: NodeSpec): string {
    return `${objectName(node)}-tls`;
}

/** Keys of a node's TLS Secret: the file names its volume mounts under TLS_DIR, where the command and probes read them. */
export const TLS_SECRET_KEYS = {
    ca: TLS_CA_PATH.slice(TLS_DIR.length + 1),
    cert: TLS_CERT_PATH.slice(TLS_DIR.length + 1),
    key: TLS_KEY_PATH.slice(TLS_DIR.length + 1),
} as const;

/** Tells @pulumi/kubernetes not to wait for what only a later resource brings (a Service's endpoints, a claim's binding). */
export const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" } as const;

export interface KubernetesPlacement {
    /** The stack's namespace (also the instance label value). */
    readonly namespace: string;
    /** StorageClass of the data claims; empty: the cluster's default. */
    readonly storageClass: string;
    readonly storageSize: string;
    readonly antiAffinity: AntiAffinity;
    /** CPU and memory requests and limits of every node's container. */
    readonly resources: KubernetesResources;
    /** Extra labels and annotations of every node's pod (never the stack's own keys: the settings refuse them). */
    readonly podLabels: TextMap;
    readonly podAnnotations: TextMap;
    /** Labels of the Kubernetes nodes the pods may run on. */
    readonly nodeSelector: TextMap;
    readonly tolerations: readonly Toleration[];
    /** Spread each shard's members across zones: not, softly, or strictly. */
    readonly zoneSpread: ZoneSpread;
    /** Empty: the cluster's default priority. */
    readonly priorityClassName: string;
    readonly imagePullSecrets: readonly string[];
    /** How clients outside the cluster reach the nodes, if they do. */
    readonly external: ExternalPlacement;
}

/**
 * With externalAccess: a second Service per node, for clients outside the cluster. `nodePort`: its NodePort at
 * `host`, which every cluster node announces; `loadBalancer`: a load balancer of its own, whose address it announces.
 */
export type ExternalPlacement =
    | { readonly access: "none" }
    | { readonly access: "nodePort"; readonly host: string }
    | { readonly access: "loadBalancer"; readonly sourceRanges: readonly string[]; readonly annotations: TextMap };

type Labels = Record<string, string>;

/** The settings the pods' placement is made of. */
export type PlacementSettings = Omit<KubernetesPlacement, "namespace" | "external">;
/** The settings of the external access. */
export type ExternalSettings = Pick<Settings, "externalAccess" | "externalHost" | "loadBalancerSourceRanges" | "loadBalancerAnnotations">;

export function externalPlacement(settings: ExternalSettings): ExternalPlacement {
    switch (settings.externalAccess) {
        case "none":
            return { access: "none" };
        case "nodePort":
            return { access: "nodePort", host: settings.externalHost };
        case "loadBalancer":
            return {
                access: "loadBalancer",
                sourceRanges: settings.loadBalancerSourceRanges,
                annotations: settings.loadBalancerAnnotations,
            };
    }
}

/** A stack's placement: its namespace and its settings' part of it. */
export function kubernetesPlacement(
    namespace: string,
    settings: Pick<Settings, keyof PlacementSettings> & ExternalSettings,
): KubernetesPlacement {
    return {
        namespace,
        external: externalPlacement(settings),
        storageClass: settings.storageClass,
        storageSize: settings.storageSize,
        antiAffinity: settings.antiAffinity,
        resources: settings.resources,
        podLabels: settings.podLabels,
        podAnnotations: settings.podAnnotations,
        nodeSelector: settings.nodeSelector,
        tolerations: settings.tolerations,
        zoneSpread: settings.zoneSpread,
        priorityClassName: settings.priorityClassName,
        imagePullSecrets: settings.imagePullSecrets,
    };
}

/** The Kubernetes object name of a node: `node-<index>` or `standalone`, unique within the stack's own namespace. */
export function objectName(node: NodeSpec): string {
    return node.role === "standalone" ? "standalone" : `node-${node.index}`;
}

export function stackLabels(placement: Pick<KubernetesPlacement, "namespace">): Labels {
    return { [NAME_LABEL]: "redis-stack", [INSTANCE_LABEL]: placement.namespace };
}

/** What selects exactly this node's pod. */
export function nodeSelector(node: NodeSpec, placement: Pick<KubernetesPlacement, "namespace">): Labels {
    return { ...stackLabels(placement), [NODE_LABEL]: objectName(node) };
}

/** All labels of a node's pod: its selector, its kind and (cluster nodes) its shard. */
export function podLabels(node: NodeSpec, placement: Pick<KubernetesPlacement, "namespace">): Labels {
    return {
        ...nodeSelector(node, placement),
        [COMPONENT_LABEL]: node.role === "standalone" ? "standalone" : "cluster-node",
        ...(node.role === "standalone" ? {} : { [SHARD_LABEL]: String(node.shard) }),
    };
}

/** What selects every member of a shard: its PodDisruptionBudget and the members' anti-affinity. */
export function shardSelector(shard: number, placement: Pick<KubernetesPlacement, "namespace">): Labels {
    return { ...stackLabels(placement), [SHARD_LABEL]: String(shard) };
}

/** The names of a node's ports in its Service and container (the NetworkPolicy opens them by name). */
export const PORT_NAMES = { client: "client", bus: "bus", plain: "plain", metrics: METRICS_PORT_NAME } as const;

/** The node's ports, named for the Service and the container: with TLS the client port serves TLS, and a kept plain port is its own. */
export function nodePorts(node: NodeSpec): { name: string; port: number }[] {
    const { plainPort } = servedPorts(node);
    return [
        { name: PORT_NAMES.client, port: node.clientPort },
        ...(node.busPort !== undefined ? [{ name: PORT_NAMES.bus, port: node.busPort }] : []),
        ...(plainPort !== undefined ? [{ name: PORT_NAMES.plain, port: plainPort }] : []),
    ];
}

/**
 * What a node's certificate names: its Service's ClusterIP (what it announces, what clients and the
 * stack reach it at), the Service's DNS names, and loopback (its own probes, a port-forward); with
 * externalAccess, the external host too (where clients outside connect: the NodePorts' host, or the
 * node's load balancer's address).
 */
export function serviceSubject(node: NodeSpec, clusterIp: string, namespace: string, externalHost = ""): CertificateSubject {
    const service = objectName(node);
    const externalIp = IPV4.test(externalHost);
    return {
        name: node.name,
        ips: [clusterIp, "127.0.0.1", ...(externalIp ? [externalHost] : [])],
        dnsNames: [
            service,
            `${service}.${namespace}`,
            `${service}.${namespace}.svc`,
            `${service}.${namespace}.svc.cluster.local`,
            "localhost",
            ...(externalHost !== "" && !externalIp ? [externalHost] : []),
        ],
    };
}

/**
 * What a node announces: its Service's ClusterIP, to its peers and the stack; with externalAccess, the
 * address clients outside the cluster reach it at (the NodePorts' host, or its own load balancer's
 * address), to clients; "" without.
 */
export interface Announced {
    readonly ip: string;
    readonly externalHost: string;
}

/**
 * The node's command: the image's redis-server with the auth config file first (mounted from the
 * Secret; empty without a password), the node's arguments, and for cluster nodes the address it
 * announces: its Service's ClusterIP with its own client and bus ports.
 */
export function podCommand(node: NodeSpec, announceIp: string, externalHost = ""): string[] {
    // With TLS (tls-cluster) the TLS port is the one announced for clients and MOVED redirects, and the
    // plain one (when kept) is what plain clients are redirected to, as on the Docker runtimes.
    const { port, tlsPort } = announcedClientPorts(node);
    const clientPorts = [
        ...(port !== undefined ? ["--cluster-announce-port", String(port)] : []),
        ...(tlsPort !== undefined ? ["--cluster-announce-tls-port", String(tlsPort)] : []),
    ];
    const announce =
        node.busPort === undefined
            ? []
            : [
                  "--cluster-announce-ip",
                  announceIp,
                  ...clientPorts,
                  "--cluster-announce-bus-port",
                  String(node.busPort),
                  // What a master lists for this replica (INFO replication) is then the address CLUSTER NODES
                  // shows, not the pod IP: the handover before a master's pod goes finds its in-sync replica by it.
                  "--replica-announce-ip",
                  announceIp,
                  // Clients get the external host in MOVED redirects and CLUSTER SLOTS, at the same port (its NodePort,
                  // or its load balancer's port); the bus and the stack keep the ClusterIP, which CLUSTER NODES still lists.
                  ...(externalHost !== ""
                      ? ["--cluster-announce-hostname", externalHost, "--cluster-preferred-endpoint-type", "hostname"]
                      : []),
              ];
    const [server, authFile, ...args] = redisCommand(node);
    if (authFile !== AUTH_CONFIG_PATH) throw new Error(`${node.name}: the server command does not start with the auth config file`);
    // Only the server's own user may use the probes' socket.
    const probeSocket = ["--unixsocket", PROBE_SOCKET, "--unixsocketperm", "700"];
    return [server, POD_AUTH_CONFIG_PATH, ...args, ...announce, ...probeSocket];
}

/** A Service per node: a stable ClusterIP that the node announces and that keeps pointing at its pod across restarts. */
export function serviceSpec(node: NodeSpec, placement: KubernetesPlacement) {
    return {
        type: "ClusterIP",
        selector: nodeSelector(node, placement),
        // The bus must reach a node before it is ready (a joining node is not ready yet): route to it regardless.
        publishNotReadyAddresses: true,
        ports: [...nodePorts(node), ...(node.metricsPort !== undefined ? [{ name: PORT_NAMES.metrics, port: node.metricsPort }] : [])].map(
            (p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: "TCP" }),
        ),
    };
}

/**
 * With externalAccess, the node's second Service: nodePort, its client port at the same number on every Kubernetes node;
 * loadBalancer, its client port at a load balancer of its own. One name for both, so that a switch changes its type in place.
 */
export function externalServiceName(node: NodeSpec): string {
    return `${objectName(node)}-external`;
}

/** The external access of a stack that has one. */
export type ExternalService = Exclude<ExternalPlacement, { access: "none" }>;

export function externalServiceSpec(node: NodeSpec, placement: Pick<KubernetesPlacement, "namespace">, external: ExternalService) {
    const client = { name: PORT_NAMES.client, port: node.clientPort, targetPort: node.clientPort, protocol: "TCP" };
    const selector = nodeSelector(node, placement);
    if (external.access === "loadBalancer")
        return {
            type: "LoadBalancer",
            selector,
            // Its NodePort is the cluster's choice: a cloud's load balancer forwards to it, clients never see it.
            ports: [client],
            ...(external.sourceRanges.length > 0 ? { loadBalancerSourceRanges: [...external.sourceRanges] } : {}),
        };
    return { type: "NodePort", selector, ports: [{ ...client, nodePort: node.clientPort }] };
}

/**
 * The external Service's annotations: a NodePort Service's endpoint is the pod made after it, so Pulumi must not wait for
 * it; a load balancer's address is what its node announces, so Pulumi waits for it (the pod needs only the address),
 * and the user's annotations tell the cluster's controller what load balancer to make.
 */
export function externalServiceAnnotations(external: ExternalService): Record<string, string> {
    return external.access === "loadBalancer" ? { ...external.annotations } : { ...SKIP_AWAIT };
}

/** A LoadBalancer Service's status, as the API server gives it. */
export interface LoadBalancerStatus {
    readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[] };
}

/**
 * The address a node's load balancer has, which the node announces: its first ingress's IP, else its DNS name (the
 * clouds that give one, such as AWS); throws when it has none (Pulumi's wait for a LoadBalancer Service ends only
 * when it has one).
 */
export function loadBalancerAddress(service: string, status: LoadBalancerStatus | undefined): string {
    const ingress = status?.loadBalancer?.ingress?.[0];
    const address = ingress?.ip || ingress?.hostname;
    if (!address)
        throw new Error(
            `Service ${service} has no load balancer address in its status (got ${JSON.stringify(status?.loadBalancer ?? {})}): does the cluster run a load balancer controller?`,
        );
    return address;
}

/** A claim of the stack's storage class: a node's data (storageSize), or another size (the scheduled backups'). */
export function claimSpec(placement: Pick<KubernetesPlacement, "storageClass" | "storageSize">, storageSize = placement.storageSize) {
    return {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: storageSize } },
        ...(placement.storageClass !== "" ? { storageClassName: placement.storageClass } : {}),
    };
}

/**
 * Members of a shard (a master and its replicas) keep off each other's Kubernetes node, so losing one
 * node never takes a whole shard. `preferred` still schedules on a one-node cluster; `required` leaves
 * a replica Pending until another node has room. Keyed on the shard, not the role: failovers swap roles.
 */
export function affinity(node: NodeSpec, placement: KubernetesPlacement) {
    if (node.role === "standalone") return undefined;
    const term = { labelSelector: { matchLabels: shardSelector(node.shard, placement) }, topologyKey: "kubernetes.io/hostname" };
    return placement.antiAffinity === "required"
        ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } }
        : { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
}

/**
 * Members of a shard spread across zones, at most one more in any zone than in another (maxSkew 1),
 * selected by the shard label as the anti-affinity is (a user could not write a selector for it).
 * `preferred` schedules anyway where the zones cannot take it; `required` leaves a pod Pending, and a
 * Kubernetes node without a zone label takes no pod of a shard.
 */
export function zoneSpreadConstraints(node: NodeSpec, placement: Pick<KubernetesPlacement, "namespace" | "zoneSpread">) {
    if (node.role === "standalone" || placement.zoneSpread === "none") return undefined;
    return [
        {
            maxSkew: 1,
            topologyKey: ZONE_TOPOLOGY_KEY,
            whenUnsatisfiable: placement.zoneSpread === "required" ? "DoNotSchedule" : "ScheduleAnyway",
            labelSelector: { matchLabels: shardSelector(node.shard, placement) },
        },
    ];
}

/**
 * Where the pod may run and with what priority: only what is set, so that a stack setting none keeps
 * the pod template it had (a new template replaces every pod).
 */
export function podScheduling(node: NodeSpec, placement: KubernetesPlacement) {
    const spread = zoneSpreadConstraints(node, placement);
    return {
        ...(Object.keys(placement.nodeSelector).length > 0 ? { nodeSelector: { ...placement.nodeSelector } } : {}),
        ...(placement.tolerations.length > 0 ? { tolerations: placement.tolerations.map((t) => ({ ...t })) } : {}),
        ...(spread ? { topologySpreadConstraints: spread } : {}),
        ...(placement.priorityClassName !== "" ? { priorityClassName: placement.priorityClassName } : {}),
        ...(placement.imagePullSecrets.length > 0 ? { imagePullSecrets: placement.imagePullSecrets.map((name) => ({ name })) } : {}),
    };
}

/** The pod template's metadata: the user's labels under the stack's own (which win), the user's annotations and the TLS digest. */
export function podMetadata(
    node: NodeSpec,
    placement: KubernetesPlacement,
    names: Pick<PodNames, "tlsDigest" | "templateDigest" | "metrics">,
) {
    const annotations = {
        ...placement.podAnnotations,
        ...(names.metrics && node.metricsPort !== undefined ? scrapeAnnotations(node.metricsPort) : {}),
        ...(names.tlsDigest ? { [TLS_DIGEST_ANNOTATION]: names.tlsDigest } : {}),
        ...(names.templateDigest ? { [TEMPLATE_ANNOTATION]: names.templateDigest } : {}),
    };
    return {
        labels: { ...placement.podLabels, ...podLabels(node, placement) },
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    };
}

export interface PodNames {
    /** Secret holding the auth config file (the password never appears in the pod spec). */
    readonly authSecret: string;
    /**
     * With TLS: a digest of the CA bundle and certificate in the node's TLS Secret (tlsSecretName), in the
     * pod template so that new files (a renewal) replace the pod in its turn (Redis reads them at start).
     */
    readonly tlsDigest?: string;
    /** The node's data claim. */
    readonly claim: string;
    /** podTemplateDigest of the rest, as an annotation: which template a running pod was made from. */
    readonly templateDigest?: string;
    /** ConfigMap holding the passed-through settings file. */
    readonly settings: string;
    /** With metrics: the exporter sidecar's image and the Secret holding its password file. */
    readonly metrics?: { readonly image: string; readonly secret: string };
}

/** The container's `resources`: only what is set (an empty object would still be a change to diff). */
export function containerResources(placement: Pick<KubernetesPlacement, "resources">) {
    const { requests, limits } = placement.resources;
    return {
        ...(requests && Object.keys(requests).length > 0 ? { requests: { ...requests } } : {}),
        ...(limits && Object.keys(limits).length > 0 ? { limits: { ...limits } } : {}),
    };
}

/**
 * A pod probe's shell line: the image's CLI (`cliCommand`) sends PING over the node's probe socket
 * (PROBE_SOCKET: the same answer with TLS on, off, or switched live in between) as the stack's own user,
 * the password read inside the pod from the mounted auth file (no secret in the pod spec).
 * It asks only whether redis-server answers: not cluster_state:ok (a pod must be ready before formation
 * joins it; a node whose cluster is down is alive). An auth error counts as an answer: after a password
 * change the kubelet brings the mounted file up to date up to about a minute after the node took the new
 * password, and a failing liveness probe would restart every pod meanwhile. A node loading its data is
 * alive but not ready.
 */
export function podProbeScript(
    node: Pick<NodeSpec, "cliCommand">,
    probe: "readiness" | "liveness",
    authConfigPath = POD_AUTH_CONFIG_PATH,
    socket = PROBE_SOCKET,
): string {
    const answers = ["PONG", "*NOAUTH*", "*WRONGPASS*", ...(probe === "liveness" ? ["*LOADING*"] : [])].join("|");
    const ping = `${node.cliCommand} --user ${PROJECT_USER} -s ${socket} ping 2>&1`;
    return `${passwordFromFile(authConfigPath)} case "$(${ping})" in ${answers}) exit 0;; esac; exit 1`;
}

/**
 * The node's StatefulSet spec (one replica). The password reaches redis-server only as the auth config
 * file from the Secret. The probes run the image's `cliCommand` (PING), reading the password from the
 * mounted Secret file inside the pod (nodeHealth.ts), so no password is in the pod spec or environment.
 * Readiness is PING, not cluster_state:ok: formation reaches the nodes through their Services, which
 * route only to ready pods.
 */
export function statefulSetSpec(node: NodeSpec, image: string, announced: Announced, names: PodNames, placement: KubernetesPlacement) {
    const probe = (kind: "readiness" | "liveness") => ({ exec: { command: ["sh", "-c", podProbeScript(node, kind)] } });
    const probeTimeoutSeconds = Math.ceil(DEFAULT_TIMEOUTS.healthTimeoutMs / 1000);
    const podAffinity = affinity(node, placement);
    const resources = containerResources(placement);
    return {
        replicas: 1,
        serviceName: objectName(node),
        selector: { matchLabels: nodeSelector(node, placement) },
        // Pods are replaced by the node's NodePod, one node at a time across the stack, failover first.
        updateStrategy: { type: "OnDelete" },
        template: {
            metadata: podMetadata(node, placement, names),
            spec: {
                // The node talks to no Kubernetes API, and service links only add environment noise.
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: POD_SECURITY_CONTEXT,
                terminationGracePeriodSeconds: STOP_GRACE_SECONDS,
                ...(podAffinity ? { affinity: podAffinity } : {}),
                ...podScheduling(node, placement),
                initContainers: [dataOwnerContainer(image, resources)],
                containers: [
                    {
                        name: NODE_CONTAINER,
                        image,
                        // The local image is imported into the node's container runtime: never pull what is there.
                        imagePullPolicy: "IfNotPresent",
                        // `args`, not `command`: the image's entrypoint (if any) runs as on Docker, where this is the Cmd.
                        args: podCommand(node, announced.ip, announced.externalHost),
                        ports: nodePorts(node).map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })),
                        // Started as the node's user, the official image's entrypoint runs redis-server as it is.
                        securityContext: NODE_CONTAINER_SECURITY_CONTEXT,
                        ...(Object.keys(resources).length > 0 ? { resources } : {}),
                        volumeMounts: [
                            { name: "data", mountPath: DATA_DIR },
                            { name: "auth", mountPath: SECRET_DIR, readOnly: true },
                            { name: "settings", mountPath: SETTINGS_DIR, readOnly: true },
                            { name: "tls", mountPath: TLS_DIR, readOnly: true },
                            { name: "probe-socket", mountPath: PROBE_SOCKET_DIR },
                        ],
                        readinessProbe: {
                            ...probe("readiness"),
                            periodSeconds: 2,
                            failureThreshold: 2,
                            timeoutSeconds: probeTimeoutSeconds,
                        },
                        livenessProbe: {
                            ...probe("liveness"),
                            initialDelaySeconds: 10,
                            periodSeconds: 5,
                            failureThreshold: 6,
                            timeoutSeconds: probeTimeoutSeconds,
                        },
                    },
                    ...(names.metrics && node.metricsPort !== undefined
                        ? [
                              metricsSidecar(
                                  node.metricsPort,
                                  names.metrics.image,
                                  {
                                      socket: PROBE_SOCKET,
                                      socketVolume: "probe-socket",
                                      socketDir: PROBE_SOCKET_DIR,
                                      secretVolume: METRICS_CONTAINER,
                                  },
                                  NODE_CONTAINER_SECURITY_CONTEXT,
                              ),
                          ]
                        : []),
                ],
                volumes: [
                    { name: "data", persistentVolumeClaim: { claimName: names.claim } },
                    // Read by the node's user alone (its group, by fsGroup), as the Docker runtimes' files are.
                    { name: "auth", secret: { secretName: names.authSecret, defaultMode: NODE_FILE_MODE } },
                    { name: "settings", configMap: { name: names.settings, defaultMode: NODE_FILE_MODE } },
                    // Mounted with TLS off too (optional: empty until the Secret exists): a running node turning TLS
                    // on finds its files there once the kubelet syncs the new Secret, and switches live.
                    { name: "tls", secret: { secretName: tlsSecretName(node), defaultMode: NODE_FILE_MODE, optional: true } },
                    // In memory and tiny: it holds one socket, and lives and dies with the pod.
                    { name: "probe-socket", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
                    ...(names.metrics
                        ? [{ name: METRICS_CONTAINER, secret: { secretName: names.metrics.secret, defaultMode: NODE_FILE_MODE } }]
                        : []),
                ],
            },
        },
    };
}

/** At most one member of a shard down by a voluntary disruption (a drain, an eviction). */
export function disruptionBudgetSpec(shard: number, placement: KubernetesPlacement) {
    return { maxUnavailable: 1, selector: { matchLabels: shardSelector(shard, placement) } };
}

/**
 * Whether a node whose shard changes (a scale step re-points replicas) keeps its pod, its shard label
 * changed in place: yes while the placement only prefers (anti-affinity and zone spread are read when a pod
 * is scheduled, so a preference is met again at the pod's next replacement); a required placement
 * replaces the pod, so the scheduler places it by its new shard.
 */
export function shardChangesInPlace(placement: Pick<KubernetesPlacement, "antiAffinity" | "zoneSpread">): boolean {
    return placement.antiAffinity !== "required" && placement.zoneSpread !== "required";
}

/** A shard number no node has: where the shard does not make a new template, the digest is taken with it. */
const ANY_SHARD = -1;

/**
 * The part of the node's pod template whose digest (nodePod.ts templateDigest) decides whether its pod must be
 * replaced. Where shard changes go in place (shardChangesInPlace), it is the template as if the node had no
 * particular shard: the shard label and the shard's anti-affinity and spread terms then change the
 * StatefulSet's template (for pods made later) but never replace a running pod.
 */
export function replacingTemplate(node: NodeSpec, image: string, announced: Announced, names: PodNames, placement: KubernetesPlacement) {
    const digested = node.role !== "standalone" && shardChangesInPlace(placement) ? { ...node, shard: ANY_SHARD } : node;
    return statefulSetSpec(digested, image, announced, { ...names, templateDigest: undefined }, placement).template;
}

/** The labels a node's NodePod keeps on its running pod itself (shardChangesInPlace): its shard's. */
export function inPlacePodLabels(node: NodeSpec, placement: KubernetesPlacement): Labels {
    return node.role === "standalone" || !shardChangesInPlace(placement) ? {} : { [SHARD_LABEL]: String(node.shard) };
}
