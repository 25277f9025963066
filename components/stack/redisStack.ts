// RedisStack: a Redis Cluster and a standalone Redis node with everything they share (network or namespace,
// password, ACL users, TLS), as one component that programs declare, in TypeScript or, through the component
// package, in other Pulumi languages. The program in this repository (index.ts) declares one from its config.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { nodeUsers as nodeAclUsers } from "../settings/aclUsers";
import { METRICS_USER, METRICS_USER_RULES } from "../topology/metricsExporter";
import { BACKUP_USER, BACKUP_USER_RULES } from "../backup/backupSchedule";
import { ConfigError, kubernetesNamespace, passwordProblems } from "../settings/config";
import { messageOf } from "../common/errorMessage";
import { clusterNodeOutputs, type ClusterNodeOutput, type NatAddress } from "./outputs";
import { RedisCluster } from "../nodes/redisCluster";
import { RedisStandalone } from "../nodes/redisStandalone";
import { RedisUsers, nodeUserHashes, type UserCredentials } from "../nodes/redisUsers";
import { type KubernetesTarget, type NodeEndpoint, runtimeBackend } from "../runtime";
import { type DockerTopology, dockerEndpoint, dockerNodes, placeOnDocker } from "../runtime/dockerPlacement";
import { hostPortsNeeded } from "../runtime/hostPorts";
import { portForwardCommand } from "../runtime/kubernetes/access";
import { PreflightError, preflightHost } from "../runtime/preflight";
import { OWNER_ID, stackObjects } from "../runtime/ownership";
import { programRefusal, withFixedMessage } from "../common/runError";
import { withTls } from "../tls/nodeTls";
import { tlsAddressOutputs } from "../tls/outputs";
import { type SuppliedTlsInputs, stackTls } from "../tls/stackTls";
import { buildTopology, type Topology } from "../topology/topology";
import type { RedisStackArgs } from "./args";
import { DataGuard } from "./dataGuard";
import { FinalBackup } from "../backup/finalBackup";
import { Restore } from "../backup/restore";
import { backupDirOf, backupTargetOf, scheduledBackupDir } from "./stackBackup";
import { StackOwner } from "./stackOwner";
import { deployedBefore } from "./previousDeployment";
import { dataIdentity } from "./dataIdentity";
import { type StackFootprint, overlapProblems } from "./footprint";
import { type CheckedStack, checkStack, plainSecretsOf, rawStackOf } from "./validate";

export const REDIS_STACK_TYPE = "redis-stack:index:RedisStack";

/** What the constructor decides before any resource exists: checked settings, the topology, its placement and the names. */
interface StackPlan extends CheckedStack {
    readonly prefix: string;
    readonly namespace: string;
    readonly topology: Topology;
    /** Runtimes `engine` and `docker`: where the nodes go on the Docker host. */
    readonly docker?: DockerTopology;
    readonly footprint: StackFootprint;
    /** The program made the same objects before RedisStack existed: its children take over their resources. */
    readonly takesOverProgramStack: boolean;
}

// The RedisStacks declared so far by the running program (one list per engine connection: each test under
// setMocks starts a new one). Inside the component package's plugin every construct gets a client of its own
// for the same engine monitor, so a real monitor is known by its address (a mock, by its object).
const declaredByProgram = new WeakMap<object, StackFootprint[]>();
const declaredAt = new Map<string, StackFootprint[]>();
function declaredStacks(): StackFootprint[] {
    const monitor = pulumi.runtime.getMonitor() ?? declaredByProgram;
    const address = (monitor as { getChannel?: () => { getTarget(): string } }).getChannel?.().getTarget();
    let list = address === undefined ? declaredByProgram.get(monitor) : declaredAt.get(address);
    if (!list) {
        list = [];
        if (address === undefined) declaredByProgram.set(monitor, list);
        else declaredAt.set(address, list);
    }
    return list;
}

