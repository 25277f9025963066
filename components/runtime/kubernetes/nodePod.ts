// NodePod, program side: a thin dynamic resource per node that owns what happens to the node's running
// pod (its provider, ./nodePodProvider.ts, is loaded by module name in Pulumi's provider process). The
// StatefulSet updates its template without touching the pod (OnDelete); this resource then either
// applies the new Redis settings to the running pod (CONFIG SET, no restart) or replaces the pod in its
// turn, one node at a time across the stack, after the node's lifecycle made it safe to stop (a master
// fails over to its replica) and waiting until it serves again.
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../../providers/dynamicResource";
import { canonical } from "../../providers/implementation";
import type { RedisSettings } from "../../settings/redisSettings";
import type { LifecycleRef, NodeAddress } from "../../contracts/nodeLifecycle";
import type { NodeTls } from "../../tls/nodeTls";
import type { NodeAccess } from "../../contracts/nodeAccess";

export interface NodePodArgs {
    /** The kubeconfig setting (a path; empty: the ambient kubeconfig), as the stack's provider uses it. */
    readonly kubeconfig: string;
    readonly namespace: pulumi.Input<string>;
    /** The node's StatefulSet; its one pod is `<name>-0`. */
    readonly statefulSet: string;
    /** Digest of the pod template as declared (manifests.ts replacingTemplate): a new one means the pod must be replaced. */
    readonly template: pulumi.Input<string>;
    /** Labels kept on the running pod in place (its shard's, manifests.ts inPlacePodLabels): a change patches them, no replacement. */
    readonly inPlaceLabels: Readonly<Record<string, string>>;
    /** Where the provider reaches the node (its Service's ClusterIP) and its name for messages. */
    readonly endpoint: pulumi.Input<NodeAddress>;
    /** Pass a secret. */
    readonly password?: pulumi.Input<string>;
    /** What the node's software needs around a replacement, and how it takes settings while running. */
    readonly lifecycle?: LifecycleRef;
    readonly redisConfig: RedisSettings;
    /** The node's own TLS files (a secret), what the provider connects with when the node serves TLS. Absent: plain text. */
    readonly tls?: pulumi.Input<NodeTls>;
    /** portForward access (../../contracts/nodeAccess.ts): the provider reaches the node through the API server. Absent: directly. */
    readonly nodeAccess?: pulumi.Input<NodeAccess>;
}

/** Pure: the digest of a pod template (sorted-key JSON), what NodePod compares to know the pod must be replaced. */
export function templateDigest(template: unknown): string {
    return createHash("sha256").update(canonical(template)).digest("hex").slice(0, 16);
}

export class NodePod extends ThinDynamicResource {
    /** The uid of the pod running now: a new one after a replacement (the formation waits for it). */
    declare readonly podUid: pulumi.Output<string>;

    constructor(name: string, args: NodePodArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/runtime/kubernetes/nodePodProvider",
            "NodePod",
            name,
            {
                ...args,
                password: args.password ?? "",
                ...(args.tls ? { tls: pulumi.secret(args.tls) } : {}),
                podUid: undefined,
                liveConfig: undefined,
            },
            { ...opts, additionalSecretOutputs: ["password", "tls"] },
        );
    }
}
