// `engine` runtime: a node's container through the Docker Engine API. The create body carries no
// password; the provider appends it to the command, so only the `password` property is secret.
import * as pulumi from "@pulumi/pulumi";
import type { ContainerCreateBody } from "../containerSpec";
import { passwordArgs } from "../../topology";
import { dockerClient, ensureContainer, ensureImage, inspectContainer, removeContainer } from "../dockerEngine";

interface ContainerInputs {
    readonly body: ContainerCreateBody;
    readonly password: string;
    /** Something the container depends on (volume, network): a new value means a new container. */
    readonly dependsOnIds: string[];
}

interface ContainerOutputs extends ContainerInputs {
    readonly containerId: string;
    readonly running: boolean;
}

function withPassword(inputs: ContainerInputs): ContainerCreateBody {
    return { ...inputs.body, Cmd: [...inputs.body.Cmd, ...passwordArgs(inputs.password || undefined)] };
}

async function start(inputs: ContainerInputs): Promise<ContainerOutputs> {
    const docker = dockerClient();
    await ensureImage(docker, inputs.body.Image);
    const containerId = await ensureContainer(docker, withPassword(inputs));
    return { ...inputs, containerId, running: true };
}

export const engineContainerProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: ContainerInputs) {
        const docker = dockerClient();
        // A leftover of an interrupted run with this stack's name is replaced, not adopted blindly.
        const leftover = await inspectContainer(docker, inputs.body.name);
        if (leftover) await removeContainer(docker, inputs.body.name);
        const outs = await start(inputs);
        return { id: outs.containerId, outs };
    },
    async read(id: string, props: ContainerOutputs) {
        const state = await inspectContainer(dockerClient(), props.body.name);
        // Gone (or replaced by another container of that name): refresh reports it deleted.
        if (!state || state.id !== id) return { id: undefined as unknown as string, props: {} };
        return { id, props: { ...props, running: state.running } };
    },
    async diff(_id: string, olds: ContainerOutputs, news: ContainerInputs) {
        const replace = JSON.stringify(olds.body) !== JSON.stringify(news.body)
            || (olds.password ?? "") !== (news.password ?? "")
            || JSON.stringify(olds.dependsOnIds) !== JSON.stringify(news.dependsOnIds);
        const restart = olds.running === false;
        return { changes: replace || restart, replaces: replace ? ["body"] : [], deleteBeforeReplace: true };
    },
    async update(_id: string, _olds: ContainerOutputs, news: ContainerInputs) {
        // Only a stopped container gets here (everything else replaces): start it again.
        return { outs: await start(news) };
    },
    async delete(_id: string, props: ContainerOutputs) {
        await removeContainer(dockerClient(), props.body.name);
    },
};

export interface EngineContainerArgs {
    readonly body: pulumi.Input<ContainerCreateBody>;
    readonly password?: pulumi.Input<string>;
    readonly dependsOnIds?: pulumi.Input<pulumi.Input<string>[]>;
}

export class EngineContainer extends pulumi.dynamic.Resource {
    declare readonly containerId: pulumi.Output<string>;
    declare readonly running: pulumi.Output<boolean>;

    constructor(name: string, args: EngineContainerArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(engineContainerProvider, name, {
            body: args.body,
            password: args.password ?? "",
            dependsOnIds: args.dependsOnIds ?? [],
            containerId: undefined,
            running: undefined,
        }, { deleteBeforeReplace: true, ...opts, additionalSecretOutputs: ["password"] }, "redis-stack", "EngineContainer");
    }
}
