// `engine` runtime: the stack's bridge network through the Docker Engine API.
import * as pulumi from "@pulumi/pulumi";
import type { NetworkSpec } from "../../topology";
import { dockerClient, ensureNetwork, removeNetwork } from "../dockerEngine";

export const engineNetworkProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { spec: NetworkSpec }) {
        const id = await ensureNetwork(dockerClient(), inputs.spec);
        return { id, outs: { ...inputs, name: inputs.spec.name } };
    },
    async read(id: string, props: { spec: NetworkSpec }) {
        try {
            await dockerClient().getNetwork(props.spec.name).inspect();
            return { id, props };
        } catch (err) {
            if ((err as { statusCode?: number }).statusCode === 404) return { id: undefined as unknown as string, props: {} };
            throw err;
        }
    },
    async diff(_id: string, olds: { spec: NetworkSpec }, news: { spec: NetworkSpec }) {
        const changed = JSON.stringify(olds.spec) !== JSON.stringify(news.spec);
        return { changes: changed, replaces: changed ? ["spec"] : [], deleteBeforeReplace: true };
    },
    async delete(_id: string, props: { spec: NetworkSpec }) {
        await removeNetwork(dockerClient(), props.spec.name);
    },
};

export class EngineNetwork extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: { spec: NetworkSpec }, opts: pulumi.CustomResourceOptions = {}) {
        super(engineNetworkProvider, name, { ...args, name: undefined }, { deleteBeforeReplace: true, ...opts }, "redis-stack", "EngineNetwork");
    }
}
