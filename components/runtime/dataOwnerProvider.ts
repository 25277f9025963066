// DataOwner's provider (loaded by module name in Pulumi's provider process). A data volume an earlier release's
// root-run redis-server wrote holds root's files, which a node running as its own user could not write. Created
// (a new stack, or an upgraded one: @pulumi/docker then replaces the node's container with one running as the
// node's user), it stops the node's running container first, so that no file is written as root after the chown
// and before the container goes; then it hands the volume to the node's user. It runs again only for a new volume.
import type * as pulumi from "@pulumi/pulumi";
import { STOP_GRACE_SECONDS } from "../common/timeouts";
import { implementation } from "../providers/implementation";
import { type DataOwnerTarget, dockerClient, handDataToNodeUser, inspectContainer, stopContainer } from "./dockerEngine";
import { STACK_LABEL } from "./dockerPlacement";
import { OWNER_LABEL, mayTouch } from "./ownership";

export const provider: pulumi.dynamic.ResourceProvider = implementation("DataOwner", {
    async create(inputs: DataOwnerTarget) {
        const docker = dockerClient();
        const running = await inspectContainer(docker, inputs.node);
        // Only the stack's own container (the ownership rule: its owner id, or an earlier release's stack label), never
        // another one of that name.
        const stack = { stackLabel: inputs.labels[STACK_LABEL], ownerId: inputs.labels[OWNER_LABEL] };
        if (running?.running && mayTouch(running.labels, stack, "its name")) await stopContainer(docker, inputs.node, STOP_GRACE_SECONDS);
        await handDataToNodeUser(docker, inputs);
        return { id: inputs.volume, outs: inputs };
    },
    async read(id: string, props: DataOwnerTarget) {
        // What it did stays done: a refresh keeps it.
        return { id, props };
    },
    async diff(_id: string, olds: DataOwnerTarget, news: DataOwnerTarget) {
        const replaces = olds.volume !== news.volume ? ["volume"] : [];
        const changes = replaces.length > 0 || olds.image !== news.image || olds.node !== news.node;
        return { changes, replaces, deleteBeforeReplace: true };
    },
    async update(_id: string, _olds: DataOwnerTarget, news: DataOwnerTarget) {
        // The volume is the user's already: a new image or name is only recorded.
        return { outs: news };
    },
    async delete() {
        // Nothing of its own is left: its container is removed when it ends, and the volume is the node's.
    },
});
