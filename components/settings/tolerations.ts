// Pure: `tolerations`, the taints of Kubernetes nodes that every node's pod tolerates, as Kubernetes
// Toleration objects, checked by the rules the API server applies (so a bad one is refused at preview,
// not by the StatefulSet controller after the stack's other objects exist). No Pulumi, no I/O.
import {
    CheckedEntry,
    objectEntry,
    LABEL_VALUE_ALLOWED,
    QUALIFIED_NAME_ALLOWED,
    isLabelValue,
    isQualifiedName,
    parseJsonList,
} from "./kubernetesNames";

/** How a toleration matches a taint's value: `Equal` to `value`, or any value (`Exists`). */
export const TolerationOperator = { Equal: "Equal", Exists: "Exists" } as const;
export type TolerationOperator = (typeof TolerationOperator)[keyof typeof TolerationOperator];
/** The taint effect a toleration matches; unset matches every effect. */
export const TaintEffect = { NoSchedule: "NoSchedule", PreferNoSchedule: "PreferNoSchedule", NoExecute: "NoExecute" } as const;
export type TaintEffect = (typeof TaintEffect)[keyof typeof TaintEffect];

/** A Kubernetes Toleration (core/v1), as a pod spec takes it. */
export interface Toleration {
    /** The taint key it matches; empty (with operator `Exists`) matches every taint. */
    readonly key?: string;
    /** `Equal` (the default): the taint's value is `value`; `Exists`: any value. */
    readonly operator?: TolerationOperator;
    /** With `Equal`: the taint's value. */
    readonly value?: string;
    /** The effect it matches; unset: every effect. */
    readonly effect?: TaintEffect;
    /** With effect `NoExecute`: how long the pod stays on a node after the taint appears; unset: for ever. */
    readonly tolerationSeconds?: number;
}

const FIELDS = ["key", "operator", "value", "effect", "tolerationSeconds"] as const;
const OPERATORS = Object.values(TolerationOperator) as string[];
const EFFECTS = Object.values(TaintEffect) as string[];
const EXAMPLE = '[{"key":"dedicated","operator":"Equal","value":"redis","effect":"NoSchedule"}]';

/** One toleration's problems (`where` names it), and its fields as given where they are all valid. */
function checkToleration(where: string, given: unknown): CheckedEntry<Toleration> {
    const { fields, problems } = objectEntry(where, given, FIELDS, `a Toleration such as ${EXAMPLE.slice(1, -1)}`);
    if (!fields) return { problems };
    const text = (name: string): string | undefined => {
        const value = fields[name];
        if (value === undefined || value === null) return undefined;
        if (typeof value === "string") return value;
        problems.push(`${where}.${name}: got ${JSON.stringify(value)}; allowed: text`);
        return undefined;
    };
    const key = text("key") ?? "";
    const operator = text("operator") ?? "";
    const value = text("value") ?? "";
    const effect = text("effect") ?? "";
    if (key !== "" && !isQualifiedName(key)) problems.push(`${where}.key: got ${JSON.stringify(key)}; allowed: ${QUALIFIED_NAME_ALLOWED}`);
    if (operator !== "" && !OPERATORS.includes(operator))
        problems.push(`${where}.operator: got ${JSON.stringify(operator)}; allowed: ${OPERATORS.join(" or ")}`);
    else if (key === "" && operator !== "Exists")
        problems.push(
            `${where}.operator: got ${operator === "" ? "none (Equal)" : JSON.stringify(operator)} without a key; allowed: Exists (with no key it tolerates every taint), or a key`,
        );
    if (operator === "Exists" && value !== "")
        problems.push(`${where}.value: got ${JSON.stringify(value)} with operator Exists; allowed: no value (Exists matches every value)`);
    else if (!isLabelValue(value)) problems.push(`${where}.value: got ${JSON.stringify(value)}; allowed: ${LABEL_VALUE_ALLOWED}`);
    if (effect !== "" && !EFFECTS.includes(effect))
        problems.push(`${where}.effect: got ${JSON.stringify(effect)}; allowed: ${EFFECTS.join(" or ")}, or unset for every effect`);
    const seconds = fields.tolerationSeconds;
    if (seconds !== undefined && seconds !== null) {
        if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0)
            problems.push(`${where}.tolerationSeconds: got ${JSON.stringify(seconds)}; allowed: a whole number of seconds, 0 or more`);
        else if (effect !== "NoExecute")
            problems.push(
                `${where}.tolerationSeconds: got ${seconds} with effect ${JSON.stringify(effect)}; allowed: only with effect NoExecute`,
            );
    }
    if (problems.length > 0) return { problems };
    const toleration: Toleration = {
        ...(key !== "" ? { key } : {}),
        ...(operator !== "" ? { operator: operator as TolerationOperator } : {}),
        ...(value !== "" ? { value } : {}),
        ...(effect !== "" ? { effect: effect as TaintEffect } : {}),
        ...(typeof seconds === "number" ? { tolerationSeconds: seconds } : {}),
    };
    return { value: toleration, problems };
}

/** Parses `tolerations` (JSON, as Pulumi gives a list-valued key): every problem of every entry, named by its index. */
export function parseTolerations(raw: string | undefined): { tolerations: readonly Toleration[]; problems: string[] } {
    const { values, problems } = parseJsonList("tolerations", raw, `a list of Kubernetes Tolerations such as ${EXAMPLE}`, checkToleration);
    return { tolerations: values, problems };
}
