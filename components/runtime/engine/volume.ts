// `engine` runtime: a node's named data volume through the Docker Engine API.
import * as pulumi from "@pulumi/pulumi";
import { dockerClient, ensureVolume, removeVolume } from "../dockerEngine";

interface VolumeInputs {
    readonly name: string;
    readonly labels: Record<string, string>;
}

export const engineVolumeProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: VolumeInputs) {
        const id = await ensureVolume(dockerClient(), inputs.name, inputs.labels);
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
        const changed = olds.name !== news.name || JSON.stringify(olds.labels) !== JSON.stringify(news.labels);
        return { changes: changed, replaces: changed ? ["name"] : [], deleteBeforeReplace: true };
    },
    async delete(_id: string, props: VolumeInputs) {
        await removeVolume(dockerClient(), props.name);
    },
};

export class EngineVolume extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: { name: string; labels: Record<string, string> }, opts: pulumi.CustomResourceOptions = {}) {
        super(engineVolumeProvider, name, args, { deleteBeforeReplace: true, ...opts }, "redis-stack", "EngineVolume");
    }
}
