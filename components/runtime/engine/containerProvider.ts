// `engine` runtime, provider process: a node's container through the Docker Engine API (loaded by name,
// see components/providers/). The create body carries no password; the provider writes it into a config
// file in the container, so only the `password` property is secret and no command line shows it.
//
// A changed body (image, Redis settings) does not make Pulumi replace the resource: the provider
// recreates the container in place, on the same volume (data and nodes.conf), so the node keeps its
// identity. What the node's software needs around that (take turns, hand over before stopping, take a
// new password while running) comes from its lifecycle module (../../contracts/nodeLifecycle.ts), named in the inputs.
// `diff` also looks at the live container, so every `up` brings back one that is stopped or gone.
// ACL users go the same way as the password: in the auth config file (their passwords' hashes only) and,
// on a running node, through its lifecycle, without a restart; new rules are put to the live node first
// thing in `update`, before anything changes (on a throwaway user: a write, so never in `diff`, which
// preview runs and which only reads). Passed-through Redis settings and container limits are
// not in the body: they change on the running container (CONFIG SET through the lifecycle, Docker's
// update) and recreate it only where they must.
import { createHash } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { AclAccount, AclUser, accountsOf } from "../../aclUsers";
import type { ContainerFile } from "../../contracts/nodeFiles";
import type { NodeLimits } from "../../nodeLimits";
import { RedisSettings, settingsChange, unknownSettingsMessage } from "../../redisSettings";
import { canonical, implementation } from "../../providers/implementation";
import { DEFAULT_TIMEOUTS } from "../../timeouts";
import { done, notYet, pollUntil } from "../../wait";
import { liveTlsSwitch } from "../../tls/liveSwitch";
import { NodeTls, TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH, tlsFiles } from "../../tls/nodeTls";
import { recentLogs, runsSteadily, updateLimits } from "../containerInPlace";
import { ContainerCreateBody, authConfigFiles, withLimits } from "../containerSpec";
import {
    dockerClient,
    ensureContainer,
    ensureImage,
    inspectContainer,
    inspectContainerQuickly,
    putFiles,
    removeContainer,
    stopContainer,
} from "../dockerEngine";
import { LifecycleNode, LifecycleRef, NodeAddress, NodeLifecycle, loadLifecycle } from "../../contracts/nodeLifecycle";
import { awaitReplacementTurn } from "../replacementTurns";

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
const digestOf = (body: ContainerCreateBody) => createHash("sha256").update(canonical(body)).digest("hex");
const nameOf = (outs: ContainerOutputs) => outs.name ?? outs.body!.name;
const recordedDigest = (outs: ContainerOutputs) => outs.bodyDigest ?? digestOf(outs.body!);

/** The outputs for a container made from `inputs`: everything but the body, which is recorded by its digest. */
export function recorded(inputs: ContainerInputs, containerId: string, running = true): ContainerOutputs {
    const { body, ...rest } = inputs;
    return { ...rest, name: body.name, bodyDigest: digestOf(body), containerId, running };
}

const STOP_GRACE_SECONDS = Math.ceil(DEFAULT_TIMEOUTS.stopGraceMs / 1000);

/** The container as it starts: its create body and its TLS files (new ones alone are reloaded live: `onlyNewTlsFiles`). */
const sameBody = (olds: ContainerOutputs, news: ContainerInputs) =>
    recordedDigest(olds) === digestOf(news.body) && canonical(olds.tls) === canonical(news.tls);
const samePassword = (olds: ContainerOutputs, news: ContainerInputs) => (olds.password ?? "") === (news.password ?? "");
const sameUsers = (olds: ContainerOutputs, news: ContainerInputs) =>
    canonical(olds.users ?? []) === canonical(news.users ?? []) &&
    canonical(olds.userPasswordHashes ?? {}) === canonical(news.userPasswordHashes ?? {});
const accounts = (inputs: Pick<ContainerInputs, "users" | "userPasswordHashes">): AclAccount[] =>
    accountsOf(inputs.users ?? [], inputs.userPasswordHashes ?? {});
/** The users whose rules are new or changed: what Redis has to judge. */
const usersWithNewRules = (olds: ContainerOutputs, news: ContainerInputs): AclUser[] =>
    (news.users ?? []).filter((u) => canonical(u.rules) !== canonical((olds.users ?? []).find((o) => o.name === u.name)?.rules));
