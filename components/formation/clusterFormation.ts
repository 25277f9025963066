// ClusterFormation, program side: a thin dynamic resource whose provider is ./provider.ts, loaded by
// name in Pulumi's provider process.
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../providers/dynamicResource";
import type { NodeAccess } from "../contracts/nodeAccess";
import type { FormationNode, NodeState } from "../redis/form";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import type { NodeTls } from "../tls/nodeTls";
import type { SlotRange } from "../topology/topology";

export interface ClusterFormationArgs {
    readonly nodes: pulumi.Input<FormationNode[]>;
    readonly slotPlan: pulumi.Input<SlotRange[]>;
    readonly password?: pulumi.Input<string>;
    /** TLS client material (pass a secret): the nodes serve TLS only. */
    readonly tls?: pulumi.Input<NodeTls>;
    readonly containerIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * How long each node may take to answer at all.
     * @default DEFAULT_TIMEOUTS.connectMs
     */
    readonly connectTimeoutMs?: pulumi.Input<number>;
    /**
     * Bound on forming once every node answered, about progress: it fails once no step completed and no
     * key moved for this long, so moving many keys is not cut off.
     * @default DEFAULT_TIMEOUTS.formationMs
     */
    readonly timeoutMs?: pulumi.Input<number>;
    /** Every node serves its planned shard, for runtimes that place nodes by it (FormationSpec.pinShards). */
    readonly pinShards?: boolean;
    /** How the provider reaches the nodes where their addresses are not routable from here (contracts/nodeAccess.ts). */
    readonly nodeAccess?: pulumi.Input<NodeAccess>;
}

/** Forms the cluster from its running nodes; re-running on a formed cluster changes nothing. */
export class ClusterFormation extends ThinDynamicResource {
    declare readonly nodeStates: pulumi.Output<NodeState[]>;
    declare readonly clusterState: pulumi.Output<string>;
    declare readonly formedInMs: pulumi.Output<number>;

    constructor(name: string, args: ClusterFormationArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/formation/provider",
            "ClusterFormation",
            name,
            {
                connectTimeoutMs: DEFAULT_TIMEOUTS.connectMs,
                timeoutMs: DEFAULT_TIMEOUTS.formationMs,
                ...args,
                password: args.password ?? "",
                ...(args.tls ? { tls: args.tls } : {}),
                nodeStates: undefined,
                clusterState: undefined,
                formedInMs: undefined,
            },
            { ...opts, additionalSecretOutputs: ["password", "tls"] },
        );
    }
}
