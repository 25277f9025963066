// KubernetesNodeUsers' provider (loaded by module name in Pulumi's provider process): the ACL users of a
// running node through its lifecycle, so no file here speaks Redis. Create changes nothing: the node
// was declared in the same run and its pod starts with the users of the auth Secret. Update has the
// running node judge new rules first (on a throwaway user: a write, so not in `diff`, which preview runs
// and which only reads), then sets the new and changed users and removes the dropped ones, without a restart.
import type * as pulumi from "@pulumi/pulumi";
import { AclAccount, AclUser, accountsOf } from "../../settings/aclUsers";
import { canonical, implementation } from "../../providers/implementation";
import { LifecycleNode, LifecycleRef, NodeAddress, loadLifecycle } from "../../contracts/nodeLifecycle";
import type { NodeTls } from "../../tls/nodeTls";

export interface NodeUsersState {
    readonly node: NodeAddress;
    readonly password: string;
    readonly users: AclUser[];
    readonly userPasswordHashes: Record<string, string>;
    readonly lifecycle: LifecycleRef;
    /** The node's own TLS files when it serves TLS (secret). */
    readonly tls?: NodeTls;
}

const accounts = (state: NodeUsersState): AclAccount[] => accountsOf(state.users ?? [], state.userPasswordHashes ?? {});

const lifecycleNode = (state: NodeUsersState): LifecycleNode => ({
    address: state.node,
    ...(state.password ? { password: state.password } : {}),
    ...(state.tls ? { tls: state.tls } : {}),
    options: state.lifecycle.options,
});

/** The users whose rules are new or changed: what Redis has to judge. */
export function usersWithNewRules(olds: readonly AclUser[], news: readonly AclUser[]): AclUser[] {
    return news.filter((u) => canonical(u.rules) !== canonical(olds.find((o) => o.name === u.name)?.rules));
}

/** The same node at the same address: its name only labels messages (stacks before RedisStack recorded another). */
export const sameAddress = (olds: NodeAddress, news: NodeAddress): boolean => olds.host === news.host && olds.port === news.port;

export const sameUsers = (olds: NodeUsersState, news: NodeUsersState): boolean =>
    canonical(olds.users ?? []) === canonical(news.users ?? []) &&
    canonical(olds.userPasswordHashes ?? {}) === canonical(news.userPasswordHashes ?? {});

export const provider: pulumi.dynamic.ResourceProvider = implementation("KubernetesNodeUsers", {
    async create(inputs: NodeUsersState) {
        return { id: inputs.node.name, outs: inputs };
    },
    async read(id: string, props: NodeUsersState) {
        return { id, props };
    },
    async diff(_id: string, olds: NodeUsersState, news: NodeUsersState) {
        const changes =
            !sameUsers(olds, news) ||
            !sameAddress(olds.node, news.node) ||
            olds.password !== news.password ||
            canonical(olds.tls ?? null) !== canonical(news.tls ?? null);
        return { changes, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id: string, olds: NodeUsersState, news: NodeUsersState) {
        const lifecycle = loadLifecycle(news.lifecycle);
        const judged = usersWithNewRules(olds.users ?? [], news.users ?? []);
        // Asked at the running node (with the password and files it has now) before any user changes: quiet when it does not answer.
        if (judged.length > 0) await lifecycle.checkUsers({ ...lifecycleNode({ ...news, tls: olds.tls }), address: olds.node }, judged);
        if (!sameUsers(olds, news)) await lifecycle.changeUsers(lifecycleNode(news), accounts(olds), accounts(news));
        return { outs: news };
    },
    async delete() {
        // The users go with the node's pod; nothing else holds them.
    },
});
