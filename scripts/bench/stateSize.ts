// Pure: what a `pulumi stack export` is made of: its size, the largest resource, how much of it is
// serialized dynamic-provider code (`__provider` strings), and how much is Pulumi's own per-resource
// bookkeeping (URNs, parents, providers, dependencies, timestamps, stack traces) against what the
// program's resources carry (inputs and outputs), per resource type.

interface ExportedResource {
    readonly urn: string;
    readonly type: string;
    readonly inputs?: unknown;
    readonly outputs?: unknown;
    readonly stackTrace?: unknown;
}

export interface StateSize {
    readonly bytes: number;
    readonly resources: number;
    readonly largest: { readonly urn: string; readonly bytes: number };
    /** Total length of every `__provider` string, and how many there are. */
    readonly providerBytes: number;
    readonly providerStrings: number;
    /** The export with every resource's inputs and outputs left out: what Pulumi records about any resource. */
    readonly bookkeepingBytes: number;
    /** Of the bookkeeping, the stack trace the SDK captures at each resource's registration. */
    readonly stackTraceBytes: number;
    /** Inputs and outputs by resource type (the last part of the type), largest first. */
    readonly dataByType: readonly { readonly type: string; readonly count: number; readonly bytes: number }[];
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

/** As the CLI writes it: 4-space indented JSON and a final newline. */
function exportedBytes(value: unknown): number {
    return Buffer.byteLength(JSON.stringify(value, null, 4)) + 1;
}

/** The export with `drop` removed from every resource. */
function without(parsed: { deployment: { resources: ExportedResource[] } }, drop: readonly string[]): unknown {
    const resources = parsed.deployment.resources.map((r) => Object.fromEntries(Object.entries(r).filter(([key]) => !drop.includes(key))));
    return { ...parsed, deployment: { ...parsed.deployment, resources } };
}

export function analyzeStateExport(exported: string): StateSize {
    const parsed = JSON.parse(exported) as { deployment?: { resources?: ExportedResource[] } };
    const resources = parsed.deployment?.resources ?? [];
    const whole = { ...parsed, deployment: { ...parsed.deployment, resources } };
    let largest = { urn: "", bytes: 0 };
    const byType = new Map<string, { count: number; bytes: number }>();
    for (const r of resources) {
        const bytes = Buffer.byteLength(JSON.stringify(r));
        if (bytes > largest.bytes) largest = { urn: r.urn, bytes };
        const type = r.type.split("/").pop() ?? r.type;
        const entry = byType.get(type) ?? { count: 0, bytes: 0 };
        entry.count += 1;
        entry.bytes += exportedBytes({ inputs: r.inputs ?? {}, outputs: r.outputs ?? {} });
        byType.set(type, entry);
    }
    const found: string[] = [];
    providerStrings(resources, found);
    const bookkeepingBytes = exportedBytes(without(whole, ["inputs", "outputs"]));
    return {
        bytes: Buffer.byteLength(exported),
        resources: resources.length,
        largest,
        providerBytes: found.reduce((sum, s) => sum + Buffer.byteLength(s), 0),
        providerStrings: found.length,
        bookkeepingBytes,
        stackTraceBytes: bookkeepingBytes - exportedBytes(without(whole, ["inputs", "outputs", "stackTrace"])),
        dataByType: [...byType.entries()].map(([type, e]) => ({ type, ...e })).sort((a, b) => b.bytes - a.bytes),
    };
}
