// ClusterFormation's provider, run in Pulumi's provider process and loaded there by module name
// (components/providers/): forms and reconciles the cluster. Its diff also looks at the live cluster, so
// a plain `up` re-forms one that is not healthy as planned (a node back from the dead rejoins, as a
// replica if its slots moved meanwhile); when it finds a change, it prints the plan, which `preview`
// shows.
import type * as pulumi from "@pulumi/pulumi";
import { canonical, implementation } from "../providers/implementation";
import type { NodeAccess } from "../contracts/nodeAccess";
import { maskSecrets } from "../redis/connect";
import { FormationNode, FormationSpec, NodeState, formCluster, inspectCluster, planFormation } from "../redis/form";
import type { DeclaredSettings } from "../redis/formationOverrides";
import { messageOf } from "../common/errorMessage";
import { failure } from "../redis/errors";
import { settlePassword } from "../redis/password";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import type { NodeTls } from "../tls/nodeTls";
import type { SlotRange } from "../topology/topology";
import { PLAN_PREFIX, planReport } from "./planReport";

export interface FormationInputs {
    readonly nodes: FormationNode[];
    readonly slotPlan: SlotRange[];
    readonly password?: string;
    /** TLS client material (secret): the nodes serve TLS only. Absent or empty: plain text. */
    readonly tls?: NodeTls | "";
    /** Container ids: a replaced container re-runs formation, which waits for it to rejoin. */
    readonly containerIds: string[];
    readonly connectTimeoutMs: number;
    readonly timeoutMs: number;
    /** Every node serves its planned shard (FormationSpec.pinShards); absent: live pairs are kept. */
    readonly pinShards?: boolean;
    /** The settings formation overrides, as declared (FormationSpec.declaredSettings); absent in stacks made before it. */
    readonly declaredSettings?: DeclaredSettings;
    /** Where the nodes are reached through port-forwards: every operation runs through them (../providers/implementation.ts). */
    readonly nodeAccess?: NodeAccess;
}

export interface FormationOutputs extends FormationInputs {
    readonly nodeStates: NodeState[];
    /** `ok`, or why the cluster is not healthy as planned (seen by `pulumi refresh`). */
    readonly clusterState: string;
    readonly formedInMs: number;
}

/** The nodes with the TLS material to reach them (kept out of the `nodes` input, which is not secret). */
function withTls(nodes: readonly FormationNode[], tls: FormationInputs["tls"]): FormationNode[] {
    return tls ? nodes.map((n) => ({ ...n, tls })) : [...nodes];
}

function specOf(inputs: FormationInputs, retiring: FormationNode[] = []): FormationSpec {
    return {
        retiring: withTls(retiring, inputs.tls),
        nodes: withTls(inputs.nodes, inputs.tls),
        slotPlan: inputs.slotPlan,
        password: inputs.password || undefined,
        connectTimeoutMs: inputs.connectTimeoutMs,
        timeoutMs: inputs.timeoutMs,
        ...(inputs.pinShards ? { pinShards: true } : {}),
        ...(inputs.declaredSettings ? { declaredSettings: inputs.declaredSettings } : {}),
    };
}

/** The inputs that matter, in a canonical form: the engine may hand back numbers as strings. */
function normalized(inputs: FormationInputs): string {
    return JSON.stringify({
        nodes: inputs.nodes.map((n) => ({
            ...n,
            port: Number(n.port),
            announcePort: Number(n.announcePort),
            busPort: Number(n.busPort),
            shard: Number(n.shard),
        })),
        slotPlan: inputs.slotPlan.map((r) => [Number(r.start), Number(r.end)]),
        containerIds: inputs.containerIds,
    });
}

/** Which cluster a failure is about: the engine shows it next to the resource's name. */
const clusterOf = (inputs: FormationInputs) => `the cluster of ${inputs.nodes.map((n) => n.name).join(", ")}`;

/** Runs a provider method; any rejection becomes an Error whose message says what failed and on which cluster. */
async function explained<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (err) {
        throw failure(what, err);
    }
}

async function form(inputs: FormationInputs, retiring: FormationNode[] = []): Promise<FormationOutputs> {
    // What the provider prints, `pulumi up` shows in its output (as the stack's lines): how far a long slot move has got.
    const result = await formCluster(specOf(inputs, retiring), undefined, (line) => console.log(line));
    return { ...inputs, nodeStates: [...result.nodes], clusterState: "ok", formedInMs: result.elapsedMs };
}