function planStack(name: string, args: RedisStackArgs): StackPlan {
    const programPrefix = `${pulumi.getProject()}-${pulumi.getStack()}`;
    const prefix = args.namePrefix ?? `${programPrefix}-${name}`;
    let checked: CheckedStack;
    try {
        checked = checkStack(`RedisStack ${name}`, rawStackOf(args), plainSecretsOf(args), {}, stackArgProblems(args));
    } catch (err) {
        throw programRefusal(messageOf(err));
    }
    const { settings } = checked;
    const topology = withTls(buildTopology(settings, prefix), settings);
    const namespace = settings.namespace || kubernetesNamespace(prefix);
    const scheduledDir = settings.backupSchedule !== "" ? scheduledBackupDir(settings, prefix) : undefined;
    const docker = settings.runtime !== "kubernetes" ? placeOnDocker(topology, settings, prefix, scheduledDir) : undefined;
    const footprint: StackFootprint = {
        component: name,
        namePrefix: prefix,
        hostPorts: docker ? hostPortsNeeded(docker) : [],
        ...(docker?.network ? { subnet: docker.network.subnet } : {}),
        ...(docker ? {} : { namespace: { name: namespace, kubeconfig: settings.kubeconfig } }),
        standaloneNode: topology.standalone.name,
    };
    const overlaps = overlapProblems(declaredStacks(), footprint);
    if (overlaps.length > 0)
        throw programRefusal(`invalid RedisStack ${name} configuration:\n` + overlaps.map((p) => `  - ${p}`).join("\n"));
    declaredStacks().push(footprint);
    return {
        ...checked,
        prefix,
        namespace,
        topology,
        ...(docker ? { docker } : {}),
        footprint,
        takesOverProgramStack: prefix === programPrefix,
    };
}

/** A prefix Docker takes at the start of container, volume and network names; an owner id a Docker label takes as it is. */
function stackArgProblems(args: RedisStackArgs): string[] {
    const problems: string[] = [];
    const prefix = args.namePrefix;
    if (prefix !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(prefix))
        problems.push(
            `namePrefix: got ${JSON.stringify(prefix)}; allowed: 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit`,
        );
    const ownerId = args.ownerId;
    if (ownerId !== undefined && ownerId !== "" && !OWNER_ID.test(ownerId))
        problems.push(
            `ownerId: got ${JSON.stringify(ownerId)}; allowed: 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit`,
        );
    else if (ownerId && args.runtime === "kubernetes")
        problems.push(
            `ownerId: got ${JSON.stringify(ownerId)}; allowed: unset with runtime kubernetes (the owner id of objects on a Docker host)`,
        );
    return problems;
}

/** The checks on the Docker host or the Kubernetes cluster that must pass before the stack declares anything. */
async function preflight(plan: StackPlan): Promise<void> {
    const { settings, docker, prefix, namespace } = plan;
    try {
        await preflightHost(docker, prefix, settings.runtime);
    } catch (err) {
        throw err instanceof PreflightError ? programRefusal(err.message) : err;
    }
    if (settings.runtime !== "kubernetes") return;
    // No kubeconfig, an API server that does not answer, an unknown storage class or a namespace of someone else's.
    const problems = await (
        require("../runtime/kubernetes/preflight") as typeof import("../runtime/kubernetes/preflight")
    ).kubernetesPreflightProblems({ ...settings, namespace, stackPrefix: prefix });
    if (problems.length > 0) throw programRefusal(problems.join("\n"));
}

/**
 * A secret argument as a secret (a plain string too). A plain string was checked with the other arguments; a
 * value known only later (another resource's output) is checked when it is, and refused then with the same message.
 */
function secretArgument(component: string, value: pulumi.Input<string> | undefined, problemsOf: (value: string) => string[]) {
    if (value === undefined || value === "") return undefined;
    if (typeof value === "string") return pulumi.secret(value);
    const checked = pulumi.output(value).apply((plain) => {
        const problems = problemsOf(plain);
        if (problems.length > 0) throw programRefusal(new ConfigError(`RedisStack ${component}`, problems).message);
        return plain;
    });
    return pulumi.secret(checked);
}

/** The TLS arguments as the TLS layer takes them, keys as secrets (checked where they are used). */
function suppliedTlsOf(args: RedisStackArgs): SuppliedTlsInputs | undefined {
    const secret = (value: pulumi.Input<string> | undefined) => (value === undefined || value === "" ? undefined : pulumi.secret(value));
    const [caKey, key, clientKey] = [secret(args.tlsCaKey), secret(args.tlsKey), secret(args.tlsClientKey)];
    if (!args.tlsCaCert || !(args.tlsCert || caKey)) return undefined;
    return {
        caCert: args.tlsCaCert,
        ...(caKey ? { caKey } : { cert: args.tlsCert, key }),
        ...(args.tlsClientCert && clientKey ? { clientCert: args.tlsClientCert, clientKey } : {}),
    };
}

