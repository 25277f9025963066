// `engine` runtime, provider process: the stack's bridge network through the Docker Engine API. A new
// name, subnet or gateway makes a new network; Docker cannot relabel one, so new labels are only recorded.
// A network of that name that is not the stack's (../ownership.ts) is never adopted, and never removed.
import type * as pulumi from "@pulumi/pulumi";
import { STACK_LABEL, type NetworkSpec } from "../dockerPlacement";
import { canonical, checked, implementation } from "../../providers/implementation";
import { dockerClient, ensureNetwork, removeNetwork } from "../dockerEngine";
import { type StackOwnerId, ownerLabelled } from "../ownership";
import { isNew, ownedObject, refusedOwnership, removable } from "./ownedObjects";

export interface NetworkInputs {
    readonly spec: NetworkSpec;
    /** The stack's owner id, labelled on the network when it is made; absent in state written before owner ids. */
    readonly owner?: StackOwnerId;
}

const addressing = (spec: NetworkSpec) => canonical({ name: spec.name, subnet: spec.subnet, gateway: spec.gateway });
const ownerOf = (n: NetworkInputs): StackOwnerId => n.owner ?? { stackLabel: n.spec.labels[STACK_LABEL], ownerId: undefined };

export const provider: pulumi.dynamic.ResourceProvider = implementation("EngineNetwork", {
    async check(olds: Partial<NetworkInputs>, news: NetworkInputs) {
        // A network this stack's state does not record yet: one of that name must carry the stack's owner id.
        return checked(news, async () => isNew(olds) && (await ownedObject("network", news.spec.name, ownerOf(news))), refusedOwnership);
    },
    async create(inputs: NetworkInputs) {
        await ownedObject("network", inputs.spec.name, ownerOf(inputs));
        const spec = { ...inputs.spec, labels: ownerLabelled(inputs.spec.labels, inputs.owner) };
        const id = await ensureNetwork(dockerClient(), spec);
        return { id, outs: { ...inputs, name: inputs.spec.name } };
    },
    async read(id: string, props: NetworkInputs) {
        try {
            await dockerClient().getNetwork(props.spec.name).inspect();
            return { id, props };
        } catch (err) {
            if ((err as { statusCode?: number }).statusCode === 404) return { id: undefined as unknown as string, props: {} };
            throw err;
        }
    },
    async diff(_id: string, olds: NetworkInputs, news: NetworkInputs) {
        const replace = addressing(olds.spec) !== addressing(news.spec);
        const changes = replace || canonical(olds.spec) !== canonical(news.spec);
        return { changes, replaces: replace ? ["spec"] : [], deleteBeforeReplace: true };
    },
    async update(_id: string, _olds: NetworkInputs, news: NetworkInputs) {
        return { outs: { ...news, name: news.spec.name } };
    },
    async delete(id: string, props: NetworkInputs) {
        // The network this resource made (its id), or one carrying the stack's owner id; another one is left as it is.
        const recorded = (found: { id: string }) => (found.id === id ? "this object" : "no");
        if (await removable("network", props.spec.name, ownerOf(props), recorded)) await removeNetwork(dockerClient(), props.spec.name);
    },
});
