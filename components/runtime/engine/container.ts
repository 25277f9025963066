// `engine` runtime: a node's container through the Docker Engine API. The create body carries no
// password; the provider writes it into a config file in the container, so only the `password`
// property is secret and no command line shows it.
//
// A changed body (image, Redis settings) does not make Pulumi replace the resource: the provider
// recreates the container in place, on the same volume (data and nodes.conf), so the node keeps its
// identity. Cluster members take turns across the deployment, replicas first, and a master hands its
// slots to its replica with CLUSTER FAILOVER before it stops. A changed password alone restarts
// nothing: the nodes take it over while running (formation/password.ts).
import * as pulumi from "@pulumi/pulumi";
import { ContainerCreateBody, authConfigFiles } from "../containerSpec";
import { HandoverTarget, awaitReturn, departureCost, prepareDeparture } from "../../redis/handover";
import type { Endpoint } from "../../redis/connect";
import { acceptNewPassword, settlePassword } from "../../redis/password";
import { dockerClient, ensureContainer, ensureImage, inspectContainer, putFiles, removeContainer, stopContainer } from "../dockerEngine";
import { awaitReplacementTurn } from "./replacementTurns";

/** What a handover needs besides the node itself: how to reach the other nodes. */
export interface ClusterMembership {
    /** Announced `host:port` of every node -> address reachable from the Docker host (the natMap). */
    readonly reachableAt: Record<string, { host: string; port: number }>;
}

interface ContainerInputs {
    readonly body: ContainerCreateBody;
    readonly password: string;
    /** Where the node answers from the Docker host (no password: that is the `password` property). */
    readonly endpoint: Endpoint;
    /** Something the container depends on (volume, network): a new value means a new container. */
    readonly dependsOnIds: string[];
    /** Set for cluster nodes: they are replaced one at a time, after a failover if they are masters. */
    readonly clusterMember?: ClusterMembership;
}

interface ContainerOutputs extends ContainerInputs {
    readonly containerId: string;
    readonly running: boolean;
}

/** SIGTERM grace: Redis flushes its AOF and closes cleanly well within it. */
const STOP_GRACE_SECONDS = 10;
const FAILOVER_TIMEOUT_MS = 30000;
/** A replica resyncing a large dataset needs time; the bound keeps an `up` from hanging. */
const REJOIN_TIMEOUT_MS = 120000;

async function start(inputs: ContainerInputs): Promise<ContainerOutputs> {
    const docker = dockerClient();
    await ensureImage(docker, inputs.body.Image);
    // The body's command loads the auth config file (empty without a password); the file is written here.
    const containerId = await ensureContainer(docker, inputs.body, authConfigFiles(inputs.password || undefined));
    return { ...inputs, containerId, running: true };
}

/** Stops (cleanly) and removes the old container, then starts the new body on the same volume. */
async function recreate(olds: ContainerOutputs, news: ContainerInputs): Promise<ContainerOutputs> {
    const docker = dockerClient();
    // Pull first, so the node is not down while an image downloads.
    await ensureImage(docker, news.body.Image);
    await stopContainer(docker, olds.body.name, STOP_GRACE_SECONDS);
    await removeContainer(docker, olds.body.name);
    return start(news);
}

async function recreateClusterMember(olds: ContainerOutputs, news: ContainerInputs, member: ClusterMembership): Promise<ContainerOutputs> {
    // State written before `endpoint` existed has none: the node's address is the same then.
    const target = (inputs: ContainerInputs): HandoverTarget =>
        ({ node: inputs.endpoint ?? news.endpoint, reachableAt: member.reachableAt, password: inputs.password || undefined });
    const before = target(olds);
    const after = target(news);
    const release = await awaitReplacementTurn(() => departureCost(before));
    try {
        const departure = await prepareDeparture(before, FAILOVER_TIMEOUT_MS);
        const outs = await recreate(olds, news);
        // A node that was down before has nothing to wait for here; formation checks it afterwards.
        if (departure) await awaitReturn(after, departure, REJOIN_TIMEOUT_MS);
        return outs;
    } finally {
        release();
    }
}

/**
 * A new password on a running node, without a restart: the auth config file is rewritten for later
 * restarts; a cluster node starts accepting (and using towards its master) the new password, and the
 * formation update drops the old one once every node has; the standalone node switches at once.
 */