type Tunables = Pick<ContainerInputs, "redisConfig" | "limits">;
const sameSettings = (olds: Tunables, news: Tunables) => canonical(olds.redisConfig ?? {}) === canonical(news.redisConfig ?? {});
const sameLimits = (olds: Tunables, news: Tunables) => canonical(olds.limits ?? {}) === canonical(news.limits ?? {});
/** A limit that goes away: Docker's update cannot lift one (0 means "unchanged"), so the container is recreated. */
const limitLifted = (olds: Tunables, news: Tunables) =>
    (olds.limits?.memoryBytes !== undefined && news.limits?.memoryBytes === undefined) ||
    (olds.limits?.nanoCpus !== undefined && news.limits?.nanoCpus === undefined);
/**
 * Every file the container reads at start: the auth config (password, users' password hashes, the
 * settings file's include), the passed-through settings, and the TLS files with TLS.
 */
const containerFiles = (inputs: ContainerInputs, users: readonly AclAccount[] = accounts(inputs)): ContainerFile[] => [
    ...authConfigFiles(inputs.password || undefined, users, inputs.redisConfig ?? {}),
    ...tlsFiles(inputs.tls),
];
/** The container this resource made: the id in the outputs (older state: the resource id). */
const ownId = (olds: ContainerOutputs, id: string) => olds.containerId ?? id;

async function start(inputs: ContainerInputs, users: readonly AclAccount[] = accounts(inputs)): Promise<ContainerOutputs> {
    const docker = dockerClient();
    await ensureImage(docker, inputs.body.Image);
    // The body's command loads the auth config file, which includes the settings file; all files are written here.
    const containerId = await ensureContainer(docker, withLimits(inputs.body, inputs.limits), containerFiles(inputs, users));
    const liveConfig = await startedSettings(inputs, containerId);
    return { ...recorded(inputs, containerId), ...(liveConfig ? { liveConfig } : {}) };
}

/**
 * A new container with ACL users and a lifecycle: redis-server exits on a `user` line it refuses (and
 * the restart policy would loop), so it starts without them, Redis judges them live (an error names the
 * user and the node), and only then are they written into its file for restarts.
 */
async function startWithUsersChecked(inputs: ContainerInputs, ref: LifecycleRef): Promise<ContainerOutputs> {
    const outs = await start(inputs, []);
    await loadLifecycle(ref).changeUsers(lifecycleNode(inputs, ref, inputs.endpoint), [], accounts(inputs));
    await putFiles(dockerClient(), inputs.body.name, containerFiles(inputs));
    return outs;
}

/**
 * With passed-through settings: waits for the node to answer and records their live values (for
 * drift). A node that does not start with them (a name the server does not know, a bad value) is
 * removed and the error names it, with what redis-server printed.
 */
async function startedSettings(inputs: ContainerInputs, containerId: string): Promise<Record<string, string> | undefined> {
    const names = Object.keys(inputs.redisConfig ?? {});
    if (names.length === 0 || !inputs.lifecycle) return undefined;
    const lifecycle = loadLifecycle(inputs.lifecycle);
    const node = lifecycleNode(inputs, inputs.lifecycle, inputs.endpoint);
    const docker = dockerClient();
    const read = await pollUntil(
        async () => {
            const live = await lifecycle.readSettings(node, names);
            if (live) return done(live as Record<string, string>);
            if (!(await runsSteadily(docker, containerId))) {
                const printed = await recentLogs(docker, containerId, 5);
                await removeContainer(docker, containerId);
                throw new Error(
                    `node ${inputs.body.name} did not start with redis-stack:redisConfig ${JSON.stringify(inputs.redisConfig)}: ${printed || "it exited"}`,
                );
            }
            return notYet("running, not answering yet");
        },
        { timeoutMs: DEFAULT_TIMEOUTS.connectMs, pollMs: DEFAULT_TIMEOUTS.slowPollMs },
    );
    // Running but not answering yet (loading a large dataset): formation waits for it; the values are recorded at the next change.
    return read.done ? read.value : undefined;
}

