// NodePod's provider, run in Pulumi's provider process and loaded there by module name (see ./nodePod.ts).
// Its pod belongs to the node's StatefulSet (updateStrategy OnDelete); this provider decides when that
// pod goes:
// - new Redis settings: the whole declared set in one CONFIG SET on the running pod (the node's
//   lifecycle), no restart; settings Redis takes only at start, or a removed one, replace the pod;
// - a new pod template (image, resources, command): the pod is replaced;
// - a replacement takes the stack's turn (one node at a time, cheapest first: replicas before masters,
//   ../replacementTurns.ts), asks the lifecycle to make the node safe to stop (a master fails
//   over to an in-sync replica), deletes the pod (its StatefulSet makes a new one from the current
//   template, on the same claim), waits until the new pod runs, the node serves as before and the pod is ready.
// `refresh` records settings whose live value drifted (someone ran CONFIG SET), so the next `up` puts
// them back; `preview` refuses settings the running server does not know.
import type * as pulumi from "@pulumi/pulumi";
import { canonical, implementation } from "../../providers/implementation";
import { RedisSettings, settingsChange, unknownSettingsMessage } from "../../settings/redisSettings";
import { DEFAULT_TIMEOUTS } from "../../common/timeouts";
import { done, notYet, pollUntil, waitFor } from "../../common/wait";
import { awaitReplacementTurn, inTurn } from "../replacementTurns";
import { LifecycleNode, LifecycleRef, NodeAddress, NodeLifecycle, loadLifecycle } from "../../contracts/nodeLifecycle";
import { kubeConnection, kubeRequest } from "./kubeApi";
import { type NodeTls, TLS_CA_PATH, TLS_CERT_PATH } from "../../tls/nodeTls";
import { liveTlsSwitch } from "../../tls/liveSwitch";
import { awaitPodFiles } from "./podFiles";
import { NODE_CONTAINER, TEMPLATE_ANNOTATION } from "./manifests";

export interface PodInputs {
    readonly kubeconfig: string;
    readonly namespace: string;
    readonly statefulSet: string;
    readonly template: string;
    readonly endpoint: NodeAddress;
    readonly password: string;
    readonly lifecycle?: LifecycleRef;
    readonly redisConfig: RedisSettings;
    /** The node's own TLS files when it serves TLS (secret): what the provider connects with. */
    readonly tls?: NodeTls;
    /** Labels kept on the running pod itself (its shard's): a change is patched on it, not a replacement. Absent in older state. */
    readonly inPlaceLabels?: Readonly<Record<string, string>>;
}

export interface PodOutputs extends PodInputs {
    readonly podUid: string;
    /** The settings' values as the node reported them when they were last applied (its spelling), for drift. */
    readonly liveConfig?: Readonly<Record<string, string>>;
}

type Connection = ReturnType<typeof kubeConnection>;

/** The fields of a Pod this provider reads. */
interface PodObject {
    readonly metadata: {
        readonly uid: string;
        readonly labels?: Record<string, string>;
        readonly annotations?: Record<string, string>;
        readonly deletionTimestamp?: string;
    };
    readonly status?: {
        readonly containerStatuses?: readonly {
            readonly restartCount: number;
            readonly ready?: boolean;
            readonly state?: { readonly running?: object; readonly waiting?: { readonly reason?: string }; readonly terminated?: Exit };
            readonly lastState?: { readonly terminated?: Exit };
        }[];
    };
}
interface Exit {
    readonly exitCode: number;
    readonly reason?: string;
}

/** The fields of a StatefulSet this provider reads. */
interface StatefulSetObject {
    readonly metadata: { readonly generation: number };
    readonly spec?: { readonly template?: { readonly spec?: { readonly containers?: readonly { readonly args?: readonly string[] }[] } } };
    readonly status?: { readonly observedGeneration?: number; readonly updateRevision?: string };
}

const statefulSetPath = (inputs: Pick<PodInputs, "namespace" | "statefulSet">) =>
    `/apis/apps/v1/namespaces/${inputs.namespace}/statefulsets/${inputs.statefulSet}`;

/** The Kubernetes API is polled at the slower cadence. */
const POLL_MS = DEFAULT_TIMEOUTS.slowPollMs;
const podName = (inputs: Pick<PodInputs, "statefulSet">) => `${inputs.statefulSet}-0`;
const podPath = (inputs: Pick<PodInputs, "namespace" | "statefulSet">) => `/api/v1/namespaces/${inputs.namespace}/pods/${podName(inputs)}`;
const sameSettings = (a: Pick<PodInputs, "redisConfig">, b: Pick<PodInputs, "redisConfig">) =>
    canonical(a.redisConfig ?? {}) === canonical(b.redisConfig ?? {});

