// `engine` runtime, program side: a node's named data volume; its provider is ./volumeProvider.ts.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../../providers/dynamicResource";
import type { StackOwnerId } from "../ownership";

export class EngineVolume extends ThinDynamicResource {
    declare readonly name: pulumi.Output<string>;

    /** `owner`: the stack's owner id, labelled on the volume when it is made (./volumeProvider.ts). */
    constructor(
        name: string,
        args: { name: string; labels: Record<string, string>; owner?: pulumi.Input<StackOwnerId> },
        opts: pulumi.CustomResourceOptions = {},
    ) {
        super("redis-stack/components/runtime/engine/volumeProvider", "EngineVolume", name, args, { deleteBeforeReplace: true, ...opts });
    }
}
