// A client that keeps writing through a change and then checks that every acknowledged write is
// still there: the measure of "no acknowledged write lost".
import { Cluster } from "ioredis";

export interface WriterReport {
    readonly attempted: number;
    readonly acknowledged: number;
    /** Writes the client saw fail (never acknowledged): unavailability, not loss. */
    readonly failed: number;
    /** Acknowledged writes whose value is missing or wrong afterwards. */
    readonly lost: number;
    readonly firstFailure?: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ClusterWriter {
    private readonly acknowledged: string[] = [];
    private attempted = 0;
    private failed = 0;
    private firstFailure?: string;
    private running = true;
    private readonly loops: Promise<void>[];

    /**
     * `concurrency` loops each write `${prefix}:<loop>:<n>` = n, one at a time, `pauseMs` apart. Paced, not
     * flat out: unpaced, the loops, the nodes and the network path between them took a whole core of CI's two
     * through every rolling change (about 2,300 writes a second), and slowed every other test running then.
     * At the default pace the four loops still write several hundred times a second, one write every few
     * milliseconds across the change. `pauseMs` 0 writes flat out (the resharding benchmark's writer).
     */
    constructor(
        private readonly cluster: Cluster,
        prefix: string,
        concurrency = 4,
        private readonly pauseMs = 10,
    ) {
        this.loops = Array.from({ length: concurrency }, (_, loop) => this.writeLoop(`${prefix}:${loop}`));
    }

    private async writeLoop(prefix: string): Promise<void> {
        for (let n = 0; this.running; n++) {
            const key = `${prefix}:${n}`;
            this.attempted++;
            try {
                if ((await this.cluster.set(key, String(n))) === "OK") this.acknowledged.push(key);
                if (this.pauseMs > 0) await pause(this.pauseMs);
            } catch (err) {
                this.failed++;
                this.firstFailure ??= (err as Error).message;
                await pause(20);
            }
        }
    }

    /** Stops writing and reads every acknowledged key back, through `reader` (another client, after a protocol switch). */
    async stopAndVerify(reader: Cluster = this.cluster): Promise<WriterReport> {
        this.running = false;
        await Promise.all(this.loops);
        let lost = 0;
        for (let i = 0; i < this.acknowledged.length; i += 500) {
            const batch = this.acknowledged.slice(i, i + 500);
            const values = await Promise.all(batch.map((key) => reader.get(key)));
            values.forEach((value, j) => {
                if (value !== batch[j].split(":").pop()) lost++;
            });
        }
        return {
            attempted: this.attempted,
            acknowledged: this.acknowledged.length,
            failed: this.failed,
            lost,
            firstFailure: this.firstFailure,
        };
    }
}
