// `engine` runtime, provider process: a stateless container beside a node (./sidecar.ts) through the Docker
// Engine API. Its files go in before it starts (never on its command line); a new body or new files make it
// again under the same name, and `diff` looks at the live container, so a plain `up` brings back one that
// stopped or went. Like the nodes' containers it adopts, replaces or removes only the stack's own (../ownership.ts).
import type * as pulumi from "@pulumi/pulumi";
import type { ContainerFile } from "../../contracts/nodeFiles";
import { canonical, checked, implementation } from "../../providers/implementation";
import type { ContainerCreateBody } from "../containerSpec";
import { STACK_LABEL } from "../dockerPlacement";
import * as fs from "fs";
import { dockerClient, ensureContainer, ensureImage, fileOwnerOf, inspectContainerQuickly, removeContainer } from "../dockerEngine";
import { type StackOwnerId, ownerLabelled } from "../ownership";
import { isNew, ownedObject, refusedOwnership, removable } from "./ownedObjects";

export interface SidecarInputs {
    readonly body: ContainerCreateBody;
    readonly files: ContainerFile[];
    readonly imageSetting: string;
    readonly owner?: StackOwnerId;
    readonly hostDirs?: readonly string[];
}

export interface SidecarOutputs extends SidecarInputs {
    readonly containerId: string;
}

const ownerOf = (s: SidecarInputs): StackOwnerId => s.owner ?? { stackLabel: s.body.Labels[STACK_LABEL], ownerId: undefined };

/** Makes `dir` (and its parents) when missing: readable by `owner` alone. An existing one is left as it is. */
function ensureHostDir(dir: string, owner: { uid: number; gid: number }): void {
    if (fs.existsSync(dir)) return;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.getuid?.() === 0) fs.chownSync(dir, owner.uid, owner.gid);
}

/** Makes the container (a leftover of the stack's own of that name is replaced; anyone else's is refused) and starts it. */
async function make(inputs: SidecarInputs, recordedId?: string): Promise<SidecarOutputs> {
    const docker = dockerClient();
    const found = await ownedObject("container", inputs.body.name, ownerOf(inputs), (o) => (o.id === recordedId ? "this object" : "no"));
    if (found) await removeContainer(docker, inputs.body.name);
    await ensureImage(docker, inputs.body.Image, inputs.imageSetting);
    // A bind mount's missing source would be made by Docker, as root: made here instead, the container user's alone.
    const owner = fileOwnerOf(inputs.body.User);
    for (const dir of inputs.hostDirs ?? []) ensureHostDir(dir, owner);
    const body = { ...inputs.body, Labels: ownerLabelled(inputs.body.Labels, inputs.owner) };
    const containerId = await ensureContainer(docker, body, inputs.files);
    return { ...inputs, containerId };
}

/** Removes the container the state records, or one carrying the stack's owner id; another one is left as it is. */
async function removeOwn(props: SidecarOutputs, id: string): Promise<void> {
    const recorded = (found: { id: string }) => (found.id === (props.containerId ?? id) ? "this object" : "no");
    if (await removable("container", props.body.name, ownerOf(props), recorded)) await removeContainer(dockerClient(), props.body.name);
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("EngineSidecar", {
    async check(olds: Partial<SidecarInputs>, news: SidecarInputs) {
        // One this stack's state does not record yet: a container of that name must carry the stack's owner id.
        return checked(
            news,
            async () => isNew(olds) && typeof news.body === "object" && (await ownedObject("container", news.body.name, ownerOf(news))),
            refusedOwnership,
        );
    },

    async create(inputs: SidecarInputs) {
        const outs = await make(inputs);
        return { id: outs.containerId, outs };
    },

    async read(id: string, props: SidecarOutputs) {
        const live = await inspectContainerQuickly(props.body.name);
        if (!live || live.id !== (props.containerId ?? id)) return { id: undefined as unknown as string, props: {} };
        return { id, props };
    },

    async diff(id: string, olds: SidecarOutputs, news: SidecarInputs) {
        const declared =
            canonical(olds.body) !== canonical(news.body) ||
            canonical(olds.files) !== canonical(news.files) ||
            canonical(olds.owner) !== canonical(news.owner) ||
            canonical(olds.hostDirs ?? []) !== canonical(news.hostDirs ?? []);
        const live = declared ? undefined : await inspectContainerQuickly(olds.body.name);
        const drifted = !declared && (!live || !live.running || live.id !== (olds.containerId ?? id));
        return { changes: declared || drifted, replaces: [], deleteBeforeReplace: true };
    },

    async update(id: string, olds: SidecarOutputs, news: SidecarInputs) {
        // Nothing in it to keep: the old one goes (when it is the stack's), and a new one starts with the new files.
        if (olds.body.name !== news.body.name) await removeOwn(olds, id);
        return { outs: await make(news, olds.containerId ?? id) };
    },

    async delete(id: string, props: SidecarOutputs) {
        await removeOwn(props, id);
    },
});