/**
 * A Redis Cluster (by default 3 masters with a replica each, the slots split as `redis-cli --cluster create` does)
 * and a standalone Redis node, on a Docker host or a Kubernetes cluster, with the outputs services connect with.
 */
export class RedisStack extends pulumi.ComponentResource {
    /** Announced `host:port` of every cluster node: the seeds for a cluster client, where MOVED redirects point. */
    readonly clusterSeeds: pulumi.Output<string[]>;
    /** `127.0.0.1:port` of every cluster node (Docker), for hosts that cannot reach the announced address; with `natMap`. */
    readonly loopbackSeeds: pulumi.Output<string[]>;
    /** Every cluster node's name, id, role, addresses, master and slot ranges, as the last `up` or `refresh` saw them. */
    readonly clusterNodes: pulumi.Output<ClusterNodeOutput[]>;
    /** ioredis Cluster `natMap` (announced address -> loopback address), to go with `loopbackSeeds`. */
    readonly natMap: pulumi.Output<Record<string, NatAddress>>;
    /** The address the nodes announce (Docker). */
    readonly announceHost: pulumi.Output<string>;
    /** The Docker network to attach service containers to (empty in host mode and on Kubernetes). */
    readonly network: pulumi.Output<string>;
    /** `redis-cli --cluster check` report (empty unless `clusterCheck`). */
    readonly clusterCheck: pulumi.Output<string>;
    readonly standaloneHost: pulumi.Output<string>;
    readonly standalonePort: pulumi.Output<number>;
    /** `redis://host:port` of the standalone node (`rediss://` with TLS), without credentials. */
    readonly standaloneUrl: pulumi.Output<string>;
    readonly standaloneLoopbackUrl: pulumi.Output<string>;
    /** Kubernetes: the stack's namespace. */
    readonly namespace?: pulumi.Output<string>;
    /** Kubernetes: every cluster node's Service, in node order. */
    readonly clusterServices?: pulumi.Output<string[]>;
    /** Kubernetes: the standalone node's Service. */
    readonly standaloneService?: pulumi.Output<string>;
    /** Kubernetes: a `kubectl port-forward` command per cluster node, for one node at a time from outside the cluster. */
    readonly clusterPortForward?: pulumi.Output<string[]>;
    readonly standalonePortForward?: pulumi.Output<string>;
    /**
     * Kubernetes with `externalAccess`: `host:port` of every cluster node for clients outside the cluster, the host
     * `externalHost` (nodePort) or the node's own load balancer's address (loadBalancer).
     */
    readonly clusterExternalSeeds?: pulumi.Output<string[]>;
    /** Kubernetes with `externalAccess`: the standalone node's URL from outside the cluster (`rediss://` with TLS), without credentials. */
    readonly standaloneExternalUrl?: pulumi.Output<string>;
    /** The password (secret); absent without one. */
    readonly redisPassword?: pulumi.Output<string>;
    /** Each ACL user's username and generated password (secret); absent without users. */
    readonly redisUsers?: pulumi.Output<Record<string, UserCredentials>>;
    /**
     * With `metrics`: `host:port` of every node's Prometheus exporter (/metrics), cluster nodes in node order and the
     * standalone node last: a Prometheus static_configs target list.
     */
    readonly metricsTargets?: pulumi.Output<string[]>;
    /** With `backupSchedule`: where the scheduled backups go (a directory on the Docker host; on Kubernetes, the claim). */
    readonly backupLocation?: pulumi.Output<string>;
    /** With `backupSchedule`: the last scheduled backup as this `up` (or preview, refresh) finds it; empty: none yet. */
    readonly lastBackup?: pulumi.Output<string>;
    /** With `tls`: the CA certificate to trust (PEM). */
    readonly tlsCaCert?: pulumi.Output<string>;
    /** With `tls`: the client certificate and key to present (PEM; the key a secret). */
    readonly tlsClientCert?: pulumi.Output<string>;
    readonly tlsClientKey?: pulumi.Output<string>;
    /** With `tls`: TLS seeds and `rediss://` URLs; plain ones too with `tlsPlainPort`. */
    readonly clusterTlsSeeds?: pulumi.Output<string[]>;
    readonly clusterTlsUrls?: pulumi.Output<string[]>;
    readonly standaloneTlsUrl?: pulumi.Output<string>;
    readonly clusterPlainSeeds?: pulumi.Output<string[]>;
    readonly standalonePlainUrl?: pulumi.Output<string>;