/** Stops (cleanly) and removes the old container, then starts the new body on the same volume. */
async function recreate(olds: ContainerOutputs, news: ContainerInputs): Promise<ContainerOutputs> {
    const docker = dockerClient();
    // Pull first, so the node is not down while an image downloads.
    await ensureImage(docker, news.body.Image);
    await stopContainer(docker, nameOf(olds), STOP_GRACE_SECONDS);
    await removeContainer(docker, nameOf(olds));
    return start(news);
}

function lifecycleNode(
    inputs: Pick<ContainerInputs, "endpoint" | "password" | "tls">,
    ref: LifecycleRef,
    fallback: NodeAddress,
): LifecycleNode {
    // State written before `endpoint` existed has none: the node's address is the same then.
    return {
        address: inputs.endpoint ?? fallback,
        password: inputs.password || undefined,
        ...(inputs.tls ? { tls: inputs.tls } : {}),
        options: ref.options,
    };
}

/** Recreates the container with what its software needs around it: its turn, a handover, its return. */
async function recreateWithLifecycle(
    olds: ContainerOutputs,
    news: ContainerInputs,
    ref: LifecycleRef,
    lifecycle: NodeLifecycle,
): Promise<ContainerOutputs> {
    const before = lifecycleNode(olds, ref, news.endpoint);
    const release = lifecycle.oneAtATime ? await awaitReplacementTurn(() => lifecycle.cost(before)) : () => undefined;
    try {
        const departure = await lifecycle.beforeStop(before);
        const outs = await recreate(olds, news);
        // A node that was down before has nothing to wait for here; formation checks it afterwards.
        if (departure !== undefined) await lifecycle.afterStart(lifecycleNode(news, ref, news.endpoint), departure);
        return outs;
    } finally {
        release();
    }
}

/**
 * New certificates (a renewal, a renewed CA) without a restart: the files are rewritten in the running
 * container and the node reads them again when CONFIG SET names them, under the same paths (Redis 7.0.15,
 * 8.0.2 and Valkey 8.1.1 do: test/integration/tlsReload.test.ts). Its open connections, the cluster bus included, keep their TLS
 * sessions; new ones get the new certificate. The CA file holds the renewed CA and the one it replaced,
 * so peers and clients with either are accepted while the nodes reload one by one.
 */
async function reloadTls(
    olds: ContainerOutputs,
    id: string,
    news: ContainerInputs,
    ref: LifecycleRef,
    lifecycle: NodeLifecycle,
): Promise<ContainerOutputs> {
    const docker = dockerClient();
    const live = await inspectContainer(docker, news.body.name);
    if (!live?.running || live.id !== ownId(olds, id)) return bringBack(olds, id, news); // it reads the new files when it starts
    await putFiles(docker, news.body.name, tlsFiles(news.tls));
    // Reached with the old files: the node serves the old certificate until the set.
    const applied = await lifecycle.applySettings(lifecycleNode(olds, ref, news.endpoint), {
        "tls-cert-file": TLS_CERT_PATH,
        "tls-key-file": TLS_KEY_PATH,
        "tls-ca-cert-file": TLS_CA_PATH,
    });
    if (!applied.applied) return recreateWithLifecycle(olds, news, ref, lifecycle);
    return { ...recorded(news, live.id), ...(olds.liveConfig ? { liveConfig: olds.liveConfig } : {}) };
}

/**
 * TLS turned on or off without every node down at once: the TLS files go into the running container,
 * the node switches live and waits for its peers (its lifecycle), and then it is recreated with the
 * switch in its command line, in its turn like any other restart (failover first). A node that is not
 * running has nothing to switch live: it starts with the new command line.
 */
async function switchTlsThenRecreate(
    olds: ContainerOutputs,
    news: ContainerInputs,
    ref: LifecycleRef,
    lifecycle: NodeLifecycle,
): Promise<ContainerOutputs> {
    const docker = dockerClient();
    const live = await inspectContainer(docker, news.body.name);
    if (!live?.running) return recreate(olds, news);
    // The node reads them when the CONFIG SET names them (turning TLS off needs none).
    if (news.tls) await putFiles(docker, news.body.name, tlsFiles(news.tls));
    const { settings } = liveTlsSwitch(news.body.Cmd);
    await lifecycle.switchTls!(lifecycleNode(olds, ref, news.endpoint), lifecycleNode(news, ref, news.endpoint), settings);
    // From here on the node answers as the new inputs say: its turn and handover reach it that way.
    return recreateWithLifecycle({ ...olds, tls: news.tls }, news, ref, lifecycle);
}

