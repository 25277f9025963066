// The resharding benchmark's variants (reshard.ts) and the setting that picks them (BENCH_RESHARD_VARIANTS).

/** How the step is run: replicas per master before and after, and whether a client writes all through it. */
export interface ReshardVariant {
    readonly name: string;
    readonly replicas: 0 | 1;
    readonly writer: boolean;
}

export const RESHARD_VARIANTS: readonly ReshardVariant[] = [
    { name: "plain", replicas: 0, writer: false },
    { name: "replicas", replicas: 1, writer: false },
    { name: "writer", replicas: 0, writer: true },
    { name: "replicas-writer", replicas: 1, writer: true },
];

/** A comma-separated list of variant names; unset means all of them. */
export function parseReshardVariants(setting: string, text: string | undefined): ReshardVariant[] {
    if (text === undefined || text.trim() === "") return [...RESHARD_VARIANTS];
    return text.split(",").map((name) => {
        const variant = RESHARD_VARIANTS.find((v) => v.name === name.trim());
        if (!variant) throw new Error(`${setting}: unknown variant "${name}"; allowed: ${RESHARD_VARIANTS.map((v) => v.name).join(",")}`);
        return variant;
    });
}
