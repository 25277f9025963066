// NodePassword, program side: a kubernetes node's password as its running redis-server has it. The
// Secret carries the password a pod starts with; a change reaches the running pods through this thin
// dynamic resource (./nodePasswordProvider.ts), which asks the node's lifecycle to take the new one in
// place (CONFIG SET, masterauth first), so no pod restarts and no key moves for a password change.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../../providers/dynamicResource";
import type { LifecycleRef } from "../../contracts/nodeLifecycle";
import type { NodeTls } from "../../tls/nodeTls";
import type { NodeAccess } from "../../contracts/nodeAccess";

export interface NodePasswordArgs {
    /** The node's name, in every message. */
    readonly name: string;
    /** Where the node answers from where Pulumi runs (its Service's ClusterIP). */
    readonly host: pulumi.Input<string>;
    readonly port: number;
    readonly password: pulumi.Input<string>;
    readonly lifecycle: LifecycleRef;
    /** The node's own TLS files (a secret), what the provider connects with when the node serves TLS. Absent: plain text. */
    readonly tls?: pulumi.Input<NodeTls>;
    /** portForward access (../../contracts/nodeAccess.ts): the provider reaches the node through the API server. Absent: directly. */
    readonly nodeAccess?: pulumi.Input<NodeAccess>;
}

export class NodePassword extends ThinDynamicResource {
    constructor(name: string, args: NodePasswordArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/runtime/kubernetes/nodePasswordProvider",
            "KubernetesNodePassword",
            name,
            { ...args, password: pulumi.secret(args.password), ...(args.tls ? { tls: pulumi.secret(args.tls) } : {}) },
            { ...opts, additionalSecretOutputs: ["password", "tls"] },
        );
    }
}