    constructor(name: string, args: RedisStackArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        // Bad arguments are refused here, before anything is registered; the host and cluster checks gate the
        // component's registration, which every child waits for, so a refusal there leaves nothing either.
        const plan = planStack(name, args);
        const ready = preflight(plan).then(
            () => opts.dependsOn ?? [],
            (err: unknown) => {
                throw withFixedMessage(err instanceof Error ? err : new Error(messageOf(err)));
            },
        );
        // Its own children (a RedisStack has no RedisStack below it) take over the top-level resources of old.
        const takeOver: pulumi.ResourceTransformation = (child) =>
            child.opts.parent instanceof RedisStack && child.name.startsWith(`${name}-`)
                ? {
                      props: child.props,
                      opts: pulumi.mergeOptions(child.opts, {
                          aliases: [{ name: child.name.slice(name.length + 1), parent: pulumi.rootStackResource }],
                      }),
                  }
                : undefined;
        super(
            REDIS_STACK_TYPE,
            name,
            {},
            {
                ...opts,
                dependsOn: ready as pulumi.Input<pulumi.Input<pulumi.Resource>[]>,
                ...(plan.takesOverProgramStack ? { transformations: [...(opts.transformations ?? []), takeOver] } : {}),
            },
        );
        const { settings, topology, docker, prefix } = plan;
        // On a Docker host: the stack's owner id, which every object it makes carries; first of all, its check refuses
        // objects with the stack's names that are not the stack's (another checkout's of the same names), at preview too.
        const owner = docker
            ? new StackOwner(
                  `${name}-owner`,
                  {
                      stackLabel: prefix,
                      objects: stackObjects(docker),
                      ...(args.ownerId ? { requestedOwnerId: args.ownerId } : {}),
                      // The engine runtime's resources check their own objects against the state; @pulumi/docker's cannot.
                      ...(settings.runtime === "docker"
                          ? { deployedBefore: deployedBefore(`${name}-previous-run`, { parent: this }) }
                          : {}),
                  },
                  { parent: this },
              )
            : undefined;
        // Where the data lives, recorded; every other child waits for it, and its diff refuses a change that would
        // delete the data (a renamed stack, another namespace or storage class) before anything changes.
        const guard = new DataGuard(
            `${name}-data-guard`,
            {
                identity: dataIdentity(settings.runtime, prefix, plan.namespace, settings.storageClass),
                allowDataReplacement: args.allowDataReplacement ?? false,
            },
            { parent: this, ...(owner ? { dependsOn: [owner] } : {}) },
        );
        const child = { parent: this, dependsOn: [guard] };
        const password = secretArgument(name, args.password, passwordProblems);

        // Runtime kubernetes: one provider and namespace for both components (loaded only then).
        const kubernetes: KubernetesTarget | undefined =
            settings.runtime === "kubernetes"
                ? (require("../runtime/kubernetes/target") as typeof import("../runtime/kubernetes/target")).kubernetesTarget(
                      `${name}-kubernetes`,
                      { ...settings, namespace: plan.namespace, stackPrefix: prefix },
                      child,
                  )
                : undefined;
        // ACL users with generated passwords; nothing is declared for a stack without any. With metrics, the
        // exporters' own user is one of them, and with backupSchedule the backup runner's (never in the outputs).
        const scheduled = settings.backupSchedule !== "";
        const systemUsers = [
            ...(settings.metrics ? [{ name: METRICS_USER, rules: METRICS_USER_RULES }] : []),
            ...(scheduled ? [{ name: BACKUP_USER, rules: BACKUP_USER_RULES }] : []),
        ];
        const aclUsers = [...plan.users, ...systemUsers].sort((a, b) => (a.name < b.name ? -1 : 1));
        const users = aclUsers.length > 0 ? new RedisUsers(`${name}-users`, { users: aclUsers }, child) : undefined;
        const metrics = settings.metrics && users ? { image: settings.metricsImage, password: users.passwordOf(METRICS_USER) } : undefined;
        const nodeUsers = users
            ? { rules: nodeAclUsers(users.users, plan.defaultUser), passwordHashes: nodeUserHashes(users, plan.defaultUser, password) }
            : undefined;
        // On Docker the certificates name the addresses the placement gives; on Kubernetes a node's certificate
        // names its Service's ClusterIP, known only once the Service exists.
        const placedNodes = docker ? dockerNodes(docker).map((n) => ({ name: n.name, ...dockerEndpoint(n) })) : [];
        const tls = settings.tls ? stackTls(suppliedTlsOf(args), placedNodes, prefix, `${name}-tls`, child) : undefined;
        const placement = {
            ...(docker ? { docker } : {}),
            ...(owner ? { owner: owner.ownerId } : {}),
            ...(kubernetes ? { kubernetes } : {}),
        };
        const cluster = new RedisCluster(
            `${name}-cluster`,
            {
                topology,
                runtime: settings.runtime,
                ...placement,
                password,
                users: nodeUsers,
                tls,
                check: settings.clusterCheck,
                ...(metrics ? { metrics } : {}),
            },
            child,
        );
        const standalone = new RedisStandalone(
            `${name}-standalone`,
            {
                node: topology.standalone,
                image: topology.image,
                runtime: settings.runtime,
                ...placement,
                ...(cluster.network ? { network: cluster.network } : {}),
                password,
                users: nodeUsers,
                tls,
                ...(metrics ? { metrics } : {}),
            },
            child,
        );

        const backupTarget = backupTargetOf(prefix, topology, cluster.endpoints, standalone.endpoint, password, tls?.client);
        // Seeds a new stack from a backup, once its nodes are formed.
        if (settings.restoreFrom !== "")
            new Restore(
                `${name}-restore`,
                { dir: path.resolve(settings.restoreFrom), target: backupTarget },
                { parent: this, dependsOn: [cluster, standalone] },
            );
        // Always declared, after the nodes: `destroy` deletes it first, and with finalBackup its delete takes the backup.
        new FinalBackup(
            `${name}-final-backup`,
            {
                enabled: settings.finalBackup,
                dir: backupDirOf(settings, prefix),
                target: backupTarget,
            },
            { parent: this, dependsOn: [cluster, standalone] },
        );

        // The scheduled backups' runner, once the nodes it backs up are formed.
        if (scheduled && users) {
            const backups = runtimeBackend(settings.runtime, {
                ...(docker ? { docker } : {}),
                ...(owner ? { owner: owner.ownerId } : {}),
                ...(kubernetes ? { kubernetes: { target: kubernetes, component: name, objects: "backups" } } : {}),
            });
            if (!backups.backupRunner) throw programRefusal(`backupSchedule: runtime ${settings.runtime} has no backup runner`);
            const runner = backups.backupRunner(
                `${name}-backups`,
                {
                    stack: prefix,
                    image: settings.backupImage,
                    schedule: settings.backupSchedule,
                    retention: settings.backupRetention,
                    password: users.passwordOf(BACKUP_USER),
                    ...(tls ? { tls: tls.client } : {}),
                    nodes: pulumi.all([cluster.endpoints, standalone.endpoint]).apply(([clusterEndpoints, standaloneEndpoint]) => ({
                        clusterNodes: topology.clusterNodes.map((n, i) => ({ name: n.name, endpoint: clusterEndpoints[i] })),
                        standalone: { name: topology.standalone.name, endpoint: standaloneEndpoint },
                    })),
                    ...(cluster.network ? { network: cluster.network } : {}),
                    storageSize: settings.backupStorageSize,
                    retainData: settings.retainData,
                    nodeImage: topology.image,
                },
                { parent: this, dependsOn: [cluster, standalone] },
            );
            this.backupLocation = runner.location;
            this.lastBackup = runner.lastBackup;
        }

        this.clusterSeeds = cluster.seeds;
        this.loopbackSeeds = cluster.loopbackSeeds;
        this.clusterNodes = pulumi
            .all([cluster.nodes, cluster.endpoints])
            .apply(([states, endpoints]) => clusterNodeOutputs(topology, states, endpoints));
        this.natMap = cluster.natMap;
        // Docker only (empty on Kubernetes): the address the nodes announce, and the network to join (none in host mode).
        this.announceHost = pulumi.output(docker?.clusterNodes[0].announceHost ?? "");
        this.network = cluster.network?.name ?? pulumi.output("");
        this.clusterCheck = cluster.checkReport;
        this.standaloneHost = standalone.host;
        this.standalonePort = standalone.port;
        this.standaloneUrl = standalone.url;
        this.standaloneLoopbackUrl = standalone.loopbackUrl;
        if (kubernetes) {
            const namespace = plan.namespace;
            this.namespace = kubernetes.namespace;
            this.clusterServices = cluster.endpoints.apply((endpoints) => endpoints.map((e) => e.serviceName ?? ""));
            this.standaloneService = standalone.endpoint.apply((e) => e.serviceName ?? "");
            this.clusterPortForward = cluster.endpoints.apply((endpoints) =>
                endpoints.map((e) => portForwardCommand(namespace, e.serviceName ?? "", e.announcePort)),
            );
            this.standalonePortForward = standalone.endpoint.apply((e) =>
                portForwardCommand(namespace, e.serviceName ?? "", e.announcePort),
            );
            if (settings.externalAccess !== "none") {
                // At the node's client port: its NodePort, or its load balancer's port.
                const external = (e: NodeEndpoint) => `${e.externalHost ?? ""}:${e.announcePort}`;
                this.clusterExternalSeeds = cluster.endpoints.apply((endpoints) => endpoints.map(external));
                this.standaloneExternalUrl = standalone.endpoint.apply((e) => `${settings.tls ? "rediss" : "redis"}://${external(e)}`);
            }
        }
        if (password) this.redisPassword = password;
        if (plan.users.length > 0 && users)
            this.redisUsers = users.credentials.apply((all) =>
                Object.fromEntries(Object.entries(all).filter(([n]) => !systemUsers.some((u) => u.name === n))),
            );
        if (metrics && cluster.metricsTargets && standalone.metricsTarget)
            this.metricsTargets = pulumi
                .all([cluster.metricsTargets, standalone.metricsTarget])
                .apply(([clusterTargets, standaloneTarget]) => [...clusterTargets, standaloneTarget]);
        if (tls) {
            // At the addresses the nodes announce: the placement's on Docker, the Services' ClusterIPs on Kubernetes.
            const addresses = pulumi
                .all([cluster.endpoints, standalone.endpoint])
                .apply(([clusterEndpoints, standaloneEndpoint]) => tlsAddressOutputs(clusterEndpoints, standaloneEndpoint, settings));
            this.tlsCaCert = tls.caCert;
            this.tlsClientCert = tls.client.apply((c) => c.cert);
            this.tlsClientKey = tls.client.apply((c) => c.key);
            this.clusterTlsSeeds = addresses.clusterTlsSeeds;
            this.clusterTlsUrls = addresses.clusterTlsUrls;
            this.standaloneTlsUrl = addresses.standaloneTlsUrl;
            if (settings.tlsPlainPort) {
                this.clusterPlainSeeds = addresses.apply((a) => a.clusterPlainSeeds ?? []);
                this.standalonePlainUrl = addresses.apply((a) => a.standalonePlainUrl ?? "");
            }
        }
        // Nothing registered: programs read these properties (the program exports them), and a copy here would
        // only double them in the state.
        this.registerOutputs({});
    }
}

