// Forms (or adopts, or completes, or reshapes) a Redis Cluster as observe -> plan -> apply, the way
// `redis-cli --cluster create` builds its whole plan before touching a node, but polling in tens of
// milliseconds. Running it on a cluster already formed as planned sends no write command.
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import { Deadline, done, notYet, waitFor } from "../common/wait";
import { applyPlan } from "./apply";
import { messageOf } from "../common/errorMessage";
import { ClusterInspection, FormationError, FormationResult, FormationSpec, NodeState, validateSpec } from "./formationTypes";
import { healthProblem } from "./health";
import { Observation, nodeState, viewsOf } from "./observation";
import { connectNode } from "./connect";
import { connectAll, connectEach, disconnectAll, observe } from "./observe";
import { Step, describePlan, planSteps } from "./plan";

export type { ClusterInspection, FormationNode, FormationResult, FormationSpec, NodeState } from "./formationTypes";
export { FormationError, validateSpec } from "./formationTypes";
export { formingNodeTimeoutMs } from "./formationOverrides";
export type { Step } from "./plan";

function idsOf(spec: FormationSpec, observation: Observation): Map<string, string> {
    const { staying, leaving } = viewsOf(spec, observation);
    return new Map([...staying, ...leaving].filter((v) => v.id !== "").map((v) => [v.node.name, v.id]));
}

function statesOf(spec: FormationSpec, observation: Observation): NodeState[] {
    const { staying } = viewsOf({ ...spec, retiring: [] }, observation);
    return staying.map((v) => nodeState(v, staying));
}

/**
 * Forms the cluster, or completes a partly formed one, or adopts one already formed as planned, or
 * reshapes it to a new plan (more or fewer masters or replicas), moving only as many slots as that
 * takes. Observes every node, plans every step (see plan.ts), applies them, then waits until every
 * node is ok, sees the planned layout, and every replica is linked.
 */
export async function formCluster(
    spec: FormationSpec,
    onStep: (step: string, elapsedMs: number) => void = () => undefined,
    report?: (line: string) => void,
): Promise<FormationResult> {
    validateSpec(spec);
    const started = Date.now();
    const step = (name: string) => onStep(name, Date.now() - started);
    const everyone = await connectAll(
        [...spec.nodes, ...(spec.retiring ?? [])],
        spec.password,
        spec.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectMs,
    );
    const staying = everyone.slice(0, spec.nodes.length);
    step("connected");
    // About progress: every step done and every key moved counts (apply.ts), so a long slot move is not cut off.
    const deadline = new Deadline(spec.timeoutMs ?? DEFAULT_TIMEOUTS.formationMs);
    // Settings changed for the duration of forming, put back whatever happens.
    const restores: Array<() => Promise<void>> = [];
    try {
        const observation = await observe(everyone);
        const plan = planSteps(spec, observation);
        step(`planned ${plan.steps.length} steps`);
        try {
            await applyPlan(plan.steps, {
                nodes: everyone,
                ids: idsOf(spec, observation),
                password: spec.password,
                deadline,
                restores,
                onStep: step,
                report,
                connect: (node) => connectNode(node, spec.password, spec.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectMs),
            });
        } catch (err) {
            // Which step failed is in the message; the plan around it says what the cluster was being brought to.
            const lines = describePlan(plan.steps);
            throw new FormationError(`${messageOf(err)}\n  the plan was:\n${lines.map((l) => `    - ${l}`).join("\n")}`);
        }
        const what = "cluster_state:ok and linked replicas";
        const last = await waitFor(
            async () => {
                const seen = await observe(staying);
                const problem = healthProblem(spec, seen, plan);
                return problem === undefined ? done(seen) : notYet(problem);
            },
            { what, within: deadline, error: (problem) => new FormationError(`timed out waiting for ${what}: ${problem}`) },
        );
        step("healthy");
        return { nodes: statesOf(spec, last), changed: plan.steps.length > 0, elapsedMs: Date.now() - started };
    } finally {
        for (const restore of restores) await restore().catch(() => undefined);
        disconnectAll(everyone);
    }
}

/**
 * Observes the nodes and plans, without changing anything (for `pulumi preview`). Nodes that do not
 * answer (not created yet) are planned as fresh nodes, or as their peers see them.
 */
export async function planFormation(spec: FormationSpec): Promise<{ steps: readonly Step[]; lines: string[]; unreachable: string[] }> {
    validateSpec(spec);
    const { connected, down } = await connectEach(
        [...spec.nodes, ...(spec.retiring ?? [])],
        spec.password,
        spec.connectTimeoutMs ?? DEFAULT_TIMEOUTS.inspectMs,
    );
    try {
        const seen = connected.length > 0 ? await observe(connected) : { nodes: [] };
        const { steps } = planSteps(spec, { nodes: [...seen.nodes, ...down] });
        return { steps, lines: describePlan(steps), unreachable: down.map((d) => d.name) };
    } finally {
        disconnectAll(connected);
    }
}

/** Why the observed cluster is not as planned: unhealthy, or with steps left to plan. */
function inspectionProblem(spec: FormationSpec, observation: Observation): string | undefined {
    try {
        const plan = planSteps({ ...spec, retiring: [] }, observation);
        const unhealthy = healthProblem(spec, observation, plan);
        if (unhealthy) return unhealthy;
        return plan.steps.length > 0 ? `not formed as planned: ${describePlan(plan.steps)[0]}` : undefined;
    } catch (err) {
        return messageOf(err);
    }
}

/**
 * Reads the live roles and slots without changing anything (for `pulumi refresh`). Nodes that do not
 * answer are reported as their peers see them, so a failover shows up as new roles.
 */
export async function inspectCluster(spec: FormationSpec): Promise<ClusterInspection> {
    const { connected, down } = await connectEach(spec.nodes, spec.password, spec.connectTimeoutMs ?? DEFAULT_TIMEOUTS.inspectMs);
    try {
        if (connected.length === 0)
            return { nodes: [], healthy: false, problem: `no node answers: ${down.map((d) => d.problem).join("; ")}` };
        let observation: Observation;
        try {
            observation = { nodes: [...(await observe(connected)).nodes, ...down] };
        } catch (err) {
            return { nodes: [], healthy: false, problem: messageOf(err) };
        }
        const problem = down.length > 0 ? `unreachable: ${down.map((d) => d.problem).join("; ")}` : inspectionProblem(spec, observation);
        return { nodes: statesOf(spec, observation), healthy: problem === undefined, ...(problem ? { problem } : {}) };
    } finally {
        disconnectAll(connected);
    }
}