/** Waiting reasons of a container that will not run without a change to what was declared. */
const STUCK = [
    "CrashLoopBackOff",
    "ErrImagePull",
    "ImagePullBackOff",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CreateContainerConfigError",
];

interface PodState {
    readonly uid: string;
    /** The StatefulSet revision the pod was made from. */
    readonly revision?: string;
    /** The digest of the template it was made from (its annotation; absent on pods of older releases). */
    readonly template?: string;
    readonly terminating: boolean;
    readonly running: boolean;
    /** Its readiness probe passed (the kubelet's view: what `kubectl get pods` and disruption budgets count). */
    readonly ready: boolean;
    /** Why its container does not run (it exited, or cannot start), when that is so. */
    readonly stuck?: string;
}

async function podState(connection: Connection, inputs: PodInputs): Promise<PodState | undefined> {
    const pod = (await kubeRequest(connection, "GET", podPath(inputs))) as PodObject | undefined;
    if (!pod) return undefined;
    const container = pod.status?.containerStatuses?.[0];
    const waiting = container?.state?.waiting?.reason;
    const exited = container?.state?.terminated ?? (container && container.restartCount > 0 ? container.lastState?.terminated : undefined);
    return {
        uid: String(pod.metadata.uid),
        revision: pod.metadata.labels?.["controller-revision-hash"],
        template: pod.metadata.annotations?.[TEMPLATE_ANNOTATION],
        terminating: Boolean(pod.metadata.deletionTimestamp),
        running: Boolean(container?.state?.running) && !exited,
        ready: Boolean(container?.ready),
        stuck:
            waiting && STUCK.includes(waiting)
                ? waiting
                : exited
                  ? `exited with code ${exited.exitCode} (${exited.reason ?? ""})`
                  : undefined,
    };
}

/** The revision the StatefulSet makes pods from now, once its controller has seen its latest template. */
async function currentRevision(connection: Connection, inputs: PodInputs): Promise<string | undefined> {
    return waitFor(
        async () => {
            const set = (await kubeRequest(connection, "GET", statefulSetPath(inputs))) as StatefulSetObject | undefined;
            if (!set) return done(undefined);
            if ((set.status?.observedGeneration ?? 0) >= set.metadata.generation && set.status?.updateRevision)
                return done(set.status.updateRevision);
            return notYet("its controller has not observed its latest generation");
        },
        {
            what: `StatefulSet ${inputs.statefulSet} to take its new template`,
            timeoutMs: DEFAULT_TIMEOUTS.podReplaceMs,
            pollMs: POLL_MS,
            error: () =>
                new Error(
                    `StatefulSet ${inputs.statefulSet}: its controller did not take its new template within ${DEFAULT_TIMEOUTS.podReplaceMs} ms`,
                ),
        },
    );
}

/** What the pod's container printed last (its previous run's, when it restarted), as one line. */
async function recentLogs(connection: Connection, inputs: PodInputs): Promise<string> {
    for (const previous of [true, false]) {
        const text = await kubeRequest(
            connection,
            "GET",
            `${podPath(inputs)}/log?container=redis&tailLines=5&previous=${previous}`,
            undefined,
            true,
        ).catch(() => undefined);
        if (typeof text === "string" && text.trim() !== "") return text.trim().split("\n").join(" | ");
    }
    return "";
}

/** Throws, naming the node and quoting what it printed, when its pod cannot run as declared. */
async function failIfStuck(connection: Connection, inputs: PodInputs, state: PodState | undefined): Promise<void> {
    if (!state?.stuck) return;
    const printed = await recentLogs(connection, inputs);
    throw new Error(
        `node ${inputs.endpoint.name}: pod ${podName(inputs)} does not run (${state.stuck})${printed ? `; it printed: ${printed}` : ""}; the nodes after it were left as they were`,
    );
}