async function changePasswordInPlace(olds: ContainerOutputs, news: ContainerInputs): Promise<ContainerOutputs> {
    const docker = dockerClient();
    const state = await inspectContainer(docker, news.body.name);
    if (!state?.running) return start(news); // its files are written before it starts
    await putFiles(docker, news.body.name, authConfigFiles(news.password || undefined));
    const [oldPassword, newPassword] = [olds.password || undefined, news.password || undefined];
    if (news.clusterMember) await acceptNewPassword(news.endpoint, oldPassword, newPassword);
    else await settlePassword(news.endpoint, oldPassword, newPassword);
    return { ...news, containerId: state.id, running: true };
}

const sameBody = (olds: ContainerInputs, news: ContainerInputs) => JSON.stringify(olds.body) === JSON.stringify(news.body);
const samePassword = (olds: ContainerInputs, news: ContainerInputs) => (olds.password ?? "") === (news.password ?? "");

export const engineContainerProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: ContainerInputs) {
        const docker = dockerClient();
        // A leftover of an interrupted run with this stack's name is replaced, not adopted blindly.
        const leftover = await inspectContainer(docker, inputs.body.name);
        if (leftover) await removeContainer(docker, inputs.body.name);
        const outs = await start(inputs);
        return { id: outs.containerId, outs };
    },
    async read(id: string, props: ContainerOutputs) {
        const state = await inspectContainer(dockerClient(), props.body.name);
        // Gone (or replaced by another container of that name): refresh reports it deleted.
        if (!state || state.id !== (props.containerId ?? id)) return { id: undefined as unknown as string, props: {} };
        return { id, props: { ...props, running: state.running } };
    },
    async diff(_id: string, olds: ContainerOutputs, news: ContainerInputs) {
        const passwordChanged = !samePassword(olds, news);
        if (passwordChanged && news.clusterMember && !sameBody(olds, news)) {
            // A node recreated with only the new password could not sync from a master not switched yet.
            throw new Error(`redis-stack:password cannot change in the same update as the image or Redis settings (${news.body.name}): change the password in one \`pulumi up\` and the rest in another.`);
        }
        const replace = JSON.stringify(olds.dependsOnIds) !== JSON.stringify(news.dependsOnIds);
        const changes = replace || passwordChanged || !sameBody(olds, news) || olds.running === false
            || JSON.stringify(olds.clusterMember) !== JSON.stringify(news.clusterMember)
            || JSON.stringify(olds.endpoint) !== JSON.stringify(news.endpoint);
        return { changes, replaces: replace ? ["dependsOnIds"] : [], deleteBeforeReplace: true };
    },
    async update(_id: string, olds: ContainerOutputs, news: ContainerInputs) {
        // Same container: start it if it was stopped, otherwise only the recorded inputs change.
        if (sameBody(olds, news) && samePassword(olds, news)) return { outs: await start(news) };
        if (sameBody(olds, news)) return { outs: await changePasswordInPlace(olds, news) };
        if (news.clusterMember) return { outs: await recreateClusterMember(olds, news, news.clusterMember) };
        return { outs: await recreate(olds, news) };
    },
    async delete(_id: string, props: ContainerOutputs) {
        await removeContainer(dockerClient(), props.body.name);
    },
};

export interface EngineContainerArgs {
    readonly body: pulumi.Input<ContainerCreateBody>;
    readonly password?: pulumi.Input<string>;
    readonly endpoint: pulumi.Input<Endpoint>;
    readonly dependsOnIds?: pulumi.Input<pulumi.Input<string>[]>;
    readonly clusterMember?: pulumi.Input<ClusterMembership>;
}

export class EngineContainer extends pulumi.dynamic.Resource {
    /** The Docker container's id: it changes when the container is recreated in place. */
    declare readonly containerId: pulumi.Output<string>;
    declare readonly running: pulumi.Output<boolean>;

    constructor(name: string, args: EngineContainerArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(engineContainerProvider, name, {
            body: args.body,
            password: args.password ?? "",
            endpoint: args.endpoint,
            dependsOnIds: args.dependsOnIds ?? [],
            clusterMember: args.clusterMember,
            containerId: undefined,
            running: undefined,
        }, { deleteBeforeReplace: true, ...opts, additionalSecretOutputs: ["password"] }, "redis-stack", "EngineContainer");
    }
}
