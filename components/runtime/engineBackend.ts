// `engine` runtime: node specs through this project's Docker Engine API providers (no plugin download).
import * as pulumi from "@pulumi/pulumi";
import type { NetworkSpec, NodeSpec, Topology } from "../topology";
import type { NodeContext, NodeResources, RuntimeBackend } from "./backend";
import { containerCreateBody } from "./containerSpec";
import { EngineContainer } from "./engine/container";
import { EngineNetwork } from "./engine/network";
import { EngineVolume } from "./engine/volume";

export const engineBackend: RuntimeBackend = {
    capabilities: { rollsOneNodeAtATime: true, changesPasswordInPlace: true },

    image(_name: string, image: string) {
        // The container provider pulls a missing image when it creates a container.
        return pulumi.output(image);
    },

    network(name: string, spec: NetworkSpec, opts: pulumi.CustomResourceOptions) {
        const network = new EngineNetwork(name, { spec }, opts);
        return { name: network.name, id: network.id };
    },

    node(name: string, node: NodeSpec, context: NodeContext, opts: pulumi.CustomResourceOptions): NodeResources {
        const volume = new EngineVolume(
            `${name}-data`,
            { name: node.volume, labels: { ...node.volumeLabels } },
            { ...opts, retainOnDelete: node.retainVolume },
        );
        const body = pulumi.all([context.image, context.network?.name]).apply(([image, networkName]) => {
            const network = networkName ? ({ name: networkName } as Topology["network"]) : undefined;
            return containerCreateBody(node, { image, network });
        });
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
            },
            opts,
        );
        return { containerId: container.containerId, container };
    },
};
