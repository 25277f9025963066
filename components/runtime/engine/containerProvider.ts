// `engine` runtime, provider process: a node's container through the Docker Engine API (loaded by name,
// see components/providers/). The create body carries no password; the provider writes it into a config
// file in the container, so only the `password` property is secret and no command line shows it.
//
// A changed body (image, Redis settings) does not make Pulumi replace the resource: the provider
// recreates the container in place, on the same volume (data and nodes.conf), so the node keeps its
// identity. What the node's software needs around that (take turns, hand over before stopping, take a
// new password while running) comes from its lifecycle module (../../contracts/nodeLifecycle.ts), named in the inputs.
// `diff` also looks at the live container, so every `up` brings back one that is stopped or gone.
// ACL users go the same way as the password: in the auth config file (their passwords' hashes only) and,
// on a running node, through its lifecycle, without a restart; new rules are put to the live node first
// thing in `update`, before anything changes (on a throwaway user: a write, so never in `diff`, which
// preview runs and which only reads). Passed-through Redis settings and container limits are
// not in the body: they change on the running container (CONFIG SET through the lifecycle, Docker's
// update) and recreate it only where they must.
// Here: the provider's operations, and what refresh and diff read from the live node. What a change asks for is
// ./containerChanges.ts (pure); making and remaking the container ./containerRestarts.ts; the changes a
// running one takes ./containerLiveChanges.ts.
import type * as pulumi from "@pulumi/pulumi";
import type { NodeLifecycle } from "../../contracts/nodeLifecycle";
import { loadLifecycle } from "../../contracts/nodeLifecycle";
import { RedisSettings, unknownSettingsMessage } from "../../settings/redisSettings";
import { checked, implementation } from "../../providers/implementation";
import { dockerClient, inspectContainerQuickly, removeContainer } from "../dockerEngine";
import {
    ContainerInputs,
    ContainerOutputs,
    accounts,
    declaredDiff,
    nameOf,
    ownerOf,
    sameSettings,
    updatePlan,
    usersWithNewRules,
} from "./containerChanges";
import { changeInPlace, reloadTls, switchTlsThenRecreate } from "./containerLiveChanges";
import { bringBack, lifecycleNode, ownId, recreate, recreateWithLifecycle, start, startWithUsersChecked } from "./containerRestarts";
import { isNew, ownedObject, refusedOwnership, removable } from "./ownedObjects";

export type { ContainerInputs, ContainerOutputs } from "./containerChanges";

/**
 * Refresh: the settings' live values where they drifted from what was applied (someone ran CONFIG SET),
 * recorded as the node's settings so the next `up` sees a change and puts the declared values back.
 */
async function driftedSettings(props: ContainerOutputs): Promise<RedisSettings | undefined> {
    const names = Object.keys(props.redisConfig ?? {});
    if (names.length === 0 || !props.lifecycle || !props.liveConfig) return undefined;
    const live = await loadLifecycle(props.lifecycle).readSettings(lifecycleNode(props, props.lifecycle, props.endpoint), names);
    if (!live) return undefined;
    const drifted = names.filter((name) => live[name] !== null && live[name] !== props.liveConfig?.[name]);
    if (drifted.length === 0) return undefined;
    return { ...props.redisConfig, ...Object.fromEntries(drifted.map((name) => [name, String(live[name])])) };
}

/**
 * Preview and up: settings the running node's server does not know are refused before anything
 * changes (its CONFIG GET). A node that does not answer is not asked; then the change fails at `up`.
 */
async function refuseUnknownSettings(olds: ContainerOutputs, news: ContainerInputs, lifecycle: NodeLifecycle | undefined): Promise<void> {
    if (!lifecycle || !news.lifecycle || typeof news.body !== "object" || sameSettings(olds, news)) return;
    const added = Object.keys(news.redisConfig ?? {}).filter((name) => !(name in (olds.redisConfig ?? {})));
    if (added.length === 0) return;
    const live = await lifecycle.readSettings(lifecycleNode(olds, news.lifecycle, news.endpoint), added);
    const message = live && unknownSettingsMessage(news.endpoint.name, live);
    if (message) throw new Error(message);
}

