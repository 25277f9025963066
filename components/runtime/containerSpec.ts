// Pure: a node spec -> the Docker Engine API body that creates its container. Used by the `engine`
// runtime, the integration fixtures and the benchmark, so all of them run the same containers.
import type { AclAccount } from "../aclUsers";
import { AUTH_CONFIG_PATH, DATA_DIR, NodeSpec, Topology, authConfig, redisCommand } from "../topology";

export interface ContainerCreateBody {
    readonly name: string;
    readonly Image: string;
    readonly Cmd: string[];
    readonly Labels: Record<string, string>;
    readonly ExposedPorts: Record<string, object>;
    readonly HostConfig: {
        readonly NetworkMode: string;
        readonly PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
        readonly Mounts: { Type: "volume"; Source: string; Target: string }[];
        readonly RestartPolicy: { Name: string };
    };
    readonly NetworkingConfig?: { EndpointsConfig: Record<string, { Aliases: string[] }> };
}

/** Docker's port key for a TCP port. */
export const tcp = (port: number) => `${port}/tcp`;

/** A file to put into a container before it starts. */
export interface ContainerFile {
    readonly path: string;
    readonly content: string;
}

/** The create body; it never holds the password, which goes in the auth config file instead. */
export function containerCreateBody(node: NodeSpec, topology: Pick<Topology, "image" | "network">): ContainerCreateBody {
    const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of node.ports) {
        (portBindings[tcp(p.containerPort)] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
    }
    const networkName = topology.network?.name;
    return {
        name: node.name,
        Image: topology.image,
        Cmd: redisCommand(node),
        Labels: { ...node.labels },
        ExposedPorts: Object.fromEntries(Object.keys(portBindings).map((k) => [k, {}])),
        HostConfig: {
            NetworkMode: networkName ?? "host",
            PortBindings: portBindings,
            Mounts: [{ Type: "volume", Source: node.volume, Target: DATA_DIR }],
            // Nodes come back by themselves after a crash or an engine restart, with nodes.conf intact.
            RestartPolicy: { Name: "unless-stopped" },
        },
        ...(networkName ? { NetworkingConfig: { EndpointsConfig: { [networkName]: { Aliases: [node.name] } } } } : {}),
    };
}

/** The files a node's container needs besides its image: the auth config (empty without a password or users). */
export function authConfigFiles(password: string | undefined, users: readonly AclAccount[] = []): ContainerFile[] {
    return [{ path: AUTH_CONFIG_PATH, content: authConfig(password, users) }];
}
