// Reading a Prometheus exporter's /metrics in the e2e tests: the text format's samples by name and labels.
import * as http from "http";

export interface Sample {
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly value: number;
}

/** The samples of a /metrics page (comments and blank lines skipped). */
export function parseMetrics(text: string): Sample[] {
    const samples: Sample[] = [];
    for (const line of text.split("\n")) {
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
        if (!match) continue;
        const labels: Record<string, string> = {};
        for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
        samples.push({ name: match[1], labels, value: Number(match[3]) });
    }
    return samples;
}

/** GET `url` (plain HTTP); the body, or throws with the status. */
export function httpGet(url: string, timeoutMs = 10000): Promise<string> {
    return new Promise((resolve, reject) => {
        const request = http.get(url, { timeout: timeoutMs }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (c: Buffer) => chunks.push(c));
            response.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8");
                if (response.statusCode === 200) resolve(body);
                else reject(new Error(`GET ${url}: HTTP ${response.statusCode}: ${body.slice(0, 300)}`));
            });
        });
        request.on("timeout", () => request.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
        request.on("error", reject);
    });
}

/** One sample's value on a page: the first of that name (whose labels include `labels`), or undefined. */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
    return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