/** Whether the live container differs from what the state says: stopped, gone, or another one. */
async function liveDrift(olds: ContainerOutputs, id: string): Promise<boolean> {
    if (!olds.name && !olds.body?.name) return false;
    const live = await inspectContainerQuickly(nameOf(olds));
    return !live || !live.running || live.id !== ownId(olds, id);
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("EngineContainer", {
    async check(olds: Partial<ContainerInputs>, news: ContainerInputs) {
        // A container this stack's state does not record yet: one of its name must carry the stack's owner id.
        // (The body may not be known in a preview; the endpoint holds the same name.)
        return checked(
            news,
            async () => isNew(olds) && (await ownedObject("container", news.endpoint.name, ownerOf(news))),
            refusedOwnership,
        );
    },

    async create(inputs: ContainerInputs) {
        const docker = dockerClient();
        // A leftover of the stack's own interrupted run is replaced, not adopted blindly; anyone else's is refused.
        const leftover = await ownedObject("container", inputs.body.name, ownerOf(inputs));
        if (leftover) await removeContainer(docker, inputs.body.name);
        const outs =
            inputs.lifecycle && accounts(inputs).length > 0 ? await startWithUsersChecked(inputs, inputs.lifecycle) : await start(inputs);
        return { id: outs.containerId, outs };
    },

    async read(id: string, props: ContainerOutputs) {
        const state = await inspectContainerQuickly(nameOf(props));
        // Gone (or replaced by another container of that name): refresh reports it deleted.
        if (!state || state.id !== ownId(props, id)) return { id: undefined as unknown as string, props: {} };
        const drifted = state.running ? await driftedSettings(props) : undefined;
        return { id, props: { ...props, running: state.running, ...(drifted ? { redisConfig: drifted } : {}) } };
    },

    async diff(id: string, olds: ContainerOutputs, news: ContainerInputs) {
        const lifecycle = news.lifecycle ? loadLifecycle(news.lifecycle) : undefined;
        const declared = declaredDiff(olds, news, lifecycle);
        await refuseUnknownSettings(olds, news, lifecycle);
        // Nothing declared changed: the live container decides, so a stopped or removed node comes back on a plain `up`.
        const changes = declared.changes || (await liveDrift(olds, id));
        return { changes, replaces: declared.replace ? ["dependsOnIds"] : [], deleteBeforeReplace: true };
    },

    async update(id: string, recordedOuts: ContainerOutputs, news: ContainerInputs) {
        // The container this resource made, by its id, for every path below that replaces or removes it.
        const olds = { ...recordedOuts, containerId: ownId(recordedOuts, id) };
        const ref = news.lifecycle;
        const lifecycle = ref ? loadLifecycle(ref) : undefined;
        // New rules are put to the running node before anything changes: what Redis refuses fails the update here.
        const judged = usersWithNewRules(olds, news);
        if (ref && lifecycle && judged.length > 0) await lifecycle.checkUsers(lifecycleNode(olds, ref, news.endpoint), judged);
        switch (updatePlan(olds, news, lifecycle)) {
            case "bring back":
                return { outs: await bringBack(olds, id, news) };
            case "change in place":
                return { outs: await changeInPlace(olds, id, news, ref, lifecycle) };
            case "reload TLS in place":
                return { outs: await reloadTls(olds, id, news, ref!, lifecycle!) };
            case "switch TLS live, then recreate with lifecycle":
                return { outs: await switchTlsThenRecreate(olds, news, ref!, lifecycle!) };
            case "recreate with lifecycle":
                return { outs: await recreateWithLifecycle(olds, news, ref!, lifecycle!) };
            case "recreate":
                return { outs: await recreate(olds, news) };
        }
    },

    async delete(id: string, props: ContainerOutputs) {
        // The container this resource made, or one carrying the stack's owner id; another one is left as it is.
        const recorded = (found: { id: string }) => (found.id === ownId(props, id) ? "this object" : "no");
        if (await removable("container", nameOf(props), ownerOf(props), recorded)) await removeContainer(dockerClient(), nameOf(props));
    },
});
