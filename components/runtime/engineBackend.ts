// `engine` runtime: the stack's Docker placement through this project's Docker Engine API providers (no plugin download).
import * as pulumi from "@pulumi/pulumi";
import type { NodeSpec } from "../topology/topology";
import type { NodeContext, NodeResources, RuntimeBackend } from "./backend";
import { containerCreateBody, exporterCreateBody } from "./containerSpec";
import { type DockerTopology, STACK_LABEL, dockerEndpoint, placedNode } from "./dockerPlacement";
import { EngineContainer } from "./engine/container";
import { EngineNetwork } from "./engine/network";
import { EngineVolume } from "./engine/volume";
import { EngineSidecar } from "./engine/sidecar";
import { exporterFiles } from "./exporterFiles";
import { backupRunner } from "./engineBackupRunner";

/** `owner`: the stack's owner id; each resource labels its object with it when it makes one (./ownership.ts). */
export function engineBackend(placement: DockerTopology, owner?: pulumi.Input<string>): RuntimeBackend {
    const stackLabel = placement.standalone.labels[STACK_LABEL];
    const stackOwner = owner === undefined ? undefined : pulumi.output(owner).apply((ownerId) => ({ stackLabel, ownerId }));
    return {
        capabilities: { rollsOneNodeAtATime: true, changesPasswordInPlace: true },

        plannedEndpoint: (node: NodeSpec) => dockerEndpoint(placedNode(placement, node)),

        image(_name: string, image: string) {
            // The container provider pulls a missing image when it creates a container.
            return pulumi.output(image);
        },

        network(name: string, opts: pulumi.CustomResourceOptions) {
            if (!placement.network) return undefined;
            const network = new EngineNetwork(name, { spec: placement.network, ...(stackOwner ? { owner: stackOwner } : {}) }, opts);
            return { name: network.name, id: network.id };
        },

        node(name: string, spec: NodeSpec, context: NodeContext, opts: pulumi.CustomResourceOptions): NodeResources {
            const node = placedNode(placement, spec);
            const volume = new EngineVolume(
                `${name}-data`,
                { name: node.volume, labels: { ...node.volumeLabels }, ...(stackOwner ? { owner: stackOwner } : {}) },
                { ...opts, retainOnDelete: node.retainData },
            );
            const body = pulumi
                .all([context.image, context.network?.name])
                .apply(([image, networkName]) =>
                    containerCreateBody(node, { image, ...(networkName ? { network: { name: networkName } } : {}) }),
                );
            const container = new EngineContainer(
                name,
                {
                    body,
                    password: context.password,
                    ...(context.tls ? { tls: context.tls } : {}),
                    dependsOnIds: context.network ? [volume.id, context.network.id] : [volume.id],
                    endpoint: { name: node.name, ...node.hostAddress },
                    ...(context.lifecycle ? { lifecycle: context.lifecycle } : {}),
                    ...(context.users ? { users: context.users.rules, userPasswordHashes: context.users.passwordHashes } : {}),
                    redisConfig: node.redisConfig,
                    limits: node.limits,
                    ...(stackOwner ? { owner: stackOwner } : {}),
                },
                opts,
            );
            const exporter = node.exporter;
            const metrics = context.metrics;
            if (!exporter || !metrics)
                return { containerId: container.containerId, container, endpoint: pulumi.output(dockerEndpoint(node)) };
            // Beside the node, after it: its files are the password file and, with TLS, the node's own TLS files.
            const sidecar = new EngineSidecar(
                `${name}-metrics`,
                {
                    body: pulumi
                        .all([metrics.image, context.network?.name])
                        .apply(([image, networkName]) =>
                            exporterCreateBody(exporter, { image, ...(networkName ? { network: { name: networkName } } : {}) }),
                        ),
                    files: exporterFiles(exporter.target, metrics.password, context.tls),
                    imageSetting: "metricsImage",
                    ...(stackOwner ? { owner: stackOwner } : {}),
                },
                { ...opts, dependsOn: [container] },
            );
            return {
                containerId: container.containerId,
                container,
                endpoint: pulumi.output(dockerEndpoint(node)),
                metricsTarget: sidecar.containerId.apply(() => exporter.scrapeAddress),
            };
        },

        backupRunner: (name, context, opts) => backupRunner(name, placement, context, stackOwner, opts),
    };
}
