// `engine` runtime, pure: what a node container's inputs record, and what a change of them asks for
// (replace, recreate, switch TLS live, change in place), decided before the live container is looked at.
// The provider (./containerProvider.ts) acts on these decisions.
import { createHash } from "crypto";
import { AclAccount, AclUser, accountsOf } from "../../settings/aclUsers";
import type { NodeLifecycle, LifecycleRef, NodeAddress } from "../../contracts/nodeLifecycle";
import type { NodeLimits } from "../../settings/nodeLimits";
import type { RedisSettings } from "../../settings/redisSettings";
import { canonical } from "../../providers/implementation";
import type { NodeTls } from "../../tls/nodeTls";
import type { ContainerCreateBody } from "../containerSpec";
import type { StackOwnerId } from "../ownership";

export interface ContainerInputs {
    readonly body: ContainerCreateBody;
    readonly password: string;
    /** TLS files (secret); absent without TLS. */
    readonly tls?: NodeTls;
    /** Where the node answers from the Docker host (no password: that is the `password` property). */
    readonly endpoint: NodeAddress;
    /** Something the container depends on (volume, network): a new value means a new container. */
    readonly dependsOnIds: string[];
    /** What the node's software needs when it is stopped, replaced or re-keyed; none: a plain container. */
    readonly lifecycle?: LifecycleRef;
    /** ACL users' names and rules (plain, so known in a preview). Absent in older state: none. */
    readonly users?: AclUser[];
    /** User name -> SHA-256 of its password (secret; unknown in a preview that creates the user). */
    readonly userPasswordHashes?: Record<string, string>;
    /** Passed-through Redis settings, in a file of their own; applied in place where the software can. */
    readonly redisConfig?: RedisSettings;
    /** Memory and CPU limits, changed on the running container. */
    readonly limits?: NodeLimits;
    /**
     * The stack's owner id, labelled on the container when it is made (not in the body: it alone changes nothing);
     * absent in state written before owner ids.
     */
    readonly owner?: StackOwnerId;
}

/**
 * What the state records after a create or update. The create body is in the resource's inputs
 * already: the outputs keep its digest and the container's name, so the state holds it once.
 */
export interface ContainerOutputs extends Omit<ContainerInputs, "body"> {
    readonly name: string;
    /** sha256 of the canonical create body. */
    readonly bodyDigest: string;
    /** State written before `bodyDigest` holds the whole body instead. */
    readonly body?: ContainerCreateBody;
    readonly containerId: string;
    readonly running: boolean;
    /** The settings' values as the node reported them when they were last applied (its spelling), for drift. */
    readonly liveConfig?: Readonly<Record<string, string>>;
}

/** In a preview the body may be an unknown value (a string): its digest then differs from any body's. */
export const digestOf = (body: ContainerCreateBody) => createHash("sha256").update(canonical(body)).digest("hex");
export const nameOf = (outs: ContainerOutputs) => outs.name ?? outs.body!.name;
export const recordedDigest = (outs: ContainerOutputs) => outs.bodyDigest ?? digestOf(outs.body!);
/** Who the stack is, for the ownership rule (../ownership.ts); state written before owner ids knows no owner id. */
export const ownerOf = (inputs: Pick<ContainerInputs, "owner">): StackOwnerId => inputs.owner ?? { stackLabel: "", ownerId: undefined };

/** The outputs for a container made from `inputs`: everything but the body, which is recorded by its digest. */
export function recorded(inputs: ContainerInputs, containerId: string, running = true): ContainerOutputs {
    const { body, ...rest } = inputs;
    return { ...rest, name: body.name, bodyDigest: digestOf(body), containerId, running };
}

/** The container as it starts: its create body and its TLS files (new ones alone are reloaded live: `onlyNewTlsFiles`). */
export const sameBody = (olds: ContainerOutputs, news: ContainerInputs) =>
    recordedDigest(olds) === digestOf(news.body) && canonical(olds.tls) === canonical(news.tls);
export const samePassword = (olds: ContainerOutputs, news: ContainerInputs) => (olds.password ?? "") === (news.password ?? "");
export const sameUsers = (olds: ContainerOutputs, news: ContainerInputs) =>
    canonical(olds.users ?? []) === canonical(news.users ?? []) &&
    canonical(olds.userPasswordHashes ?? {}) === canonical(news.userPasswordHashes ?? {});
export const accounts = (inputs: Pick<ContainerInputs, "users" | "userPasswordHashes">): AclAccount[] =>
    accountsOf(inputs.users ?? [], inputs.userPasswordHashes ?? {});
