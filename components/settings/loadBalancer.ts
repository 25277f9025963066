// Pure: `loadBalancerSourceRanges`, the address ranges the load balancers of `externalAccess loadBalancer` admit
// (their Services' field of that name, which kube-proxy and the clouds' controllers enforce); the Services'
// annotations are a map of text like the pods' (podMetadata.ts). No Pulumi, no I/O.
import { isCidr } from "./allowFrom";
import { type CheckedEntry, parseJsonList } from "./kubernetesNames";

function checkRange(where: string, given: unknown): CheckedEntry<string> {
    if (typeof given === "string" && isCidr(given)) return { value: given, problems: [] };
    return {
        problems: [
            `${where}: got ${JSON.stringify(given)}; allowed: an IPv4 or IPv6 range such as 203.0.113.0/24 (no address bits after the prefix)`,
        ],
    };
}

/** Parses `loadBalancerSourceRanges` (JSON, as Pulumi gives a list-valued key): address ranges, each once. */
export function parseSourceRanges(raw: string | undefined): { ranges: readonly string[]; problems: string[] } {
    const { values, problems } = parseJsonList(
        "loadBalancerSourceRanges",
        raw,
        'a list of address ranges such as ["203.0.113.0/24"]',
        checkRange,
    );
    return { ranges: [...new Set(values)], problems };
}