/**
 * The same container, as declared: running, and this resource's own. One that is stopped is started
 * (its auth file rewritten first, in case the password changed meanwhile); one that is gone, or was
 * replaced by another container of that name, is created again on its volume (data and nodes.conf).
 */
async function bringBack(olds: ContainerOutputs, id: string, news: ContainerInputs): Promise<ContainerOutputs> {
    const docker = dockerClient();
    const live = await inspectContainer(docker, news.body.name);
    if (live && live.id === ownId(olds, id) && !limitLifted(olds, news)) {
        if (!live.running) await putFiles(docker, news.body.name, containerFiles(news));
        // An existing container is started as it is: new limits are set on it first (Docker's update works on a stopped one too).
        if (!sameLimits(olds, news)) await updateLimits(docker, news.body.name, news.limits ?? {});
        return start(news);
    }
    if (live) await removeContainer(docker, news.body.name);
    return start(news);
}

/**
 * A new password, ACL users, Redis settings or limits on a running node, without a restart: limits
 * through Docker's update; the users set live first (with the old password in force; Redis judges them
 * before the file holds them); the files rewritten for later restarts; the lifecycle moves the running
 * node to the new password and applies the settings. Settings Redis takes only at start, a removed
 * setting (its default comes back only with a restart) or a lifted limit recreate the node with its
 * lifecycle instead.
 */
async function changeInPlace(
    olds: ContainerOutputs,
    id: string,
    news: ContainerInputs,
    ref: LifecycleRef | undefined,
    lifecycle: NodeLifecycle | undefined,
): Promise<ContainerOutputs> {
    const docker = dockerClient();
    const live = await inspectContainer(docker, news.body.name);
    if (!live?.running || live.id !== ownId(olds, id)) return bringBack(olds, id, news); // its new files are written before it starts
    const restart = () => (ref && lifecycle ? recreateWithLifecycle(olds, news, ref, lifecycle) : recreate(olds, news));
    if (limitLifted(olds, news)) return restart();
    const change = settingsChange(olds.redisConfig ?? {}, news.redisConfig ?? {});
    if (change.removed.length > 0) return restart();
    if (!sameUsers(olds, news)) {
        if (!ref || !lifecycle) return restart();
        await lifecycle.changeUsers(lifecycleNode(olds, ref, news.endpoint), accounts(olds), accounts(news));
    }
    let liveConfig = olds.liveConfig;
    if (!sameSettings(olds, news) || !samePassword(olds, news)) {
        if (!ref || !lifecycle) return restart();
        const node = lifecycleNode(news, ref, news.endpoint);
        if (!samePassword(olds, news)) {
            await putFiles(docker, news.body.name, containerFiles({ ...news, redisConfig: olds.redisConfig }));
            await lifecycle.changePassword(node, olds.password || undefined, news.password || undefined);
        }
        // The whole declared set, so values that drifted since (found by refresh) are put back too.
        const applied = await lifecycle.applySettings(node, news.redisConfig ?? {});
        if (!applied.applied) return restart();
        liveConfig = { ...applied.live };
    }
    if (!sameLimits(olds, news)) await updateLimits(docker, news.body.name, news.limits ?? {});
    await putFiles(docker, news.body.name, containerFiles(news));
    return { ...recorded(news, live.id), ...(liveConfig ? { liveConfig } : {}) };
}

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

/**
 * Refresh: the settings' live values where they drifted from what was applied (someone ran CONFIG SET),
 * recorded as the node's settings so the next `up` sees a change and puts the declared values back.
 */
async function driftedSettings(props: ContainerOutputs): Promise<RedisSettings | undefined> {
    const names = Object.keys(props.redisConfig ?? {});
    if (names.length === 0 || !props.lifecycle || !props.liveConfig) return undefined;
    const live = await loadLifecycle(props.lifecycle).readSettings(lifecycleNode(props, props.lifecycle, props.endpoint), names);
    if (!live) return undefined;
    const drifted = names.filter((name) => live[name] !== null && live[name] !== props.liveConfig?.[name]);
    if (drifted.length === 0) return undefined;
    return { ...props.redisConfig, ...Object.fromEntries(drifted.map((name) => [name, String(live[name])])) };
}

