// `engine` runtime, provider process: making a node's container and making it again: started with its
// files (the auth config, the settings, TLS), with its users judged live first; recreated on its volume,
// in its turn and with a handover where its lifecycle asks; brought back when it is stopped or gone.
import { AclAccount } from "../../settings/aclUsers";
import type { ContainerFile } from "../../contracts/nodeFiles";
import { LifecycleNode, LifecycleRef, NodeAddress, NodeLifecycle, loadLifecycle } from "../../contracts/nodeLifecycle";
import { DEFAULT_TIMEOUTS, STOP_GRACE_SECONDS } from "../../common/timeouts";
import { tlsFiles } from "../../tls/nodeTls";
import { done, notYet, pollUntil } from "../../common/wait";
import { recentLogs, runsSteadily, updateLimits } from "../containerInPlace";
import { authConfigFiles, withLimits } from "../containerSpec";
import { dockerClient, ensureContainer, ensureImage, inspectContainer, putFiles, removeContainer, stopContainer } from "../dockerEngine";
import { STACK_LABEL } from "../dockerPlacement";
import { ownerLabelled } from "../ownership";
import { awaitReplacementTurn, inTurn } from "../replacementTurns";
import { ContainerInputs, ContainerOutputs, accounts, limitLifted, nameOf, ownerOf, recorded, sameLimits } from "./containerChanges";
import { ownedObject } from "./ownedObjects";

/**
 * Every file the container reads at start: the auth config (password, users' password hashes, the
 * settings file's include), the passed-through settings, and the TLS files with TLS.
 */
export const containerFiles = (inputs: ContainerInputs, users: readonly AclAccount[] = accounts(inputs)): ContainerFile[] => [
    ...authConfigFiles(inputs.password || undefined, users, inputs.redisConfig ?? {}),
    ...tlsFiles(inputs.tls),
];
/** The container this resource made: the id in the outputs (older state: the resource id). */
export const ownId = (olds: ContainerOutputs, id: string) => olds.containerId ?? id;

/**
 * The live container of the node's name where the stack may replace or remove it: the one this resource made, or
 * one carrying the stack's owner id (a leftover of its own interrupted run); undefined when there is none. Throws the
 * ownership refusal for another one (../ownership.ts), before anything changes.
 */
export async function replaceableContainer(olds: Pick<ContainerOutputs, "containerId">, news: ContainerInputs) {
    return ownedObject("container", news.body.name, ownerOf(news), (found) => (found.id === olds.containerId ? "this object" : "no"));
}

/** The create body with the stack's owner id among its labels. */
const withOwner = (body: ContainerInputs["body"], inputs: ContainerInputs) => ({
    ...body,
    Labels: ownerLabelled(body.Labels, inputs.owner),
});

/** `dataOwned`: the node's volume is its user's already (the container this one replaces ran as that user). */
export async function start(
    inputs: ContainerInputs,
    users: readonly AclAccount[] = accounts(inputs),
    dataOwned = false,
): Promise<ContainerOutputs> {
    const docker = dockerClient();
    await ensureImage(docker, inputs.body.Image);
    // The body's command loads the auth config file, which includes the settings file; all files are written here.
    const containerId = await ensureContainer(
        docker,
        withOwner(withLimits(inputs.body, inputs.limits), inputs),
        containerFiles(inputs, users),
        dataOwned,
    );
    const liveConfig = await startedSettings(inputs, containerId);
    return { ...recorded(inputs, containerId), ...(liveConfig ? { liveConfig } : {}) };
}

/**
 * A new container with ACL users and a lifecycle: redis-server exits on a `user` line it refuses (and
 * the restart policy would loop), so it starts without them, Redis judges them live (an error names the
 * user and the node), and only then are they written into its file for restarts.
 */
export async function startWithUsersChecked(inputs: ContainerInputs, ref: LifecycleRef): Promise<ContainerOutputs> {
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
export async function recreate(olds: ContainerOutputs, news: ContainerInputs): Promise<ContainerOutputs> {
    const docker = dockerClient();
    // Pull first, so the node is not down while an image downloads.
    await ensureImage(docker, news.body.Image);
    await replaceableContainer(olds, news);
    // One that ran as the node's user left its data that user's: no need to hand the volume over again.
    const previous = await inspectContainer(docker, nameOf(olds));
    await stopContainer(docker, nameOf(olds), STOP_GRACE_SECONDS);
    await removeContainer(docker, nameOf(olds));
    return start(news, accounts(news), previous !== undefined && previous.user === news.body.User);
}

export function lifecycleNode(
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
export async function recreateWithLifecycle(
    olds: ContainerOutputs,
    news: ContainerInputs,
    ref: LifecycleRef,
    lifecycle: NodeLifecycle,
): Promise<ContainerOutputs> {
    const before = lifecycleNode(olds, ref, news.endpoint);
    const owner = { group: news.body.Labels?.[STACK_LABEL] ?? "", node: news.body.name };
    const release = lifecycle.oneAtATime ? await awaitReplacementTurn(() => lifecycle.cost(before), owner) : () => undefined;
    return inTurn(release, async () => {
        const departure = await lifecycle.beforeStop(before);
        const outs = await recreate(olds, news);
        // A node that was down before has nothing to wait for here; formation checks it afterwards.
        if (departure !== undefined) await lifecycle.afterStart(lifecycleNode(news, ref, news.endpoint), departure);
        return outs;
    });
}

/**
 * The same container, as declared: running, and this resource's own. One that is stopped is started
 * (its auth file rewritten first, in case the password changed meanwhile); one that is gone, or was
 * replaced by another container of that name, is created again on its volume (data and nodes.conf).
 */
export async function bringBack(olds: ContainerOutputs, id: string, news: ContainerInputs): Promise<ContainerOutputs> {
    const docker = dockerClient();
    const live = await inspectContainer(docker, news.body.name);
    if (live && live.id === ownId(olds, id) && !limitLifted(olds, news)) {
        if (!live.running) await putFiles(docker, news.body.name, containerFiles(news));
        // An existing container is started as it is: new limits are set on it first (Docker's update works on a stopped one too).
        if (!sameLimits(olds, news)) await updateLimits(docker, news.body.name, news.limits ?? {});
        return start(news);
    }
    // Gone, or another container of its name: the stack's own is removed, anyone else's refused.
    if (live && (await replaceableContainer({ containerId: ownId(olds, id) }, news))) await removeContainer(docker, news.body.name);
    return start(news);
}
