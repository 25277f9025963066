// Kubernetes runtime, program side: the ACL users of one running node, kept as declared without a pod
// restart. A pod reads its users from the component's auth Secret when it starts (./backend.ts); this
// thin dynamic resource (provider: ./nodeUsersProvider.ts) gives a node that is already running the
// same users through its lifecycle (ACL SETUSER / DELUSER) when they change, and has the node judge new
// rules first, at the start of its update (preview only reads, so it cannot ask Redis).
import * as pulumi from "@pulumi/pulumi";
import type { AclUser } from "../../settings/aclUsers";
import { ThinDynamicResource } from "../../providers/dynamicResource";
import type { LifecycleRef, NodeAddress } from "../../contracts/nodeLifecycle";
import type { NodeTls } from "../../tls/nodeTls";
import type { NodeAccess } from "../../contracts/nodeAccess";

export interface KubernetesNodeUsersArgs {
    /** Where the provider reaches the node (its Service). */
    readonly node: pulumi.Input<NodeAddress>;
    /** The password the node is reached with (secret); absent: none. */
    readonly password?: pulumi.Input<string>;
    /** The users' names and rules (plain, so known in a preview); empty: none. */
    readonly users: readonly AclUser[];
    /** User name -> SHA-256 of its password (secret). */
    readonly userPasswordHashes: pulumi.Input<Record<string, string>>;
    readonly lifecycle: LifecycleRef;
    /** The node's own TLS files (a secret), what the provider connects with when the node serves TLS. Absent: plain text. */
    readonly tls?: pulumi.Input<NodeTls>;
    /** portForward access (../../contracts/nodeAccess.ts): the provider reaches the node through the API server. Absent: directly. */
    readonly nodeAccess?: pulumi.Input<NodeAccess>;
}

export class KubernetesNodeUsers extends ThinDynamicResource {
    constructor(name: string, args: KubernetesNodeUsersArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/runtime/kubernetes/nodeUsersProvider",
            "KubernetesNodeUsers",
            name,
            {
                node: args.node,
                password: pulumi.secret(pulumi.output(args.password ?? "")),
                users: args.users,
                userPasswordHashes: pulumi.secret(pulumi.output(args.userPasswordHashes)),
                lifecycle: args.lifecycle,
                ...(args.tls ? { tls: pulumi.secret(args.tls) } : {}),
                ...(args.nodeAccess ? { nodeAccess: args.nodeAccess } : {}),
            },
            { ...opts, additionalSecretOutputs: ["password", "userPasswordHashes", "tls"] },
        );
    }
}