/** Waits until the node's pod is one made from the current template (not `oldUid`) whose container runs; its uid. */
async function awaitRunningPod(connection: Connection, inputs: PodInputs, oldUid?: string): Promise<string> {
    const revision = await currentRevision(connection, inputs);
    return waitFor(
        async () => {
            const state = await podState(connection, inputs);
            const fresh = state && state.uid !== oldUid && !state.terminating && (revision === undefined || state.revision === revision);
            if (!fresh) return notYet("no pod from the current template yet");
            await failIfStuck(connection, inputs, state);
            return state.running ? done(state.uid) : notYet("its container is not running yet");
        },
        {
            what: `pod ${podName(inputs)} to run again`,
            timeoutMs: DEFAULT_TIMEOUTS.podReplaceMs,
            pollMs: POLL_MS,
            error: () =>
                new Error(
                    `node ${inputs.endpoint.name}: pod ${podName(inputs)} was not running again within ${DEFAULT_TIMEOUTS.podReplaceMs} ms`,
                ),
        },
    );
}

/**
 * Waits until the pod `uid` is ready. A node is back once it serves as before (its lifecycle's wait), which
 * can be before the kubelet's next readiness probe: the next node's pod must not go while this one still
 * counts as out of service.
 */
async function awaitReadyPod(connection: Connection, inputs: PodInputs, uid: string): Promise<void> {
    await waitFor(
        async () => {
            const state = await podState(connection, inputs);
            if (!state || state.uid !== uid) return notYet("its pod was replaced meanwhile");
            await failIfStuck(connection, inputs, state);
            return state.ready ? done(undefined) : notYet("its readiness probe has not passed yet");
        },
        {
            what: `pod ${podName(inputs)} to be ready`,
            timeoutMs: DEFAULT_TIMEOUTS.podReplaceMs,
            pollMs: POLL_MS,
            error: (problem) =>
                new Error(
                    `node ${inputs.endpoint.name}: pod ${podName(inputs)} was not ready within ${DEFAULT_TIMEOUTS.podReplaceMs} ms: ${problem}`,
                ),
        },
    );
}

function lifecycleNode(inputs: Pick<PodInputs, "endpoint" | "lifecycle" | "tls">, password: string): LifecycleNode {
    return {
        address: inputs.endpoint,
        password: password || undefined,
        ...(inputs.tls ? { tls: inputs.tls } : {}),
        options: inputs.lifecycle?.options ?? {},
    };
}

/** The node as its running pod answers now: the password and TLS files it started with (new ones reach it with a new pod). */
const runningNode = (olds: PodOutputs, news: PodInputs): LifecycleNode => lifecycleNode({ ...news, tls: olds.tls }, olds.password);

/** TLS turned on or off (not a new certificate). */
const tlsSwitched = (olds: Pick<PodInputs, "tls">, news: Pick<PodInputs, "tls">): boolean => Boolean(olds.tls) !== Boolean(news.tls);

/** The container's arguments in the StatefulSet's current template: what the node's next start runs. */
async function templateArgs(connection: Connection, inputs: PodInputs): Promise<string[]> {
    const set = (await kubeRequest(connection, "GET", statefulSetPath(inputs))) as StatefulSetObject | undefined;
    const args = set?.spec?.template?.spec?.containers?.[0]?.args;
    if (!args)
        throw new Error(`node ${inputs.endpoint.name}: StatefulSet ${inputs.statefulSet} has no container arguments to switch TLS by`);
    return [...args];
}

/**
 * TLS turned on or off without the whole cluster down: a TLS bus does not talk to a plain one, and a
 * node reads its files only when it starts, so (as the engine runtime does) the running node first
 * switches live with one CONFIG SET, once its pod has the files (the node's Secret, mounted optional, is
 * brought up to date by the kubelet), and waits for its peers to have switched too (its lifecycle); only
 * then is its pod replaced in its turn, failover first, to start with the switch in its command line.
 * A node without a running pod, or whose software cannot switch live (the standalone node), just
 * restarts in its turn.
 */
async function switchTlsThenReplace(olds: PodOutputs, news: PodInputs, lifecycle: NodeLifecycle | undefined): Promise<PodOutputs> {
    const connection = kubeConnection(news.kubeconfig);
    const pod = await podState(connection, news);
    if (!lifecycle?.switchTls || !pod?.running || pod.terminating) return await replacePod(olds, news, lifecycle);
    if (news.tls) {
        const target = { namespace: news.namespace, pod: podName(news), container: NODE_CONTAINER, node: news.endpoint.name };
        await awaitPodFiles(
            connection,
            target,
            { [TLS_CA_PATH]: news.tls.ca, [TLS_CERT_PATH]: news.tls.cert },
            DEFAULT_TIMEOUTS.podFilesMs,
        );
    }
    const { settings } = liveTlsSwitch(await templateArgs(connection, news));
    await lifecycle.switchTls(runningNode(olds, news), lifecycleNode(news, olds.password), settings);
    // From here on the node answers as the new inputs say: its turn and handover reach it that way.
    return await replacePod({ ...olds, tls: news.tls }, news, lifecycle);
}

