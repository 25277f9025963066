// `engine` runtime, program side: the stack's bridge network; its provider is ./networkProvider.ts.
import * as pulumi from "@pulumi/pulumi";
import type { NetworkSpec } from "../dockerPlacement";
import type { StackOwnerId } from "../ownership";
import { ThinDynamicResource } from "../../providers/dynamicResource";

export class EngineNetwork extends ThinDynamicResource {
    declare readonly name: pulumi.Output<string>;

    /** `owner`: the stack's owner id, labelled on the network when it is made (./networkProvider.ts). */
    constructor(name: string, args: { spec: NetworkSpec; owner?: pulumi.Input<StackOwnerId> }, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/runtime/engine/networkProvider",
            "EngineNetwork",
            name,
            { ...args, name: undefined },
            { deleteBeforeReplace: true, ...opts },
        );
    }
}
