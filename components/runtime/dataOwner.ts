// `docker` runtime, program side: hands a node's data volume to the node's user once, before the node's
// container (which runs as that user) is made on it; its provider is ./dataOwnerProvider.ts. The `engine`
// runtime does the same inside its container provider, at every container it makes.
import type * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";

export interface DataOwnerArgs {
    /** The node's container: stopped first if it runs (a container an earlier release made, about to be replaced). */
    readonly node: string;
    readonly image: pulumi.Input<string>;
    readonly volume: pulumi.Input<string>;
    /** The node's labels: the stack's own, which the data owner carries and which a running container must carry to be stopped. */
    readonly labels: pulumi.Input<Readonly<Record<string, string>>>;
}

export class DataOwner extends ThinDynamicResource {
    constructor(name: string, args: DataOwnerArgs, opts: pulumi.CustomResourceOptions = {}) {
        // Replaced before anything that depends on it (a new volume): its dependents are deleted first, then it runs.
        super("redis-stack/components/runtime/dataOwnerProvider", "DataOwner", name, { ...args }, { deleteBeforeReplace: true, ...opts });
    }
}
