// `engine` runtime, program side: a node's named data volume; its provider is ./volumeProvider.ts.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../../providers/dynamicResource";

export class EngineVolume extends ThinDynamicResource {
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: { name: string; labels: Record<string, string> }, opts: pulumi.CustomResourceOptions = {}) {
        super("redis-stack/components/runtime/engine/volumeProvider", "EngineVolume", name, args, { deleteBeforeReplace: true, ...opts });
    }
}
