// Pure: the lines the formation's diff prints, so `pulumi preview` (and `up`) show what the next
// formation will do to the running cluster before it does it.

export interface PlannedFormation {
    /** describePlan's lines, one a step, in order. */
    readonly lines: readonly string[];
    /** Nodes that did not answer: not created yet, planned as new nodes or as their peers see them. */
    readonly unreachable: readonly string[];
}

/** The header starts with this, so a reader (and a test) finds the plan among the engine's messages. */
export const PLAN_PREFIX = "cluster formation";

/**
 * The report: a header with the step count, then the steps numbered. Nothing when nothing is planned
 * and the live cluster is fine (a declared change that needs no step, such as a replaced container,
 * shows as the resource's update only). `liveProblem` is why the live cluster is not as planned.
 */
export function planReport(planned: PlannedFormation, liveProblem?: string): string[] {
    const why = liveProblem ? ` (the live cluster: ${liveProblem})` : "";
    if (planned.lines.length === 0) return liveProblem ? [`${PLAN_PREFIX}: no step planned; up re-checks the cluster${why}`] : [];
    const count = planned.lines.length === 1 ? "1 step" : `${planned.lines.length} steps`;
    return [
        `${PLAN_PREFIX}: up will take ${count}${why}:`,
        ...planned.lines.map((line, i) => `  ${i + 1}. ${line}`),
        ...(planned.unreachable.length > 0
            ? [`  (not answering, so planned as their peers see them, or as new nodes: ${planned.unreachable.join(", ")})`]
            : []),
    ];
}
