// Pure: whose a Docker object with one of a stack's names is. Equal project and stack names in two checkouts
// (two state backends) on one host give equal names, so a name proves nothing: every container, volume and
// network the stack makes carries OWNER_LABEL, valued with the stack's owner id (made once, at its first up, and
// kept in its state: ../stack/stackOwner.ts). The stack adopts, replaces or removes only objects carrying it, and
// those an earlier release made before the label existed that its own state records.
import { type DockerTopology, STACK_LABEL, dockerNodes } from "./dockerPlacement";

export const OWNER_LABEL = "redis-stack.owner";

export type ObjectKind = "container" | "volume" | "network";

/** A Docker object on the host, found by one of the stack's names. */
export interface HostObject {
    readonly kind: ObjectKind;
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
}

/** An object's labels with the stack's owner id among them (none where the stack has no owner id yet). */
export function ownerLabelled(labels: Readonly<Record<string, string>>, owner: StackOwnerId | undefined): Record<string, string> {
    return owner?.ownerId ? { ...labels, [OWNER_LABEL]: owner.ownerId } : { ...labels };
}

/** Who a stack is on a Docker host: its STACK_LABEL value (its name prefix) and its owner id. */
export interface StackOwnerId {
    readonly stackLabel: string;
    /** Undefined where it is not known (state written before owner ids): then only unlabelled objects can be the stack's. */
    readonly ownerId: string | undefined;
}

/**
 * `ours`: it carries the stack's owner id. `unlabelled`: it carries the stack's label and no owner id, as every
 * object an earlier release made; the stack's own where its state records it (only the object's own resource
 * knows that). `foreign`: another stack's owner id, another stack's label, or none at all.
 */
export type Ownership = "ours" | "unlabelled" | "foreign";

export function ownershipOf(labels: Readonly<Record<string, string>>, stack: StackOwnerId): Ownership {
    const owner = labels[OWNER_LABEL];
    if (owner !== undefined) return owner === stack.ownerId ? "ours" : "foreign";
    return labels[STACK_LABEL] === stack.stackLabel ? "unlabelled" : "foreign";
}

/**
 * What the stack's state records of an object: `this object` (its id: a container or network its resource made),
 * `its name` (a volume, which has no other id, or an object whose resource decides later), or `no`.
 */
export type Recorded = "this object" | "its name" | "no";

/** Whether the stack may adopt, replace or remove the object. */
export function mayTouch(labels: Readonly<Record<string, string>>, stack: StackOwnerId, recorded: Recorded): boolean {
    if (recorded === "this object") return true;
    const ownership = ownershipOf(labels, stack);
    return ownership === "ours" || (ownership === "unlabelled" && recorded === "its name");
}

/**
 * The Docker objects a placed stack names: a container and a volume per node, its exporters' containers (metrics),
 * its backup runner's (backupSchedule), and its network (bridge mode).
 */
export function stackObjects(
    placement: Pick<DockerTopology, "clusterNodes" | "standalone" | "network" | "backupRunner">,
): { kind: ObjectKind; name: string }[] {
    const nodes = dockerNodes(placement);
    return [
        ...nodes.map((n) => ({ kind: "container" as const, name: n.name })),
        ...nodes.flatMap((n) => (n.exporter ? [{ kind: "container" as const, name: n.exporter.name }] : [])),
        ...(placement.backupRunner ? [{ kind: "container" as const, name: placement.backupRunner.name }] : []),
        ...nodes.map((n) => ({ kind: "volume" as const, name: n.volume })),
        ...(placement.network ? [{ kind: "network" as const, name: placement.network.name }] : []),
    ];
}

/** What an object carries that makes it not the stack's. */
function whose(object: HostObject, stack: StackOwnerId): string {
    const owner = object.labels[OWNER_LABEL];
    const label = object.labels[STACK_LABEL];
    if (owner !== undefined)
        return `labelled ${OWNER_LABEL}=${owner}${label !== undefined ? ` (${STACK_LABEL}=${label})` : ""}, not this stack's owner id${stack.ownerId ? ` ${stack.ownerId}` : ""}`;
    if (label === stack.stackLabel)
        return `labelled ${STACK_LABEL}=${label} without ${OWNER_LABEL} (made by a release of redis-stack before owner labels), and not recorded in this stack's state`;
    if (label !== undefined) return `labelled ${STACK_LABEL}=${label}: another redis-stack stack's`;
    return `without a ${STACK_LABEL} or ${OWNER_LABEL} label: not made by redis-stack`;
}

const REMOVE: Record<ObjectKind, string> = { container: "docker rm -f", volume: "docker volume rm", network: "docker network rm" };

/**
 * The refusal naming every object of `found` the stack may not touch (`recorded`: those its state records), with
 * the label each carries and what to do; undefined when the stack may touch them all.
 */
export function ownershipRefusal(
    found: readonly HostObject[],
    stack: StackOwnerId,
    recorded: (object: HostObject) => Recorded = () => "no",
): string | undefined {
    const refused = found.filter((o) => !mayTouch(o.labels, stack, recorded(o)));
    if (refused.length === 0) return undefined;
    const ids = [...new Set(refused.map((o) => o.labels[OWNER_LABEL]).filter((id): id is string => id !== undefined))];
    const kinds = [...new Set(refused.map((o) => o.kind))];
    return [
        "Docker objects with this stack's names are not this stack's; nothing was created or changed:",
        ...refused.map((o) => `  - ${o.kind} ${o.name}: ${whose(o, stack)}`),
        "They may be the objects of a stack with the same project and stack name from another checkout (another state " +
            "backend) on this host; this stack adopts, replaces or removes only its own. Give this stack other names " +
            "(redis-stack:namePrefix, and other ports and subnet while the other stack runs), or remove them if nobody needs " +
            `them (${kinds.map((k) => REMOVE[k]).join(", ")}).` +
            (ids.length === 1
                ? ` If they are this stack's own (volumes kept through \`destroy\` by retainData, or its state was lost), ` +
                  `take them back with \`pulumi config set redis-stack:ownerId ${ids[0]}\` (RedisStack's ownerId) and run up again.`
                : ""),
    ].join("\n");
}

/** What an owner id may be: a Docker label value that a shell takes as it is. */
export const OWNER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * The stack's owner id: the one its state records; for a stack with none yet (its first up, or the first after a
 * `destroy`), the one asked for (RedisStack's ownerId), else a new one. Throws when the one asked for is not the
 * one recorded: every object the stack made carries that one.
 */
export function ownerIdFor(recorded: string | undefined, requested: string | undefined, generate: () => string): string {
    if (recorded === undefined) return requested || generate();
    if (requested && requested !== recorded)
        throw new Error(
            `ownerId: got "${requested}", but this stack's owner id is "${recorded}" (every Docker object it made carries it); ` +
                "nothing was changed. Unset redis-stack:ownerId, or set it to that id: it names the owner id only of a stack that has none " +
                "yet (its first up, or the first after a `destroy`).",
        );
    return recorded;
}