/**
 * The settings' live values on a pod that just started (for drift later); a pod that exits with them (a
 * value redis-server refuses) fails naming the node, with what it printed.
 */
async function startedSettings(connection: Connection, inputs: PodInputs, lifecycle: NodeLifecycle | undefined) {
    const names = Object.keys(inputs.redisConfig ?? {});
    if (names.length === 0 || !lifecycle) return undefined;
    const read = await pollUntil(
        async () => {
            const live = await lifecycle.readSettings(lifecycleNode(inputs, inputs.password), names);
            if (live) return done(live as Record<string, string>);
            await failIfStuck(connection, inputs, await podState(connection, inputs));
            return notYet("running, not answering yet");
        },
        { timeoutMs: DEFAULT_TIMEOUTS.connectMs, pollMs: POLL_MS },
    );
    // Running but not answering yet (loading a large dataset): formation waits for it; the values are recorded at the next change.
    return read.done ? read.value : undefined;
}

/** Replaces the node's pod in its turn, with its lifecycle's handover before and wait after. */
async function replacePod(olds: PodOutputs, news: PodInputs, lifecycle: NodeLifecycle | undefined): Promise<PodOutputs> {
    const connection = kubeConnection(news.kubeconfig);
    // The running pod still has the password and TLS files it started with (new ones reach it with the new pod).
    const before = runningNode(olds, news);
    const owner = { group: news.namespace, node: `pod ${news.namespace}/${podName(news)}` };
    const release = lifecycle?.oneAtATime ? await awaitReplacementTurn(() => lifecycle.cost(before), owner) : () => undefined;
    return inTurn(release, async () => {
        const departure = lifecycle ? await lifecycle.beforeStop(before) : undefined;
        const old = await podState(connection, news);
        // Only this pod: a precondition, so a pod that someone else replaced meanwhile is not deleted again.
        if (old && !old.terminating) {
            await kubeRequest(connection, "DELETE", podPath(news), {
                apiVersion: "v1",
                kind: "DeleteOptions",
                preconditions: { uid: old.uid },
            });
        }
        const podUid = await awaitRunningPod(connection, news, old?.uid);
        // A node that was down before has nothing to wait for here; formation checks it afterwards.
        if (lifecycle && departure !== undefined) {
            await lifecycle.afterStart(lifecycleNode(news, news.password), departure);
            await awaitReadyPod(connection, news, podUid);
        }
        const liveConfig = await startedSettings(connection, news, lifecycle);
        return { ...news, podUid, ...(liveConfig ? { liveConfig } : {}) };
    });
}

/**
 * Whether the running pod was made from another template than `inputs.template` (a replacement that was
 * interrupted, or a pod of a release before the template annotation): its annotation says which.
 */
async function runsOldTemplate(inputs: PodInputs): Promise<boolean> {
    try {
        const pod = await podState(kubeConnection(inputs.kubeconfig), inputs);
        return Boolean(pod && !pod.terminating && pod.template !== inputs.template);
    } catch {
        // The API server does not answer: nothing to decide from here; the update would fail and say why.
        return false;
    }
}

/** Puts the in-place labels (a new shard) on the running pod: a merge patch of its labels, no restart. */
async function patchLabels(inputs: PodInputs): Promise<void> {
    const labels = inputs.inPlaceLabels ?? {};
    if (Object.keys(labels).length === 0) return;
    // A pod that is gone is made again from the StatefulSet's template, which has the labels already.
    await kubeRequest(kubeConnection(inputs.kubeconfig), "PATCH", podPath(inputs), { metadata: { labels } });
}

/** Refresh: live values that drifted from what was applied, recorded as the node's settings so the next `up` puts them back. */
async function driftedSettings(props: PodOutputs): Promise<RedisSettings | undefined> {
    const names = Object.keys(props.redisConfig ?? {});
    if (names.length === 0 || !props.lifecycle || !props.liveConfig) return undefined;
    const live = await loadLifecycle(props.lifecycle).readSettings(lifecycleNode(props, props.password), names);
    if (!live) return undefined;
    const drifted = names.filter((name) => live[name] !== null && live[name] !== props.liveConfig?.[name]);
    if (drifted.length === 0) return undefined;
    return { ...props.redisConfig, ...Object.fromEntries(drifted.map((name) => [name, String(live[name])])) };
}

