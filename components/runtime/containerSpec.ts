// Pure: a node as placed on a Docker host -> the Docker Engine API body that creates its container. Used
// by the `engine` runtime, the integration fixtures and the benchmark, so all of them run the same containers.
import type { AclAccount } from "../settings/aclUsers";
import type { ContainerFile } from "../contracts/nodeFiles";
import { dockerHealthcheck } from "../topology/nodeHealth";
import { NodeLimits, dockerLimitFields } from "../settings/nodeLimits";
import { RedisSettings, SETTINGS_CONFIG_PATH, renderSettingsFile } from "../settings/redisSettings";
import { AUTH_CONFIG_PATH, DATA_DIR, authConfig, redisCommand } from "../topology/topology";
import type { DockerExporter, DockerNode, NetworkSpec } from "./dockerPlacement";
import { exporterArgs } from "../topology/metricsExporter";
import { NODE_USER } from "../topology/nodeUser";
import { BACKUP_MOUNT } from "../backup/backupSchedule";
import type { DockerBackupRunner } from "./dockerBackupRunner";

export interface ContainerCreateBody {
    readonly name: string;
    readonly Image: string;
    readonly Cmd: string[];
    /** uid:gid redis-server runs as (nodeUser.ts): never root. */
    readonly User: string;
    readonly Labels: Record<string, string>;
    readonly Healthcheck?: ReturnType<typeof dockerHealthcheck>;
    readonly ExposedPorts: Record<string, object>;
    readonly HostConfig: {
        readonly NetworkMode: string;
        readonly PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
        readonly Mounts: { Type: "volume" | "bind"; Source: string; Target: string }[];
        readonly RestartPolicy: { Name: string };
        readonly CapDrop: string[];
        readonly SecurityOpt: string[];
        /** Limits (nodeLimits.ts): not part of a node's declared body, so a change updates the container in place. */
        readonly Memory?: number;
        readonly MemorySwap?: number;
        readonly NanoCpus?: number;
    };
    readonly NetworkingConfig?: { EndpointsConfig: Record<string, { Aliases: string[] }> };
}

/** Docker's port key for a TCP port. */
export const tcp = (port: number) => `${port}/tcp`;

/** The create body; it never holds the password, which goes in the auth config file instead. */
export function containerCreateBody(
    node: DockerNode,
    topology: { readonly image: string; readonly network?: Pick<NetworkSpec, "name"> },
): ContainerCreateBody {
    const { bindings: portBindings, exposed } = portFields(node.ports);
    const networkName = topology.network?.name;
    return {
        name: node.name,
        Image: topology.image,
        Cmd: redisCommand(node),
        User: NODE_USER,
        Labels: { ...node.labels },
        Healthcheck: dockerHealthcheck(node.health),
        ExposedPorts: exposed,
        HostConfig: {
            NetworkMode: networkName ?? "host",
            PortBindings: portBindings,
            Mounts: [{ Type: "volume", Source: node.volume, Target: DATA_DIR }],
            // Nodes come back by themselves after a crash or an engine restart, with nodes.conf intact.
            RestartPolicy: { Name: "unless-stopped" },
            // Least privilege: redis-server needs no capability as its own user, and gains none (setuid files).
            CapDrop: ["ALL"],
            SecurityOpt: ["no-new-privileges"],
        },
        ...(networkName ? { NetworkingConfig: { EndpointsConfig: { [networkName]: { Aliases: [node.name] } } } } : {}),
    };
}

/** Docker's port bindings and exposed ports of published ports. */
function portFields(ports: DockerNode["ports"]) {
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of ports) (bindings[tcp(p.containerPort)] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
    return { bindings, exposed: Object.fromEntries(Object.keys(bindings).map((k) => [k, {}])) };
}

/**
 * A node's exporter container (metrics): the exporter's image running as the node's user (its files are that
 * user's, mode 0400), no capability, on the node's network; no volume, no health check of its own (/metrics
 * answers, with redis_up 0, while the node is down). Its root stays writable only because Docker writes no file
 * into a read-only one (the password file goes in before it starts); the exporter's user owns no directory there.
 */
export function exporterCreateBody(
    exporter: DockerExporter,
    topology: { readonly image: string; readonly network?: Pick<NetworkSpec, "name"> },
): ContainerCreateBody {
    const { bindings, exposed } = portFields(exporter.ports);
    const networkName = topology.network?.name;
    return {
        name: exporter.name,
        Image: topology.image,
        Cmd: exporterArgs(exporter.target),
        User: NODE_USER,
        Labels: { ...exporter.labels },
        ExposedPorts: exposed,
        HostConfig: {
            NetworkMode: networkName ?? "host",
            PortBindings: bindings,
            Mounts: [],
            RestartPolicy: { Name: "unless-stopped" },
            CapDrop: ["ALL"],
            SecurityOpt: ["no-new-privileges"],
        },
        ...(networkName ? { NetworkingConfig: { EndpointsConfig: { [networkName]: { Aliases: [exporter.name] } } } } : {}),
    };
}

/**
 * The scheduled backups' runner (backupSchedule): its image's runner on the schedule, as `user` (the uid:gid of who
 * runs Pulumi, so that the backups on the host are theirs; its job file too), no capability, on the stack's
 * network, the host directory mounted where it writes, no port.
 */
export function backupRunnerCreateBody(
    runner: DockerBackupRunner,
    topology: { readonly image: string; readonly network?: Pick<NetworkSpec, "name"> },
    user: string,
): ContainerCreateBody {
    const networkName = topology.network?.name;
    return {
        name: runner.name,
        Image: topology.image,
        Cmd: ["schedule"],
        User: user,
        Labels: { ...runner.labels },
        ExposedPorts: {},
        HostConfig: {
            NetworkMode: networkName ?? "host",
            PortBindings: {},
            Mounts: [{ Type: "bind", Source: runner.hostDir, Target: BACKUP_MOUNT }],
            RestartPolicy: { Name: "unless-stopped" },
            CapDrop: ["ALL"],
            SecurityOpt: ["no-new-privileges"],
        },
        ...(networkName ? { NetworkingConfig: { EndpointsConfig: { [networkName]: { Aliases: [runner.name] } } } } : {}),
    };
}

/** The body a container is created with: the declared body plus its limits. */
export function withLimits(body: ContainerCreateBody, limits: NodeLimits | undefined): ContainerCreateBody {
    return limits ? { ...body, HostConfig: { ...body.HostConfig, ...dockerLimitFields(limits) } } : body;
}

/**
 * The files a node's container needs besides its image: the auth config (the settings file's include,
 * the password and the ACL users, if any) and the passed-through settings (empty without any). Always
 * both: the auth file includes the settings file, and redis-server refuses to start when an included
 * file is missing.
 */
export function authConfigFiles(
    password: string | undefined,
    users: readonly AclAccount[] = [],
    redisConfig: RedisSettings = {},
): ContainerFile[] {
    return [
        { path: AUTH_CONFIG_PATH, content: authConfig(password, users) },
        { path: SETTINGS_CONFIG_PATH, content: renderSettingsFile(redisConfig) },
    ];
}
