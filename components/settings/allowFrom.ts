// Pure: `allowFrom`, who else may reach the nodes' client ports on Kubernetes besides the pods of the
// stack's own namespace, as NetworkPolicy peers: pods chosen by labels (in namespaces chosen by labels),
// or address ranges. Checked as the API server would, so a bad one is refused at preview. No Pulumi, no I/O.
import { isIPv4, isIPv6 } from "node:net";
import {
    CheckedEntry,
    objectEntry,
    LABEL_VALUE_ALLOWED,
    QUALIFIED_NAME_ALLOWED,
    isLabelValue,
    isQualifiedName,
    parseJsonList,
} from "./kubernetesNames";

/**
 * One NetworkPolicy peer: `namespaceSelector` and/or `podSelector` (label maps; both: those pods in those
 * namespaces; only podSelector: pods of the stack's namespace), or a `cidr` alone.
 */
export interface NetworkPeer {
    /** Labels of the namespaces whose pods may connect (`{}`: every namespace). */
    readonly namespaceSelector?: Readonly<Record<string, string>>;
    /** Labels of the pods that may connect (`{}`: every pod). */
    readonly podSelector?: Readonly<Record<string, string>>;
    /** An address range that may connect, such as `10.20.0.0/16`. */
    readonly cidr?: string;
}

const FIELDS = ["namespaceSelector", "podSelector", "cidr"] as const;
const EXAMPLE = '[{"namespaceSelector":{"team":"payments"},"podSelector":{"app":"api"}},{"cidr":"10.20.0.0/16"}]';

/** A label selector's problems, and its labels where they are all valid. */
function checkSelector(where: string, given: unknown): { labels?: Record<string, string>; problems: string[] } {
    if (given === null || typeof given !== "object" || Array.isArray(given))
        return {
            problems: [`${where}: got ${JSON.stringify(given)}; allowed: a map of labels such as {"team":"payments"} ({} selects all)`],
        };
    const problems: string[] = [];
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
        if (!isQualifiedName(key))
            problems.push(`${where}.${key}: ${JSON.stringify(key)} is not a valid key; allowed: ${QUALIFIED_NAME_ALLOWED}`);
        else if (typeof value !== "string" || !isLabelValue(value))
            problems.push(`${where}.${key}: got ${JSON.stringify(value)}; allowed: ${LABEL_VALUE_ALLOWED}`);
        else labels[key] = value;
    }
    return problems.length > 0 ? { problems } : { labels, problems };
}

/** Whether `cidr` is an IPv4 or IPv6 range in the form the API server takes (for IPv4, no bits set after the prefix). */
export function isCidr(cidr: string): boolean {
    const [address, prefix, ...rest] = cidr.split("/");
    if (rest.length > 0 || address === undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
    const bits = Number(prefix);
    if (isIPv6(address)) return bits <= 128;
    if (!isIPv4(address) || bits > 32) return false;
    const value = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    return bits === 32 || value % 2 ** (32 - bits) === 0;
}

function checkPeer(where: string, given: unknown): CheckedEntry<NetworkPeer> {
    const { fields, problems } = objectEntry(where, given, FIELDS, `a peer such as ${EXAMPLE.slice(1, -1)}`);
    if (!fields) return { problems };
    const set = FIELDS.filter((name) => fields[name] !== undefined && fields[name] !== null);
    if (set.length === 0 && problems.length === 0)
        return { problems: [`${where}: got ${JSON.stringify(given)}; allowed: namespaceSelector and/or podSelector, or cidr`] };
    if (set.includes("cidr") && set.length > 1)
        problems.push(
            `${where}: got cidr with ${set.filter((n) => n !== "cidr").join(" and ")}; allowed: cidr alone, or selectors without cidr`,
        );
    const peer: { -readonly [K in keyof NetworkPeer]: NetworkPeer[K] } = {};
    for (const name of ["namespaceSelector", "podSelector"] as const) {
        if (!set.includes(name)) continue;
        const checked = checkSelector(`${where}.${name}`, fields[name]);
        problems.push(...checked.problems);
        if (checked.labels) peer[name] = checked.labels;
    }
    if (set.includes("cidr")) {
        const cidr = fields.cidr;
        if (typeof cidr !== "string" || !isCidr(cidr))
            problems.push(
                `${where}.cidr: got ${JSON.stringify(cidr)}; allowed: an IPv4 or IPv6 range such as 10.20.0.0/16 (no address bits after the prefix)`,
            );
        else peer.cidr = cidr;
    }
    return problems.length > 0 ? { problems } : { value: peer, problems };
}

/** Parses `allowFrom` (JSON, as Pulumi gives a list-valued key): every problem of every peer, named by its index. */
export function parseAllowFrom(raw: string | undefined): { peers: readonly NetworkPeer[]; problems: string[] } {
    const { values, problems } = parseJsonList("allowFrom", raw, `a list of NetworkPolicy peers such as ${EXAMPLE}`, checkPeer);
    return { peers: values, problems };
}
