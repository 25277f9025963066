// Kubernetes runtime, program side: the ACL users' rules of one component, judged by a running node before the
// component's auth Secret takes them. Preview only reads, so it cannot ask Redis; and a pod reads its users from
// the Secret when it starts, so a rule Redis refuses must never reach it: the Secret depends on this resource,
// whose create and update have a running node judge the new rules (provider: ./userRulesProvider.ts).
import * as pulumi from "@pulumi/pulumi";
import { ThinDynamicResource } from "../../providers/dynamicResource";
import type { KubernetesNodeUsersArgs } from "./nodeUsers";

/** Where and how the rules are judged: one node of the component (its Service), as its users resource reaches it. */
export type KubernetesUserRulesArgs = Omit<KubernetesNodeUsersArgs, "userPasswordHashes">;

export class KubernetesUserRules extends ThinDynamicResource {
    constructor(name: string, args: KubernetesUserRulesArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            "redis-stack/components/runtime/kubernetes/userRulesProvider",
            "KubernetesUserRules",
            name,
            {
                node: args.node,
                password: pulumi.secret(pulumi.output(args.password ?? "")),
                users: args.users,
                lifecycle: args.lifecycle,
                ...(args.tls ? { tls: pulumi.secret(args.tls) } : {}),
                ...(args.nodeAccess ? { nodeAccess: args.nodeAccess } : {}),
            },
            { ...opts, additionalSecretOutputs: ["password", "tls"] },
        );
    }
}
