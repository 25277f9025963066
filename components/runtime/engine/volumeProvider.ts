// `engine` runtime, provider process: a node's named data volume through the Docker Engine API.
// Docker cannot relabel a volume, and replacing one deletes the node's data; so only a new name makes
// a new volume, and new labels (the owner id too, on a volume an earlier release made) are only recorded.
// A volume of that name that is not the stack's (../ownership.ts) is never adopted, and never removed.
import type * as pulumi from "@pulumi/pulumi";
import { canonical, checked, implementation } from "../../providers/implementation";
import { dockerClient, ensureVolume, removeVolume } from "../dockerEngine";
import { STACK_LABEL } from "../dockerPlacement";
import { type StackOwnerId, ownerLabelled } from "../ownership";
import { isNew, ownedObject, refusedOwnership, removable } from "./ownedObjects";

export interface VolumeInputs {
    readonly name: string;
    readonly labels: Record<string, string>;
    /** The stack's owner id, labelled on the volume when it is made; absent in state written before owner ids. */
    readonly owner?: StackOwnerId;
}

const ownerOf = (v: VolumeInputs): StackOwnerId => v.owner ?? { stackLabel: v.labels[STACK_LABEL], ownerId: undefined };

export const provider: pulumi.dynamic.ResourceProvider = implementation("EngineVolume", {
    async check(olds: Partial<VolumeInputs>, news: VolumeInputs) {
        // A volume this stack's state does not record yet: one of that name must carry the stack's owner id.
        return checked(news, async () => isNew(olds) && (await ownedObject("volume", news.name, ownerOf(news))), refusedOwnership);
    },
    async create(inputs: VolumeInputs) {
        await ownedObject("volume", inputs.name, ownerOf(inputs));
        const id = await ensureVolume(dockerClient(), inputs.name, ownerLabelled(inputs.labels, inputs.owner));
        return { id, outs: inputs };
    },
    async read(id: string, props: VolumeInputs) {
        try {
            await dockerClient().getVolume(props.name).inspect();
            return { id, props };
        } catch (err) {
            if ((err as { statusCode?: number }).statusCode === 404) return { id: undefined as unknown as string, props: {} };
            throw err;
        }
    },
    async diff(_id: string, olds: VolumeInputs, news: VolumeInputs) {
        const renamed = olds.name !== news.name;
        const changes = renamed || canonical(olds.labels) !== canonical(news.labels);
        return { changes, replaces: renamed ? ["name"] : [], deleteBeforeReplace: true };
    },
    async update(_id: string, _olds: VolumeInputs, news: VolumeInputs) {
        // Labels only (a new name replaces): the volume keeps the ones it was created with.
        return { outs: news };
    },
    async delete(_id: string, props: VolumeInputs) {
        // The state records a volume of this name: it is the stack's unless it carries another owner or stack.
        if (await removable("volume", props.name, ownerOf(props), () => "its name")) await removeVolume(dockerClient(), props.name);
    },
});