/** Preview and up: settings the running server does not know are refused before anything changes. */
async function refuseUnknownSettings(olds: PodOutputs, news: PodInputs, lifecycle: NodeLifecycle | undefined): Promise<void> {
    if (!lifecycle || sameSettings(olds, news)) return;
    const added = Object.keys(news.redisConfig ?? {}).filter((name) => !(name in (olds.redisConfig ?? {})));
    if (added.length === 0) return;
    const live = await lifecycle.readSettings(runningNode(olds, news), added);
    const message = live && unknownSettingsMessage(news.endpoint.name, live);
    if (message) throw new Error(message);
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("NodePod", {
    async create(inputs: PodInputs) {
        const connection = kubeConnection(inputs.kubeconfig);
        const lifecycle = inputs.lifecycle ? loadLifecycle(inputs.lifecycle) : undefined;
        const podUid = await awaitRunningPod(connection, inputs);
        const liveConfig = await startedSettings(connection, inputs, lifecycle);
        const outs: PodOutputs = { ...inputs, podUid, ...(liveConfig ? { liveConfig } : {}) };
        return { id: `${inputs.namespace}/${podName(inputs)}`, outs };
    },

    async read(id: string, props: PodOutputs) {
        const drifted = await driftedSettings(props).catch(() => undefined);
        return { id, props: { ...props, ...(drifted ? { redisConfig: drifted } : {}) } };
    },

    async diff(_id: string, olds: PodOutputs, news: PodInputs) {
        const lifecycle = news.lifecycle ? loadLifecycle(news.lifecycle) : undefined;
        const passwordChanged = (olds.password ?? "") !== (news.password ?? "");
        const recreated = olds.template !== news.template || !sameSettings(olds, news);
        const refusal = lifecycle?.refuse({ passwordChanged, recreated, tlsSwitched: tlsSwitched(olds, news) }, news.endpoint);
        if (refusal) throw new Error(refusal);
        await refuseUnknownSettings(olds, news, lifecycle);
        const replaces = olds.namespace !== news.namespace || olds.statefulSet !== news.statefulSet ? ["statefulSet"] : [];
        const declared =
            replaces.length > 0 ||
            recreated ||
            passwordChanged ||
            olds.kubeconfig !== news.kubeconfig ||
            canonical(olds.endpoint) !== canonical(news.endpoint) ||
            canonical(olds.lifecycle) !== canonical(news.lifecycle) ||
            // New files (a renewal) come with a new template; recorded here for the connections that follow.
            canonical(olds.tls ?? null) !== canonical(news.tls ?? null) ||
            canonical(olds.inPlaceLabels ?? {}) !== canonical(news.inPlaceLabels ?? {});
        // Nothing declared changed: a pod left on an older template (an interrupted `up`) is replaced now.
        const changes = declared || (await runsOldTemplate(olds));
        return { changes, replaces, deleteBeforeReplace: false };
    },

    async update(_id: string, olds: PodOutputs, news: PodInputs) {
        const lifecycle = news.lifecycle ? loadLifecycle(news.lifecycle) : undefined;
        if (tlsSwitched(olds, news)) return { outs: await switchTlsThenReplace(olds, news, lifecycle) };
        if (olds.template !== news.template || (await runsOldTemplate({ ...olds, ...news })))
            return { outs: await replacePod(olds, news, lifecycle) };
        if (canonical(olds.inPlaceLabels ?? {}) !== canonical(news.inPlaceLabels ?? {})) await patchLabels(news);
        if (!sameSettings(olds, news)) {
            // A removed setting gets its default back only with a restart; the rest goes in one CONFIG SET.
            const { removed } = settingsChange(olds.redisConfig ?? {}, news.redisConfig ?? {});
            if (removed.length > 0 || !lifecycle) return { outs: await replacePod(olds, news, lifecycle) };
            // The whole declared set, so values that drifted since (found by refresh) are put back too.
            const applied = await lifecycle.applySettings(runningNode(olds, news), news.redisConfig ?? {});
            if (!applied.applied) return { outs: await replacePod(olds, news, lifecycle) };
            return { outs: { ...news, podUid: olds.podUid, liveConfig: { ...applied.live } } };
        }
        return { outs: { ...news, podUid: olds.podUid, ...(olds.liveConfig ? { liveConfig: olds.liveConfig } : {}) } };
    },

    async delete() {
        // The pod goes with its StatefulSet, which is deleted by its own resource.
    },
});
