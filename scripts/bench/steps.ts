// Pure: which existing resources an `up` touched, from the engine's per-resource step events.
import type { EngineEvent } from "@pulumi/pulumi/automation";

/** Steps that leave a resource as it was. */
const UNTOUCHED = new Set(["same", "read", "refresh"]);

export interface StepLog {
    readonly onEvent: (e: EngineEvent) => void;
    /** URN -> every step op the engine took on it (e.g. ["update"] or ["delete-replaced", "create-replacement"]). */
    readonly steps: Map<string, string[]>;
}

export function stepLog(): StepLog {
    const steps = new Map<string, string[]>();
    return {
        steps,
        onEvent(e) {
            const meta = e.resourcePreEvent?.metadata;
            if (!meta) return;
            steps.set(meta.urn, [...(steps.get(meta.urn) ?? []), meta.op]);
        },
    };
}

/** Of `existing` URNs, those the engine updated, replaced or deleted, with their ops. */
export function touched(steps: ReadonlyMap<string, readonly string[]>, existing: Iterable<string>): { urn: string; ops: string[] }[] {
    const out: { urn: string; ops: string[] }[] = [];
    for (const urn of existing) {
        const ops = (steps.get(urn) ?? []).filter((op) => !UNTOUCHED.has(op));
        if (ops.length > 0) out.push({ urn, ops: [...ops] });
    }
    return out;
}
