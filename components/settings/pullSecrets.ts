// Pure: `imagePullSecrets`, the names of the Secrets (in the stack's namespace) the kubelet pulls the
// image with, as the pod spec takes them. No Pulumi, no I/O.
import { DNS_SUBDOMAIN, parseJson } from "./kubernetesNames";

/** Parses `imagePullSecrets` (JSON, as Pulumi gives a list-valued key): Secret names, each once. */
export function parsePullSecrets(raw: string | undefined): { names: readonly string[]; problems: string[] } {
    if (raw === undefined || raw.trim() === "" || raw.trim() === "[]") return { names: [], problems: [] };
    const parsed = parseJson(raw);
    if (!Array.isArray(parsed))
        return {
            names: [],
            problems: [`imagePullSecrets: got ${JSON.stringify(raw)}; allowed: a list of Secret names such as ["registry-login"]`],
        };
    const problems: string[] = [];
    const names: string[] = [];
    parsed.forEach((name, index) => {
        if (typeof name !== "string" || !DNS_SUBDOMAIN.test(name))
            problems.push(
                `imagePullSecrets[${index}]: got ${JSON.stringify(name)}; allowed: the name of a Secret in the stack's namespace (a DNS-1123 subdomain such as registry-login)`,
            );
        else if (!names.includes(name)) names.push(name);
    });
    return { names, problems };
}
