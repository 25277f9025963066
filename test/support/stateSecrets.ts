// Where a secret sits in a stack's state, from `pulumi stack export --show-secrets`: each secret there is an
// object of its own (`{"4dabf...": "1b47...", "plaintext": "..."}`; a ciphertext without --show-secrets), in a
// resource's inputs or outputs. The e2e tests count the places a key is kept.

const SIG_KEY = "4dabf18193072939515e22adb298388d";

interface ExportedResource {
    readonly urn: string;
    readonly type: string;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
}

/** The plaintext of every secret in `value`. */
function secretTexts(value: unknown, out: string[] = []): string[] {
    if (Array.isArray(value)) value.forEach((v) => secretTexts(v, out));
    else if (value && typeof value === "object") {
        const fields = value as Record<string, unknown>;
        if (SIG_KEY in fields && typeof fields.plaintext === "string") out.push(fields.plaintext);
        else Object.values(fields).forEach((v) => secretTexts(v, out));
    }
    return out;
}

/**
 * Every secret of an exported state (`--show-secrets`) whose plaintext holds `needle`, as
 * `<type> <name> inputs|outputs`, once per secret: how many times, and where, the stack's resources keep it.
 * Pulumi's provider resources are left out: Pulumi records the stack's whole config, secrets included, in its
 * default provider of dynamic resources (`pulumi:providers:pulumi-nodejs default`, the config a dynamic
 * provider's `configure` gets), whatever the program does with it.
 */
export function secretsHolding(exportedJson: string, needle: string): string[] {
    const resources = (JSON.parse(exportedJson) as { deployment: { resources?: ExportedResource[] } }).deployment.resources ?? [];
    return resources
        .filter((r) => !r.type.startsWith("pulumi:providers:"))
        .flatMap((r) =>
            (["inputs", "outputs"] as const).flatMap((where) =>
                secretTexts(r[where])
                    .filter((text) => text.includes(needle))
                    .map(() => `${r.type} ${r.urn.split("::").pop()} ${where}`),
            ),
        );
}

/** A line of a PEM key's body: what shows wherever the key is kept, whatever the escaping around it. */
export const keyLine = (pem: string): string => pem.split("\n")[1];
