// `docker` runtime: the stack's Docker placement as @pulumi/docker resources. Pulumi replaces every changed container at
// once here, a new password included (there is no hook to fail a master over first or to re-key a
// running node, so it ignores node lifecycles), which is why `engine` is the default.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { accountsOf } from "../settings/aclUsers";
import { HealthCheckSpec } from "../topology/nodeHealth";
import { NodeLimits } from "../settings/nodeLimits";
import { SETTINGS_CONFIG_PATH, renderSettingsFile } from "../settings/redisSettings";
import { AUTH_CONFIG_PATH, DATA_DIR, type NodeSpec, authConfig, redisCommand } from "../topology/topology";
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH, tlsFiles } from "../tls/nodeTls";
import type { NodeContext, NodeResources, RuntimeBackend } from "./backend";
import { type DockerExporter, type DockerTopology, dockerEndpoint, placedNode } from "./dockerPlacement";
import { exporterArgs } from "../topology/metricsExporter";
import { exporterFiles } from "./exporterFiles";
import { OWNER_LABEL } from "./ownership";
import { DataOwner } from "./dataOwner";
import { NODE_FILE_MODE, NODE_GID, NODE_UID, NODE_USER } from "../topology/nodeUser";

const labelList = (labels: Readonly<Record<string, string>>) => Object.entries(labels).map(([label, value]) => ({ label, value }));

/** An uploaded file as the node's user's, readable by it alone (../topology/nodeUser.ts). */
const NODE_FILE = { owner: String(NODE_UID), group: String(NODE_GID), permissions: `0${NODE_FILE_MODE.toString(8)}` };

/** `opts.dependsOn` and `more`, as one list. */
function dependingOn(opts: pulumi.CustomResourceOptions, ...more: pulumi.Resource[]): pulumi.Input<pulumi.Input<pulumi.Resource>[]> {
    const given = opts.dependsOn;
    if (given === undefined) return more;
    return pulumi.output(given).apply((list) => [...(Array.isArray(list) ? list : [list]), ...more]);
}

/**
 * Labels are set when an object is made and never changed: a changed label would make @pulumi/docker replace the
 * object (a volume with its data), and objects an earlier release made carry no owner id (./ownership.ts).
 */
const LABELS_AS_MADE: pulumi.CustomResourceOptions = { ignoreChanges: ["labels"] };

/** @pulumi/docker's health check: durations as Go duration strings. */
export function dockerProviderHealthcheck(spec: HealthCheckSpec): docker.types.input.ContainerHealthcheck {
    const duration = (ms: number) => `${ms}ms`;
    return {
        tests: [...spec.test],
        interval: duration(spec.intervalMs),
        timeout: duration(spec.timeoutMs),
        startPeriod: duration(spec.startPeriodMs),
        retries: spec.retries,
    };
}

/** @pulumi/docker's limits: memory in MiB (rounded up; limits are validated to at least 32 MiB), CPUs as text. */
export function dockerProviderLimits(limits: NodeLimits): { memory?: number; memorySwap?: number; cpus?: string } {
    const memory = limits.memoryBytes !== undefined ? Math.ceil(limits.memoryBytes / 2 ** 20) : undefined;
    return {
        ...(memory !== undefined ? { memory, memorySwap: memory } : {}),
        ...(limits.nanoCpus !== undefined ? { cpus: String(limits.nanoCpus / 1e9) } : {}),
    };
}

