// DataGuard, program side: one per RedisStack, recording where the stack's data lives (./dataIdentity.ts). Every
// other child of the stack waits for it; its diff (which preview runs too) refuses a change that would delete the
// data, so nothing is changed. Provider: ./dataGuardProvider.ts.
import type * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";
import type { DataIdentity } from "./dataIdentity";

export interface DataGuardArgs {
    readonly identity: DataIdentity;
    /** The stack starts with new data on purpose: a change of where it lives is recorded, not refused. */
    readonly allowDataReplacement: boolean;
}

export class DataGuard extends ThinDynamicResource {
    constructor(name: string, args: DataGuardArgs, opts: pulumi.CustomResourceOptions = {}) {
        super("redis-stack/components/stack/dataGuardProvider", "DataGuard", name, { ...args }, opts);
    }
}
