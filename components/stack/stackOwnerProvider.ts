// StackOwner's provider (loaded by module name in Pulumi's provider process). The owner id is made in `check`, the one
// step that runs at preview and up alike, so a preview already shows the labels; the state keeps it from the first up.
// `check` also runs the ownership preflight with it, before any other child of the stack is looked at.
import { randomUUID } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { messageOf } from "../common/errorMessage";
import { checked, implementation } from "../providers/implementation";
import { ownerIdFor } from "../runtime/ownership";
import { PreflightError, preflightOwnership } from "../runtime/preflight";
import type { StackOwnerArgs } from "./stackOwner";

interface StackOwnerInputs extends Omit<StackOwnerArgs, "deployedBefore"> {
    readonly deployedBefore?: boolean;
}

interface StackOwnerState extends StackOwnerInputs {
    readonly ownerId: string;
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("StackOwner", {
    async check(olds: Partial<StackOwnerState>, news: StackOwnerInputs) {
        let ownerId: string;
        try {
            ownerId = ownerIdFor(olds.ownerId, news.requestedOwnerId, randomUUID);
        } catch (err) {
            return { inputs: news, failures: [{ property: "", reason: messageOf(err) }] };
        }
        // An earlier release's object (its stack label, no owner id) may be the stack's only where the stack has a
        // state: it had an owner id already, or was deployed before (asked on the docker runtime alone).
        const mayBeOurs = olds.ownerId !== undefined || news.deployedBefore !== false;
        // A refusal as a check failure: Pulumi prints it as it is, without a stack trace.
        const preflight = () => preflightOwnership(news.objects, { stackLabel: news.stackLabel, ownerId }, mayBeOurs ? "its name" : "no");
        return checked({ ...news, ownerId }, preflight, (err) => err instanceof PreflightError);
    },
    async create(inputs: StackOwnerState) {
        return { id: inputs.ownerId, outs: inputs };
    },
    async read(id: string, props: StackOwnerState) {
        return { id, props };
    },
    async diff(_id: string, olds: StackOwnerState, news: StackOwnerState) {
        // The objects named follow the settings; only the id is the resource (and check keeps it).
        return { changes: olds.ownerId !== news.ownerId, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id: string, _olds: StackOwnerState, news: StackOwnerState) {
        return { outs: news };
    },
    async delete() {
        // Nothing of it exists outside the state.
    },
});