/** The users whose rules are new or changed: what Redis has to judge. */
export const usersWithNewRules = (olds: ContainerOutputs, news: ContainerInputs): AclUser[] =>
    (news.users ?? []).filter((u) => canonical(u.rules) !== canonical((olds.users ?? []).find((o) => o.name === u.name)?.rules));
export type Tunables = Pick<ContainerInputs, "redisConfig" | "limits">;
export const sameSettings = (olds: Tunables, news: Tunables) => canonical(olds.redisConfig ?? {}) === canonical(news.redisConfig ?? {});
export const sameLimits = (olds: Tunables, news: Tunables) => canonical(olds.limits ?? {}) === canonical(news.limits ?? {});
/** A limit that goes away: Docker's update cannot lift one (0 means "unchanged"), so the container is recreated. */
export const limitLifted = (olds: Tunables, news: Tunables) =>
    (olds.limits?.memoryBytes !== undefined && news.limits?.memoryBytes === undefined) ||
    (olds.limits?.nanoCpus !== undefined && news.limits?.nanoCpus === undefined);

/**
 * Pure: what the inputs ask for, before the live container is looked at. Throws the lifecycle's refusal
 * of a change that cannot be made in one update.
 */
export function declaredDiff(
    olds: ContainerOutputs,
    news: ContainerInputs,
    lifecycle: NodeLifecycle | undefined,
): { changes: boolean; replace: boolean } {
    const passwordChanged = !samePassword(olds, news);
    // A settings change may need a restart (known only when it is tried): refused with a password change too.
    const recreated = !sameBody(olds, news) || !sameSettings(olds, news);
    // In a preview the body may be unknown yet (its network is being changed): refuse only what is known.
    const known = typeof news.body === "object";
    const refusal = known
        ? lifecycle?.refuse({ passwordChanged, recreated, tlsSwitched: tlsSwitched(olds, news) }, news.endpoint)
        : undefined;
    if (refusal) throw new Error(refusal);
    const replace = canonical(olds.dependsOnIds) !== canonical(news.dependsOnIds);
    const changes =
        replace ||
        passwordChanged ||
        !sameUsers(olds, news) ||
        recreated ||
        !sameLimits(olds, news) ||
        olds.running === false ||
        canonical(olds.lifecycle) !== canonical(news.lifecycle) ||
        canonical(olds.endpoint) !== canonical(news.endpoint);
    return { changes, replace };
}

export type UpdatePlan =
    | "bring back"
    | "change in place"
    | "reload TLS in place"
    | "switch TLS live, then recreate with lifecycle"
    | "recreate with lifecycle"
    | "recreate";

/** Only the TLS files changed (new certificates, a renewed CA), TLS stays on, nothing else differs: the node reloads them live. */
const onlyNewTlsFiles = (olds: ContainerOutputs, news: ContainerInputs) =>
    Boolean(olds.tls && news.tls) &&
    recordedDigest(olds) === digestOf(news.body) &&
    canonical(olds.tls) !== canonical(news.tls) &&
    samePassword(olds, news) &&
    sameUsers(olds, news) &&
    sameSettings(olds, news) &&
    sameLimits(olds, news);

/** TLS turned on or off (a new certificate is not a switch). */
const tlsSwitched = (olds: Pick<ContainerInputs, "tls">, news: Pick<ContainerInputs, "tls">) => Boolean(olds.tls) !== Boolean(news.tls);

/** Pure: how `update` reaches the new inputs. */
export function updatePlan(olds: ContainerOutputs, news: ContainerInputs, lifecycle?: NodeLifecycle): UpdatePlan {
    if (news.lifecycle && onlyNewTlsFiles(olds, news)) return "reload TLS in place";
    if (!sameBody(olds, news)) {
        // TLS on or off, where the node can switch live: all switch first, then they restart one at a time.
        if (news.lifecycle && tlsSwitched(olds, news) && lifecycle?.switchTls) return "switch TLS live, then recreate with lifecycle";
        return news.lifecycle ? "recreate with lifecycle" : "recreate";
    }
    // Same container (only recorded inputs changed, or it is stopped or gone): started or created again as it was.
    if (samePassword(olds, news) && sameUsers(olds, news) && sameSettings(olds, news) && sameLimits(olds, news)) return "bring back";
    // Without a lifecycle to take a new password, users or settings while running, those mean a restart; limits change in place.
    if (news.lifecycle || (samePassword(olds, news) && sameUsers(olds, news) && sameSettings(olds, news))) return "change in place";
    return "recreate";
}
