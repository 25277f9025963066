// Node contract: what a runtime needs from the software in its nodes when it stops, replaces or re-keys
// one. Runtimes use it, and the component that knows that software implements it (a Redis Cluster node
// fails over before it stops; components/redis/*Lifecycle.ts); neither imports the other: a node's
// resource records the implementation's module name and the provider process loads it by that name.
// Pure types and one loader.
import type { AclAccount, AclUser } from "../settings/aclUsers";
import { loadNamed } from "./loadNamed";

/** Where a node answers from the host the provider runs on. */
export interface NodeAddress {
    /** Container/node name, used in every message. */
    readonly name: string;
    readonly host: string;
    readonly port: number;
}

/** Small settings recorded with the module name: the same for every node of a component. */
export type LifecycleOptions = Readonly<Record<string, string | number | boolean>>;

/** A lifecycle as a node's resource records it: which module, with which options. */
export interface LifecycleRef {
    /** A module name this package resolves (package.json `exports`) whose `lifecycle` is a NodeLifecycle. */
    readonly module: string;
    readonly options: LifecycleOptions;
}

/** One node, as a lifecycle method sees it. */
export interface LifecycleNode {
    readonly address: NodeAddress;
    readonly password?: string;
    /** The node's own TLS files (CA, certificate, key), when it speaks TLS: the runtime hands them on as they are. */
    readonly tls?: { readonly ca: string; readonly cert: string; readonly key: string };
    readonly options: LifecycleOptions;
}

/** What a change to a running node involves, for `refuse`. */
export interface NodeChange {
    readonly passwordChanged: boolean;
    /** The container is recreated (new image or settings). */
    readonly recreated: boolean;
    /** TLS is turned on or off (not a new certificate): the node's peers must make the same change. */
    readonly tlsSwitched?: boolean;
}

/** The result of applying Redis settings to a running node. */
export type SettingsApplied =
    /** Applied; `live`: the values as the node reports them now (its own spelling: 256mb reads back as 268435456). */
    | { readonly applied: true; readonly live: Readonly<Record<string, string>> }
    /** Nothing changed: these settings take effect only when the node starts, so it must be replaced. */
    | { readonly applied: false; readonly restart: readonly string[] };

/** What `beforeStop` learnt, handed back to `afterStart`: plain data, opaque to the runtime. */
export type Departure = object;

export interface NodeLifecycle {
    /** The nodes of one deployment must be replaced one at a time, in `cost` order. */
    readonly oneAtATime: boolean;
    /** Lower goes first when nodes take turns; asked when a turn is handed out. 0: nothing to hand over. */
    cost(node: LifecycleNode): Promise<number>;
    /** Makes the running node safe to stop. undefined: the node is not serving, nothing to wait for after. */
    beforeStop(node: LifecycleNode): Promise<Departure | undefined>;
    /** Waits until the restarted node serves again as what it was. */
    afterStart(node: LifecycleNode, departure: Departure): Promise<void>;
    /** Moves the running node to the new password without a restart. */
    changePassword(node: LifecycleNode, oldPassword: string | undefined, newPassword: string | undefined): Promise<void>;
    /** Gives the running node exactly `newUsers` without a restart: new and changed ones set, those only in `oldUsers` removed. */
    changeUsers(node: LifecycleNode, oldUsers: readonly AclAccount[], newUsers: readonly AclAccount[]): Promise<void>;
    /**
     * Has the running node judge the users' rules on a throwaway user, changing none of its users (a
     * write all the same: create and update only); throws its refusal, naming the user and the node.
     * Returns quietly when the node does not answer (there is nothing to ask then).
     */
    checkUsers(node: LifecycleNode, users: readonly AclUser[]): Promise<void>;
    /**
     * Applies passed-through settings to the running node without a restart where the software allows it
     * (all or none); throws, naming the node and changing nothing, for a name the software does not know.
     */
    applySettings(node: LifecycleNode, set: Readonly<Record<string, string>>): Promise<SettingsApplied>;
    /** Live values of the named settings (null: the software has no such setting); undefined when the node does not answer. */
    readSettings(node: LifecycleNode, names: readonly string[]): Promise<Readonly<Record<string, string | null>> | undefined>;
    /** Why this change cannot be made in one update (the whole error message), or undefined. */
    refuse(change: NodeChange, node: NodeAddress): string | undefined;
    /**
     * Turns TLS on or off on the running node without a restart (`settings`: name/value pairs, applied
     * in this order and all or none), then waits until every peer it must talk to has made the same switch,
     * so that the node can afterwards restart with the switch in its command line and find its peers.
     * `before`: the node as it answers now; `after`: as it answers once switched. Absent: the switch
     * takes the node's restart in its turn, as any other change of its command.
     */
    switchTls?(before: LifecycleNode, after: LifecycleNode, settings: readonly (readonly [string, string])[]): Promise<void>;
}

/** The lifecycle a resource recorded, loaded in the provider process. */
export function loadLifecycle(ref: LifecycleRef): NodeLifecycle {
    return loadNamed<NodeLifecycle>(ref.module, "lifecycle");
}
