// `engine` runtime, program side: a container beside the nodes that holds no data (a node's metrics exporter, the
// scheduled backups' runner), as a thin dynamic resource; its provider is ./sidecarProvider.ts, loaded by name in Pulumi's provider process.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../../providers/dynamicResource";
import type { ContainerFile } from "../../contracts/nodeFiles";
import type { ContainerCreateBody } from "../containerSpec";
import type { StackOwnerId } from "../ownership";

export interface EngineSidecarArgs {
    readonly body: pulumi.Input<ContainerCreateBody>;
    /** Written into the container before it starts (secret: they may hold a password or a key). */
    readonly files: pulumi.Input<ContainerFile[]>;
    /** The setting that names its image, for the error when it cannot be had. */
    readonly imageSetting: string;
    /** The stack's owner id, labelled on the container when it is made (../ownership.ts). */
    readonly owner?: pulumi.Input<StackOwnerId>;
    /** Host directories its bind mounts need, made (0700, the container user's) before it is. */
    readonly hostDirs?: readonly string[];
}

/** A stateless container: made again on any change to its body or files, and brought back when it stopped or went. */
export class EngineSidecar extends ThinDynamicResource {
    declare readonly containerId: pulumi.Output<string>;

    constructor(name: string, args: EngineSidecarArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/runtime/engine/sidecarProvider",
            "EngineSidecar",
            name,
            { ...args, files: pulumi.secret(args.files), containerId: undefined },
            { deleteBeforeReplace: true, ...opts, additionalSecretOutputs: ["files"] },
        );
    }
}
