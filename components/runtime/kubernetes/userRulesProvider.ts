// KubernetesUserRules' provider (loaded by module name in Pulumi's provider process): a running node of the
// component judges the users' new or changed rules (on a throwaway user: a write, so in create and update, never
// in diff, which preview runs and which only reads). A node that does not answer (a stack being created: its pods
// wait for the Secret this resource comes before) judges nothing; the pod then starts with the rules or refuses them.
import type * as pulumi from "@pulumi/pulumi";
import type { AclUser } from "../../settings/aclUsers";
import { canonical, implementation } from "../../providers/implementation";
import { loadLifecycle } from "../../contracts/nodeLifecycle";
import { type NodeUsersState, sameAddress, usersWithNewRules } from "./nodeUsersProvider";

export type UserRulesState = Omit<NodeUsersState, "userPasswordHashes">;

/** Has the node of `at` (its address, password and files as the node has them now) judge `users`. */
async function judge(at: UserRulesState, users: readonly AclUser[]): Promise<void> {
    if (users.length === 0) return;
    await loadLifecycle(at.lifecycle).checkUsers(
        {
            address: at.node,
            ...(at.password ? { password: at.password } : {}),
            ...(at.tls ? { tls: at.tls } : {}),
            options: at.lifecycle.options,
        },
        users,
    );
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("KubernetesUserRules", {
    async create(inputs: UserRulesState) {
        await judge(inputs, inputs.users ?? []);
        return { id: inputs.node.name, outs: inputs };
    },
    async read(id: string, props: UserRulesState) {
        return { id, props };
    },
    async diff(_id: string, olds: UserRulesState, news: UserRulesState) {
        const changes =
            canonical(olds.users ?? []) !== canonical(news.users ?? []) ||
            !sameAddress(olds.node, news.node) ||
            olds.password !== news.password ||
            canonical(olds.tls ?? null) !== canonical(news.tls ?? null);
        return { changes, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id: string, olds: UserRulesState, news: UserRulesState) {
        // At the node as it runs now: its address, password and files are the old ones until the changes after this land.
        await judge({ ...olds, lifecycle: news.lifecycle }, usersWithNewRules(olds.users ?? [], news.users ?? []));
        return { outs: news };
    },
    async delete() {
        // Nothing of it exists outside the state.
    },
});