/** Every output a RedisStack may have, in the order the program exports them. */
export const REDIS_STACK_OUTPUTS = [
    "clusterSeeds",
    "loopbackSeeds",
    "clusterNodes",
    "natMap",
    "announceHost",
    "network",
    "clusterCheck",
    "standaloneHost",
    "standalonePort",
    "standaloneUrl",
    "standaloneLoopbackUrl",
    "namespace",
    "clusterServices",
    "standaloneService",
    "clusterPortForward",
    "standalonePortForward",
    "clusterExternalSeeds",
    "standaloneExternalUrl",
    "redisPassword",
    "redisUsers",
    "metricsTargets",
    "backupLocation",
    "lastBackup",
    "tlsCaCert",
    "tlsClientCert",
    "tlsClientKey",
    "clusterTlsSeeds",
    "clusterTlsUrls",
    "standaloneTlsUrl",
    "clusterPlainSeeds",
    "standalonePlainUrl",
] as const satisfies readonly (keyof RedisStack)[];

/** The outputs a stack has (those that do not apply to it are absent), by name: what a program exports. */
export function outputsOf(stack: RedisStack): Record<string, pulumi.Output<unknown>> {
    const present = REDIS_STACK_OUTPUTS.filter((key) => stack[key] !== undefined);
    return Object.fromEntries(present.map((key) => [key, stack[key] as pulumi.Output<unknown>]));
}