/** Why the live cluster is not healthy as planned, or undefined when it is; waits `probeMs` at most for a node. */
async function liveProblem(inputs: FormationInputs): Promise<string | undefined> {
    try {
        const seen = await inspectCluster({ ...specOf(inputs), connectTimeoutMs: DEFAULT_TIMEOUTS.probeMs });
        return seen.healthy ? undefined : (seen.problem ?? "not healthy");
    } catch (err) {
        return messageOf(err);
    }
}

/** Nodes in the old plan but not the new one: they leave the cluster, their slots moving first. */
function retiringNodes(olds: FormationInputs, news: FormationInputs): FormationNode[] {
    const kept = new Set(news.nodes.map((n) => n.name));
    return olds.nodes.filter((n) => !kept.has(n.name));
}

/**
 * What `update` would do, as lines for the reader: observed and planned without a write. The nodes
 * still hold the old password (their containers' updates come first), so that one is used to look.
 */
async function planLines(olds: FormationOutputs, news: FormationInputs, liveProblem?: string): Promise<string[]> {
    try {
        const planned = await planFormation({
            ...specOf(news, retiringNodes(olds, news)),
            password: olds.password || undefined,
            connectTimeoutMs: DEFAULT_TIMEOUTS.planProbeMs,
        });
        return planReport(planned, liveProblem);
    } catch (err) {
        return [`${PLAN_PREFIX}: cannot plan yet: ${maskSecrets(err, olds.password, news.password)}`];
    }
}

/**
 * The engine shows each line a dynamic provider writes to stdout as an info message of the stack, in
 * `preview` and `up` alike; a provider has no other way to speak (its diff returns only what changes).
 */
function print(lines: readonly string[]): void {
    if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
}

export const formationProvider: pulumi.dynamic.ResourceProvider = implementation("ClusterFormation", {
    async check(_olds: FormationInputs, news: FormationInputs) {
        const failures = news.nodes.length === 0 ? [{ property: "nodes", reason: "at least one node is required" }] : [];
        return { inputs: news, failures };
    },

    async create(inputs: FormationInputs) {
        return explained(`forming ${clusterOf(inputs)}`, async () => {
            const outs = await form(inputs);
            return { id: inputs.nodes.map((n) => n.name).join(","), outs };
        });
    },

    async diff(_id: string, olds: FormationOutputs, news: FormationInputs) {
        const declared =
            normalized(olds) !== normalized(news) ||
            (olds.password ?? "") !== (news.password ?? "") ||
            canonical(olds.tls || undefined) !== canonical(news.tls || undefined) ||
            // Drift that `refresh` recorded: the next `up` reconciles it.
            olds.clusterState !== "ok";
        // Nothing declared changed: the live cluster decides (nodes that were down, a failover that left a shard
        // without its replica, a setting a killed formation left overridden: compared with today's declared values).
        const problem = declared ? undefined : await liveProblem({ ...olds, declaredSettings: news.declaredSettings });
        const changes = declared || problem !== undefined;
        // Only then is the plan worth a second look at the nodes: a healthy no-op costs nothing more.
        if (changes) print(await planLines(olds, news, problem));
        return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async update(_id: string, olds: FormationOutputs, news: FormationInputs) {
        return explained(`reconciling ${clusterOf(news)}`, async () => {
            if ((olds.password ?? "") !== (news.password ?? "")) {
                // Every node's container update has made it accept the new password too: drop the old one.
                await Promise.all(
                    withTls(news.nodes, news.tls).map((node) =>
                        settlePassword(node, olds.password || undefined, news.password || undefined),
                    ),
                );
            }
            // Nodes in the old plan but not the new one leave the cluster (their containers are deleted
            // after this update): their slots move first.
            return { outs: await form(news, retiringNodes(olds, news)) };
        });
    },

    async read(id: string, props: FormationOutputs) {
        try {
            const seen = await inspectCluster({ ...specOf(props), connectTimeoutMs: DEFAULT_TIMEOUTS.inspectMs });
            return {
                id,
                props: {
                    ...props,
                    nodeStates: seen.nodes.length > 0 ? seen.nodes : props.nodeStates,
                    clusterState: seen.healthy ? "ok" : seen.problem!,
                },
            };
        } catch (err) {
            return { id, props: { ...props, clusterState: `unreachable: ${messageOf(err)}` } };
        }
    },

    async delete() {
        // Nothing to undo: the nodes' containers and volumes are removed by their own resources.
    },
});

/** What the provider process loads (components/providers/load.cjs). */
export const provider = formationProvider;
