// `engine` runtime, provider process: the stack's bridge network through the Docker Engine API. A new
// name, subnet or gateway makes a new network; Docker cannot relabel one, so new labels are only recorded.
import type * as pulumi from "@pulumi/pulumi";
import type { NetworkSpec } from "../dockerPlacement";
import { canonical, implementation } from "../../providers/implementation";
import { dockerClient, ensureNetwork, removeNetwork } from "../dockerEngine";

export interface NetworkInputs {
    readonly spec: NetworkSpec;
}

const addressing = (spec: NetworkSpec) => canonical({ name: spec.name, subnet: spec.subnet, gateway: spec.gateway });

export const provider: pulumi.dynamic.ResourceProvider = implementation("EngineNetwork", {
    async create(inputs: NetworkInputs) {
        const id = await ensureNetwork(dockerClient(), inputs.spec);
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
    async delete(_id: string, props: NetworkInputs) {
        await removeNetwork(dockerClient(), props.spec.name);
    },
});
