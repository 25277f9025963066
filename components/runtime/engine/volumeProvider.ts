// `engine` runtime, provider process: a node's named data volume through the Docker Engine API.
// Docker cannot relabel a volume, and replacing one deletes the node's data; so only a new name makes
// a new volume, and new labels are only recorded.
import type * as pulumi from "@pulumi/pulumi";
import { canonical, implementation } from "../../providers/implementation";
import { dockerClient, ensureVolume, removeVolume } from "../dockerEngine";

export interface VolumeInputs {
    readonly name: string;
    readonly labels: Record<string, string>;
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("EngineVolume", {
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
        const renamed = olds.name !== news.name;
        const changes = renamed || canonical(olds.labels) !== canonical(news.labels);
        return { changes, replaces: renamed ? ["name"] : [], deleteBeforeReplace: true };
    },
    async update(_id: string, _olds: VolumeInputs, news: VolumeInputs) {
        // Labels only (a new name replaces): the volume keeps the ones it was created with.
        return { outs: news };
    },
    async delete(_id: string, props: VolumeInputs) {
        await removeVolume(dockerClient(), props.name);
    },
});
