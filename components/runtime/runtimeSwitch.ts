// Pure: which runtime made a stack's existing containers, and whether the configured runtime may act
// on them. Both runtimes name containers and volumes alike, so a switch on a running stack would let
// the new runtime force-remove the old one's containers while Pulumi deletes the old volume resources:
// a path to losing the data. The preflight refuses it before anything is declared.
import { ContainerRuntime, RUNTIMES } from "../settings/config";
import { RUNTIME_LABEL } from "./dockerPlacement";

export interface ExistingContainer {
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    /**
     * The image reference the container was created with (`Config.Image`); needed only for containers
     * without RUNTIME_LABEL.
     */
    readonly createdWithImage?: string;
}

/**
 * The runtime that made a container: its RUNTIME_LABEL, or for a container made before the label
 * existed, inferred from how it names its image. The `docker` runtime creates containers from
 * RemoteImage.imageId (`sha256:...`), the `engine` runtime from the configured reference (`redis:7.2`).
 */
export function containerRuntime(container: ExistingContainer): string {
    const label = container.labels[RUNTIME_LABEL];
    if (label !== undefined) return label;
    return container.createdWithImage?.startsWith("sha256:") ? "docker" : "engine";
}

/** A refusal message when any existing container was made by another runtime than `configured`, else undefined. */
export function runtimeSwitchRefusal(configured: ContainerRuntime, containers: readonly ExistingContainer[]): string | undefined {
    const byRuntime = new Map<string, string[]>();
    for (const c of containers) {
        const runtime = containerRuntime(c);
        if (runtime !== configured) byRuntime.set(runtime, [...(byRuntime.get(runtime) ?? []), c.name]);
    }
    if (byRuntime.size === 0) return undefined;
    const others = [...byRuntime.keys()].sort();
    const lines = others.map((runtime) => `  - ${runtime}: ${byRuntime.get(runtime)!.sort().join(", ")}`);
    // "Set it back" only when there is one runtime to go back to and it is one this version knows.
    const wayOut =
        others.length === 1 && (RUNTIMES as readonly string[]).includes(others[0])
            ? `Set it back (pulumi config set redis-stack:runtime ${others[0]}), or run`
            : "Run";
    return [
        `redis-stack:runtime is ${configured}, but containers of this stack were made by another runtime; nothing was created or changed:`,
        ...lines,
        "Switching the runtime of a running stack would let both runtimes act on the same containers and volumes, a path to losing the data. " +
            `${wayOut} \`pulumi destroy\` first and then \`pulumi up\` with the new runtime ` +
            "(destroy deletes the data volumes unless redis-stack:retainData was true at the last `up`).",
    ].join("\n");
}