/**
 * Preview and up: settings the running node's server does not know are refused before anything
 * changes (its CONFIG GET). A node that does not answer is not asked; then the change fails at `up`.
 */
async function refuseUnknownSettings(olds: ContainerOutputs, news: ContainerInputs, lifecycle: NodeLifecycle | undefined): Promise<void> {
    if (!lifecycle || !news.lifecycle || typeof news.body !== "object" || sameSettings(olds, news)) return;
    const added = Object.keys(news.redisConfig ?? {}).filter((name) => !(name in (olds.redisConfig ?? {})));
    if (added.length === 0) return;
    const live = await lifecycle.readSettings(lifecycleNode(olds, news.lifecycle, news.endpoint), added);
    const message = live && unknownSettingsMessage(news.endpoint.name, live);
    if (message) throw new Error(message);
}

/** Whether the live container differs from what the state says: stopped, gone, or another one. */
async function liveDrift(olds: ContainerOutputs, id: string): Promise<boolean> {
    if (!olds.name && !olds.body?.name) return false;
    const live = await inspectContainerQuickly(nameOf(olds));
    return !live || !live.running || live.id !== ownId(olds, id);
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("EngineContainer", {
    async create(inputs: ContainerInputs) {
        const docker = dockerClient();
        // A leftover of an interrupted run with this stack's name is replaced, not adopted blindly.
        const leftover = await inspectContainer(docker, inputs.body.name);
        if (leftover) await removeContainer(docker, inputs.body.name);
        const outs =
            inputs.lifecycle && accounts(inputs).length > 0 ? await startWithUsersChecked(inputs, inputs.lifecycle) : await start(inputs);
        return { id: outs.containerId, outs };
    },

    async read(id: string, props: ContainerOutputs) {
        const state = await inspectContainerQuickly(nameOf(props));
        // Gone (or replaced by another container of that name): refresh reports it deleted.
        if (!state || state.id !== ownId(props, id)) return { id: undefined as unknown as string, props: {} };
        const drifted = state.running ? await driftedSettings(props) : undefined;
        return { id, props: { ...props, running: state.running, ...(drifted ? { redisConfig: drifted } : {}) } };
    },

    async diff(id: string, olds: ContainerOutputs, news: ContainerInputs) {
        const lifecycle = news.lifecycle ? loadLifecycle(news.lifecycle) : undefined;
        const declared = declaredDiff(olds, news, lifecycle);
        await refuseUnknownSettings(olds, news, lifecycle);
        // Nothing declared changed: the live container decides, so a stopped or removed node comes back on a plain `up`.
        const changes = declared.changes || (await liveDrift(olds, id));
        return { changes, replaces: declared.replace ? ["dependsOnIds"] : [], deleteBeforeReplace: true };
    },

    async update(id: string, olds: ContainerOutputs, news: ContainerInputs) {
        const ref = news.lifecycle;
        const lifecycle = ref ? loadLifecycle(ref) : undefined;
        // New rules are put to the running node before anything changes: what Redis refuses fails the update here.
        const judged = usersWithNewRules(olds, news);
        if (ref && lifecycle && judged.length > 0) await lifecycle.checkUsers(lifecycleNode(olds, ref, news.endpoint), judged);
        switch (updatePlan(olds, news, lifecycle)) {
            case "bring back":
                return { outs: await bringBack(olds, id, news) };
            case "change in place":
                return { outs: await changeInPlace(olds, id, news, ref, lifecycle) };
            case "reload TLS in place":
                return { outs: await reloadTls(olds, id, news, ref!, lifecycle!) };
            case "switch TLS live, then recreate with lifecycle":
                return { outs: await switchTlsThenRecreate(olds, news, ref!, lifecycle!) };
            case "recreate with lifecycle":
                return { outs: await recreateWithLifecycle(olds, news, ref!, lifecycle!) };
            case "recreate":
                return { outs: await recreate(olds, news) };
        }
    },

    async delete(_id: string, props: ContainerOutputs) {
        await removeContainer(dockerClient(), nameOf(props));
    },
});
