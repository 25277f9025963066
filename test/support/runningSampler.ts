// Watches a set of containers while something runs, as a user with `docker ps` would: how many of
// them were running at each sample, and each one's start time afterwards. The measure of "never
// every node down at once".
import { execFile } from "child_process";
import { promisify } from "util";
import { docker } from "./dockerCli";

const run = promisify(execFile);

export interface RunningReport {
    readonly samples: number;
    /** The fewest of the watched containers running at one sample. */
    readonly minRunning: number;
}

export class RunningSampler {
    private samples = 0;
    private minRunning = Number.POSITIVE_INFINITY;
    private running = true;
    private readonly loop: Promise<void>;

    constructor(
        private readonly label: string,
        private readonly names: readonly string[],
        intervalMs = 100,
    ) {
        this.loop = this.sample(intervalMs);
    }

    private async sample(intervalMs: number): Promise<void> {
        while (this.running) {
            const { stdout } = await run("docker", ["ps", "--filter", `label=${this.label}`, "--format", "{{.Names}}"]);
            const up = new Set(stdout.split("\n").filter((l) => l !== ""));
            this.samples++;
            this.minRunning = Math.min(this.minRunning, this.names.filter((n) => up.has(n)).length);
            await new Promise((r) => setTimeout(r, intervalMs));
        }
    }

    async stop(): Promise<RunningReport> {
        this.running = false;
        await this.loop;
        return { samples: this.samples, minRunning: this.minRunning };
    }
}

/** Each container's start time (ms since the epoch), as `docker inspect` reports it. */
export function startedAt(names: readonly string[]): Map<string, number> {
    return new Map(names.map((n) => [n, Date.parse(docker("inspect", "-f", "{{.State.StartedAt}}", n))]));
}