/** `owner`: the stack's owner id, which every object gets as a label (./ownership.ts). */
export function dockerBackend(placement: DockerTopology, owner?: pulumi.Input<string>): RuntimeBackend {
    const labelled = (labels: Readonly<Record<string, string>>) => [
        ...labelList(labels),
        ...(owner === undefined ? [] : [{ label: OWNER_LABEL, value: owner }]),
    ];
    return {
        capabilities: { rollsOneNodeAtATime: false, changesPasswordInPlace: false },

        plannedEndpoint: (node: NodeSpec) => dockerEndpoint(placedNode(placement, node)),

        image(name: string, image: string, opts: pulumi.CustomResourceOptions) {
            // keepLocally: other stacks on the host may use the same image.
            return new docker.RemoteImage(name, { name: image, keepLocally: true }, opts).imageId;
        },

        network(name: string, opts: pulumi.CustomResourceOptions) {
            const spec = placement.network;
            if (!spec) return undefined;
            const network = new docker.Network(
                name,
                {
                    name: spec.name,
                    driver: "bridge",
                    ipamConfigs: [{ subnet: spec.subnet, gateway: spec.gateway }],
                    labels: labelled(spec.labels),
                },
                { ...opts, ...LABELS_AS_MADE },
            );
            return { name: network.name, id: network.id };
        },

        node(name: string, spec: NodeSpec, context: NodeContext, opts: pulumi.CustomResourceOptions): NodeResources {
            const node = placedNode(placement, spec);
            const tlsFileNames = context.tls ? [TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH] : [];
            const volume = new docker.Volume(
                `${name}-data`,
                { name: node.volume, labels: labelled(node.volumeLabels) },
                { ...opts, retainOnDelete: node.retainData, ...LABELS_AS_MADE },
            );
            // The password and the ACL users (their passwords' hashes) go into a file uploaded before the
            // container starts (a secret in state), never onto the command line. A change replaces the container.
            const rules = context.users?.rules ?? [];
            const content = pulumi
                .all([context.password ?? "", context.users?.passwordHashes ?? {}])
                .apply(([password, hashes]) => authConfig(password || undefined, accountsOf(rules, hashes)));
            const uploads = [
                { file: AUTH_CONFIG_PATH, content: pulumi.secret(content), ...NODE_FILE },
                // Included by the auth file; a change replaces the container (no hook for CONFIG SET here).
                { file: SETTINGS_CONFIG_PATH, content: renderSettingsFile(node.redisConfig), ...NODE_FILE },
                // The TLS files the same way (secret content: the key), when the node speaks TLS.
                ...tlsFileNames.map((file, i) => ({
                    file,
                    content: pulumi.secret(pulumi.output(context.tls!).apply((tls) => tlsFiles(tls)[i].content)),
                    ...NODE_FILE,
                })),
            ];
            // The container runs as the node's user: its volume is handed to that user first (data an earlier
            // release's root-run node wrote is root's).
            const dataOwner = new DataOwner(
                `${name}-data-owner`,
                {
                    node: node.name,
                    image: context.image,
                    volume: volume.name,
                    labels: owner === undefined ? node.labels : pulumi.output(owner).apply((id) => ({ ...node.labels, [OWNER_LABEL]: id })),
                },
                opts,
            );
            const container = new docker.Container(
                name,
                {
                    name: node.name,
                    image: context.image,
                    command: redisCommand(node),
                    user: NODE_USER,
                    // Least privilege: redis-server needs no capability as its own user, and gains none.
                    capabilities: { drops: ["ALL"] },
                    securityOpts: ["no-new-privileges"],
                    uploads,
                    labels: labelled(node.labels),
                    restart: "unless-stopped",
                    mustRun: true,
                    healthcheck: dockerProviderHealthcheck(node.health),
                    ...dockerProviderLimits(node.limits),
                    ...(context.network
                        ? { networksAdvanced: [{ name: context.network.name, aliases: [node.name] }] }
                        : { networkMode: "host" }),
                    ports: node.ports.map((p) => ({ internal: p.containerPort, external: p.hostPort, ip: p.hostIp })),
                    mounts: [{ type: "volume", source: volume.name, target: DATA_DIR }],
                },
                { ...opts, dependsOn: dependingOn(opts, dataOwner), deleteBeforeReplace: true, ...LABELS_AS_MADE },
            );
            const metrics = node.exporter && context.metrics;
            if (!node.exporter || !metrics) return { containerId: container.id, container, endpoint: pulumi.output(dockerEndpoint(node)) };
            const exporter = exporterContainer(`${name}-metrics`, node.exporter, metrics, context, {
                ...opts,
                dependsOn: dependingOn(opts, container),
            });
            return {
                containerId: container.id,
                container,
                endpoint: pulumi.output(dockerEndpoint(node)),
                metricsTarget: exporter.id.apply(() => node.exporter!.scrapeAddress),
            };
        },
    };

    /** A node's exporter (metrics): its own container beside the node, as ../engine/sidecar.ts makes it on the engine runtime. */
    function exporterContainer(
        name: string,
        exporter: DockerExporter,
        metrics: NonNullable<NodeContext["metrics"]>,
        context: NodeContext,
        opts: pulumi.CustomResourceOptions,
    ): docker.Container {
        const image = new docker.RemoteImage(`${name}-image`, { name: metrics.image, keepLocally: true }, opts).imageId;
        // The password file (and the node's TLS files) uploaded before it starts, a secret in state; never on its command line.
        const files = exporterFiles(exporter.target, metrics.password, context.tls);
        const uploads = pulumi.secret(files.apply((list) => list.map((f) => ({ file: f.path, content: f.content, ...NODE_FILE }))));
        return new docker.Container(
            name,
            {
                name: exporter.name,
                image,
                command: exporterArgs(exporter.target),
                user: NODE_USER,
                capabilities: { drops: ["ALL"] },
                securityOpts: ["no-new-privileges"],
                uploads,
                labels: labelled(exporter.labels),
                restart: "unless-stopped",
                mustRun: true,
                ...(context.network
                    ? { networksAdvanced: [{ name: context.network.name, aliases: [exporter.name] }] }
                    : { networkMode: "host" }),
                ports: exporter.ports.map((p) => ({ internal: p.containerPort, external: p.hostPort, ip: p.hostIp })),
            },
            { ...opts, deleteBeforeReplace: true, ...LABELS_AS_MADE },
        );
    }
}
