// NodePassword's provider, run in Pulumi's provider process and loaded there by module name. Creating
// it changes nothing (a new pod starts with its Secret's password); a new password is handed to the
// running node by its lifecycle's changePassword. Nothing lives outside the state, so read and delete
// only echo it.
import type * as pulumi from "@pulumi/pulumi";
import { canonical, implementation } from "../../providers/implementation";
import { LifecycleRef, loadLifecycle } from "../../contracts/nodeLifecycle";
import type { NodeTls } from "../../tls/nodeTls";

export interface NodePasswordInputs {
    readonly name: string;
    readonly host: string;
    readonly port: number;
    readonly password: string;
    readonly lifecycle: LifecycleRef;
    /** The node's own TLS files when it serves TLS (secret). */
    readonly tls?: NodeTls;
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("KubernetesNodePassword", {
    async create(inputs: NodePasswordInputs) {
        return { id: inputs.name, outs: inputs };
    },
    async read(id: string, props: NodePasswordInputs) {
        return { id, props };
    },
    async diff(_id: string, olds: NodePasswordInputs, news: NodePasswordInputs) {
        const changes =
            olds.password !== news.password ||
            olds.host !== news.host ||
            olds.port !== news.port ||
            olds.name !== news.name ||
            canonical(olds.tls ?? null) !== canonical(news.tls ?? null);
        return { changes, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id: string, olds: NodePasswordInputs, news: NodePasswordInputs) {
        if (olds.password !== news.password) {
            const lifecycle = loadLifecycle(news.lifecycle);
            const node = {
                address: { name: news.name, host: news.host, port: news.port },
                password: olds.password || undefined,
                // The files the running pod started with (new ones reach it with its new pod after this).
                ...(olds.tls ? { tls: olds.tls } : {}),
                options: news.lifecycle.options,
            };
            await lifecycle.changePassword(node, olds.password || undefined, news.password || undefined);
        }
        return { outs: news };
    },
    async delete() {
        // Nothing outside the state.
    },
});
