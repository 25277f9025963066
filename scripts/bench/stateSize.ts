// Pure: what a `pulumi stack export` is made of: its size, the largest resource, and how much of it is
// serialized dynamic-provider code (`__provider` strings in inputs and outputs).

export interface StateSize {
    readonly bytes: number;
    readonly resources: number;
    readonly largest: { readonly urn: string; readonly bytes: number };
    /** Total length of every `__provider` string, and how many there are. */
    readonly providerBytes: number;
    readonly providerStrings: number;
}

function providerStrings(value: unknown, found: string[]): void {
    if (Array.isArray(value)) value.forEach((v) => providerStrings(v, found));
    else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            if (k === "__provider" && typeof v === "string") found.push(v);
            else providerStrings(v, found);
        }
    }
}

export function analyzeStateExport(exported: string): StateSize {
    const parsed = JSON.parse(exported) as { deployment?: { resources?: { urn: string }[] } };
    const resources = parsed.deployment?.resources ?? [];
    let largest = { urn: "", bytes: 0 };
    for (const r of resources) {
        const bytes = Buffer.byteLength(JSON.stringify(r));
        if (bytes > largest.bytes) largest = { urn: r.urn, bytes };
    }
    const found: string[] = [];
    providerStrings(resources, found);
    return {
        bytes: Buffer.byteLength(exported),
        resources: resources.length,
        largest,
        providerBytes: found.reduce((sum, s) => sum + Buffer.byteLength(s), 0),
        providerStrings: found.length,
    };
}
