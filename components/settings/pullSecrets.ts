// Pure: `imagePullSecrets`, the names of the Secrets (in the stack's namespace) the kubelet pulls the
// image with, as the pod spec takes them. No Pulumi, no I/O.
import { CheckedEntry, DNS_SUBDOMAIN, parseJsonList } from "./kubernetesNames";

/** A Secret name, or its problem. */
function checkName(where: string, name: unknown): CheckedEntry<string> {
    if (typeof name === "string" && DNS_SUBDOMAIN.test(name)) return { value: name, problems: [] };
    return {
        problems: [
            `${where}: got ${JSON.stringify(name)}; allowed: the name of a Secret in the stack's namespace (a DNS-1123 subdomain such as registry-login)`,
        ],
    };
}

/** Parses `imagePullSecrets` (JSON, as Pulumi gives a list-valued key): Secret names, each once. */
export function parsePullSecrets(raw: string | undefined): { names: readonly string[]; problems: string[] } {
    const { values, problems } = parseJsonList("imagePullSecrets", raw, 'a list of Secret names such as ["registry-login"]', checkName);
    return { names: [...new Set(values)], problems };
}
