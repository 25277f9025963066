// Pure: summaries and table formatting for the benchmark report.

export interface Summary {
    readonly n: number;
    readonly median: number;
    readonly min: number;
    readonly max: number;
}

export function summarize(samples: readonly number[]): Summary {
    if (samples.length === 0) throw new Error("no samples");
    const sorted = [...samples].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return { n: sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export function seconds(ms: number): string {
    return (ms / 1000).toFixed(2);
}

/** `median (min-max) ×n` in seconds. */
export function formatMs(s: Summary): string {
    return `${seconds(s.median)} s (${seconds(s.min)}-${seconds(s.max)}, n=${s.n})`;
}

export function formatRate(s: Summary): string {
    const k = (v: number) => `${Math.round(v / 1000)}k`;
    return `${k(s.median)}/s (${k(s.min)}-${k(s.max)}, n=${s.n})`;
}

/** `median <unit>/s (min-max, n=)` with `digits` decimals, for rates already per second (formatRate rounds to thousands). */
export function formatPerSecond(s: Summary, unit: string, digits: number): string {
    const v = (x: number) => x.toFixed(digits);
    return `${v(s.median)} ${unit}/s (${v(s.min)}-${v(s.max)}, n=${s.n})`;
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
    return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
