// Pure: the pods' extra labels and annotations (`podLabels`, `podAnnotations`), the labels of the
// Kubernetes nodes they may run on (`nodeSelector`) and the annotations of the nodes' load balancers
// (`loadBalancerAnnotations`), as maps of text the API server accepts. The keys
// the stack sets itself are refused in podLabels/podAnnotations: its Services, StatefulSets, budgets and
// anti-affinity select its pods by those labels, and a user's value would break or hijack that. No
// Pulumi, no I/O.
import { LABEL_VALUE_ALLOWED, QUALIFIED_NAME_ALLOWED, isLabelValue, isQualifiedName, parseJson } from "./kubernetesNames";

/** The labels the kubernetes runtime puts on its objects and selects its pods by (components/runtime/kubernetes/manifests.ts). */
export const STACK_LABELS = {
    name: "app.kubernetes.io/name",
    instance: "app.kubernetes.io/instance",
    component: "app.kubernetes.io/component",
    node: "redis-stack/node",
    shard: "redis-stack/shard",
} as const;
/** Every label and annotation key under it is the stack's own (its selection labels, the pods' TLS digest). */
export const STACK_KEY_PREFIX = "redis-stack/";

/** A map of text as the pod spec takes it. */
export type TextMap = Readonly<Record<string, string>>;

export type MapKind = "podLabels" | "podAnnotations" | "nodeSelector" | "loadBalancerAnnotations";

/** The API server's limit on the total size of an object's annotations (keys and values). */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

const EXAMPLES: Readonly<Record<MapKind, string>> = {
    podLabels: '{"team":"payments"}',
    podAnnotations: '{"prometheus.io/scrape":"true"}',
    nodeSelector: '{"node-role.example.com/redis":"yes"}',
    loadBalancerAnnotations: '{"service.beta.kubernetes.io/aws-load-balancer-internal":"true"}',
};

/** The maps of annotations: any text as values, and a limit on their size. */
const ANNOTATION_KINDS: readonly MapKind[] = ["podAnnotations", "loadBalancerAnnotations"];
/** Pulumi's annotation that skips its wait for an object: the stack waits for each load balancer's address. */
const SKIP_AWAIT_KEY = "pulumi.com/skipAwait";

/** Why the stack keeps `key` for itself in `kind`, or undefined when a user may set it. */
function ownKeyReason(kind: MapKind, key: string): string | undefined {
    if (kind === "nodeSelector") return undefined;
    if (kind === "loadBalancerAnnotations" && key === SKIP_AWAIT_KEY)
        return "the nodes announce their load balancer's address, which the stack waits for";
    const what = kind === "podLabels" ? "label" : "annotation";
    if (key.startsWith(STACK_KEY_PREFIX)) return `the stack sets the ${what}s under ${STACK_KEY_PREFIX} itself`;
    if (kind === "podLabels" && (Object.values(STACK_LABELS) as string[]).includes(key))
        return "the stack sets this label itself and selects its pods by it";
    return undefined;
}

const reservedKeys = (kind: MapKind) =>
    kind === "loadBalancerAnnotations"
        ? `${SKIP_AWAIT_KEY} or ${STACK_KEY_PREFIX}...`
        : `${[STACK_LABELS.name, STACK_LABELS.instance, STACK_LABELS.component].join(", ")} or ${STACK_KEY_PREFIX}...`;

/**
 * Parses one of the maps (JSON, as Pulumi gives an object-valued key): every problem names the key, the
 * entry and what is allowed. Values that are numbers or booleans are taken as their text (YAML's
 * `true` is the annotation "true").
 */
export function parseTextMap(kind: MapKind, raw: string | undefined): { map: TextMap; problems: string[] } {
    if (raw === undefined || raw.trim() === "" || raw.trim() === "{}") return { map: {}, problems: [] };
    const parsed = parseJson(raw);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        return { map: {}, problems: [`${kind}: got ${JSON.stringify(raw)}; allowed: a map of text such as ${EXAMPLES[kind]}`] };
    const problems: string[] = [];
    const map: Record<string, string> = {};
    for (const [key, given] of Object.entries(parsed as Record<string, unknown>)) {
        const where = `${kind}.${key}`;
        if (typeof given !== "string" && typeof given !== "number" && typeof given !== "boolean") {
            problems.push(`${where}: got ${JSON.stringify(given)}; allowed: text`);
            continue;
        }
        const value = String(given);
        const own = ownKeyReason(kind, key);
        if (own !== undefined) {
            problems.push(`${where}: got ${JSON.stringify(value)}; ${own}; allowed: keys other than ${reservedKeys(kind)}`);
            continue;
        }
        if (!isQualifiedName(key)) {
            problems.push(`${where}: ${JSON.stringify(key)} is not a valid key; allowed: ${QUALIFIED_NAME_ALLOWED}`);
            continue;
        }
        if (!ANNOTATION_KINDS.includes(kind) && !isLabelValue(value)) {
            problems.push(`${where}: got ${JSON.stringify(value)}; allowed: ${LABEL_VALUE_ALLOWED}`);
            continue;
        }
        map[key] = value;
    }
    const size = Object.entries(map).reduce((total, [k, v]) => total + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (ANNOTATION_KINDS.includes(kind) && size > ANNOTATIONS_MAX_BYTES)
        problems.push(`${kind}: got ${size} bytes of keys and values; allowed: at most ${ANNOTATIONS_MAX_BYTES} bytes in all`);
    return { map, problems };
}
