// `engine` runtime, program side: a node's container as a thin dynamic resource; its provider is
// ./containerProvider.ts, loaded by name in Pulumi's provider process.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../../providers/dynamicResource";
import type { NodeTls } from "../../tls/nodeTls";
import type { ContainerCreateBody } from "../containerSpec";
import type { AclUser } from "../../settings/aclUsers";
import type { NodeLimits } from "../../settings/nodeLimits";
import type { RedisSettings } from "../../settings/redisSettings";
import type { LifecycleRef, NodeAddress } from "../../contracts/nodeLifecycle";
import type { StackOwnerId } from "../ownership";

export interface EngineContainerArgs {
    readonly body: pulumi.Input<ContainerCreateBody>;
    readonly password?: pulumi.Input<string>;
    /** TLS files for the container (secret); a change recreates it, with its lifecycle. */
    readonly tls?: pulumi.Input<NodeTls>;
    /** Where the node answers from the Docker host. */
    readonly endpoint: pulumi.Input<NodeAddress>;
    /** Ids of what the container needs (volume, network): a new one replaces the container. */
    readonly dependsOnIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** What the node's software needs when it is stopped, replaced or re-keyed. */
    readonly lifecycle?: LifecycleRef;
    /** ACL users' names and rules. */
    readonly users?: readonly AclUser[];
    /** User name -> SHA-256 of its password (secret). */
    readonly userPasswordHashes?: pulumi.Input<Record<string, string>>;
    /** Passed-through Redis settings: applied in place where Redis allows, else by a rolling recreate. */
    readonly redisConfig?: RedisSettings;
    /** Memory and CPU limits: changed on the running container. */
    readonly limits?: NodeLimits;
    /** The stack's owner id, labelled on the container when it is made (../ownership.ts). */
    readonly owner?: pulumi.Input<StackOwnerId>;
}

export class EngineContainer extends ThinDynamicResource {
    /** The Docker container's id: it changes when the container is recreated in place. */
    declare readonly containerId: pulumi.Output<string>;
    declare readonly running: pulumi.Output<boolean>;

    constructor(name: string, args: EngineContainerArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/runtime/engine/containerProvider",
            "EngineContainer",
            name,
            {
                body: args.body,
                password: args.password ?? "",
                ...(args.tls ? { tls: args.tls } : {}),
                endpoint: args.endpoint,
                dependsOnIds: args.dependsOnIds ?? [],
                lifecycle: args.lifecycle,
                users: args.users ?? [],
                userPasswordHashes: args.userPasswordHashes ?? {},
                redisConfig: args.redisConfig ?? {},
                limits: args.limits ?? {},
                ...(args.owner ? { owner: args.owner } : {}),
                containerId: undefined,
                liveConfig: undefined,
                running: undefined,
            },
            { deleteBeforeReplace: true, ...opts, additionalSecretOutputs: ["password", "userPasswordHashes", "tls"] },
        );
    }
}
