// `engine` runtime, program side: the stack's bridge network; its provider is ./networkProvider.ts.
import * as pulumi from "@pulumi/pulumi";
import type { NetworkSpec } from "../dockerPlacement";
import { ThinDynamicResource } from "../../providers/dynamicResource";

export class EngineNetwork extends ThinDynamicResource {
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: { spec: NetworkSpec }, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/runtime/engine/networkProvider",
            "EngineNetwork",
            name,
            { ...args, name: undefined },
            { deleteBeforeReplace: true, ...opts },
        );
    }
}
