// StackOwner, program side: one per RedisStack on a Docker host, holding the stack's owner id (a random id made at
// its first up and kept in its state), which every container, volume and network of the stack carries as a label
// (runtime/ownership.ts). Every other child waits for it; its check (which preview runs too) refuses, before
// anything changes, when an object with the stack's names is not the stack's. Provider: ./stackOwnerProvider.ts.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";
import type { ObjectKind } from "../runtime/ownership";

export interface StackOwnerArgs {
    /** The stack's STACK_LABEL value: its name prefix. */
    readonly stackLabel: string;
    /** Every container, volume and network the stack names (runtime/ownership.ts stackObjects). */
    readonly objects: readonly { readonly kind: ObjectKind; readonly name: string }[];
    /** RedisStack's ownerId: the owner id a stack without one takes, to take back objects that carry it. */
    readonly requestedOwnerId?: string;
    /**
     * Whether the stack had been deployed before this run (its last outputs), asked where no resource of the stack
     * checks its own objects (the `docker` runtime): a stack that never ran cannot have made an object that carries
     * its stack label and no owner id (an earlier release's), so such an object is refused. Unset: not asked.
     */
    readonly deployedBefore?: pulumi.Input<boolean>;
}

export class StackOwner extends ThinDynamicResource {
    /** The stack's owner id: known at preview too (the provider's check sets it). */
    declare readonly ownerId: pulumi.Output<string>;

    constructor(name: string, args: StackOwnerArgs, opts: pulumi.CustomResourceOptions = {}) {
        super("redis-stack/components/stack/stackOwnerProvider", "StackOwner", name, { ...args, ownerId: undefined }, opts);
    }
}
