// A real Prometheus for the metrics e2e tests: it scrapes the exporters' targets as a user's would, and the
// tests ask it through its HTTP API (instant queries). Test-only. The binary is the one scripts/lib/prometheus.sh
// builds (no UI, no service discovery but static targets); scripts/test.sh puts its path in
// REDIS_STACK_TEST_PROMETHEUS.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { done, notYet, waitFor } from "../../components/common/wait";
import { httpGet } from "./metricsScrape";

/** One series of an instant query's result: its labels and its value. */
export interface PromSample {
    readonly metric: Readonly<Record<string, string>>;
    readonly value: number;
}

export interface RunningPrometheus {
    /** The process this helper started (and the only one `stop` ends). */
    readonly pid: number;
    /** Its HTTP address, `http://127.0.0.1:<port>`. */
    readonly url: string;
    /** An instant query (`/api/v1/query`): the series of a vector (a scalar as one series with no labels). */
    query(promql: string): Promise<PromSample[]>;
    /**
     * Queries until `predicate` holds for the result (the failed queries count as not yet); that result.
     * A timeout's error shows the last result and the targets' health.
     */
    waitFor(promql: string, predicate: (result: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
    /** What Prometheus has logged so far. */
    log(): string;
    /** Ends the process (SIGTERM, SIGKILL after 5 s), waits for it and removes its directory; the log it wrote. */
    stop(): Promise<string>;
}

const READY_TIMEOUT_MS = 30000;
const STOP_GRACE_MS = 5000;
const POLL_MS = 200;

/**
 * Starts Prometheus on a free local port, scraping `targets` (host:port) every second as job `job`, with its
 * data in a new temporary directory; resolves once it answers /-/ready.
 */
export async function startPrometheus(targets: string[], job = "redis-stack"): Promise<RunningPrometheus> {
    const binary = process.env.REDIS_STACK_TEST_PROMETHEUS;
    if (!binary) {
        throw new Error(
            "REDIS_STACK_TEST_PROMETHEUS is not set: run the tests through scripts/test.sh, or set it to the path " +
                "`bash scripts/lib/prometheus.sh | tail -n 1` prints",
        );
    }
    fs.accessSync(binary, fs.constants.X_OK);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-prometheus-"));
    try {
        const config = [
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "scrape_configs:",
            `  - job_name: ${JSON.stringify(job)}`,
            "    static_configs:",
            `      - targets: ${JSON.stringify(targets)}`,
            "",
        ].join("\n");
        fs.writeFileSync(path.join(dir, "prometheus.yml"), config);
        const port = await freePort();
        const logFile = path.join(dir, "prometheus.log");
        const out = fs.openSync(logFile, "a");
        let child: ChildProcess;
        try {
            child = spawn(
                binary,
                [
                    `--config.file=${path.join(dir, "prometheus.yml")}`,
                    `--storage.tsdb.path=${path.join(dir, "data")}`,
                    `--web.listen-address=127.0.0.1:${port}`,
                    // The scrape manager takes in targets on this tick, the first time too (5 s by default,
                    // a hidden flag): its first scrape comes within about a second of start instead of 5-6 s.
                    "--scrape.discovery-reload-interval=100ms",
                ],
                { stdio: ["ignore", out, out] },
            );
        } finally {
            fs.closeSync(out);
        }
        const prometheus = new Prometheus(child, `http://127.0.0.1:${port}`, dir, logFile);
        try {
            await prometheus.ready();
        } catch (err) {
            const log = await prometheus.stop();
            if (err instanceof Error) err.message += `\n--- prometheus log ---\n${log}`;
            throw err;
        }
        return prometheus;
    } catch (err) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw err;
    }
}

class Prometheus implements RunningPrometheus {
    readonly pid: number;
    private readonly exited: Promise<void>;
    private exitedWith: string | undefined;
    private stopped: Promise<string> | undefined;
    // Kills the process if this test process exits without stop() (mocha --exit after a failed hook).
    private readonly onExit = () => {
        if (this.exitedWith === undefined) sendSignal(this.pid, "SIGKILL");
    };

    constructor(
        child: ChildProcess,
        readonly url: string,
        private readonly dir: string,
        private readonly logFile: string,
    ) {
        this.exited = new Promise<void>((resolve) => {
            child.once("exit", (code, signal) => {
                this.exitedWith = signal ?? `exit code ${code}`;
                resolve();
            });
            child.once("error", (err) => {
                this.exitedWith = `not started: ${err.message}`;
                resolve();
            });
        });
        this.pid = child.pid ?? -1;
        if (this.pid > 0) process.on("exit", this.onExit);
    }

    async ready(): Promise<void> {
        await waitFor(
            async () => {
                if (this.exitedWith !== undefined)
                    throw new Error(`prometheus (pid ${this.pid}) ended before it was ready: ${this.exitedWith}`);
                try {
                    await httpGet(`${this.url}/-/ready`, 1000);
                    return done(undefined);
                } catch (err) {
                    return notYet((err as Error).message);
                }
            },
            {
                what: `prometheus ready at ${this.url}`,
                timeoutMs: READY_TIMEOUT_MS,
                pollMs: 50,
                error: (problem) =>
                    new Error(`prometheus (pid ${this.pid}) not ready at ${this.url} within ${READY_TIMEOUT_MS} ms: ${problem}`),
            },
        );
    }

    async query(promql: string): Promise<PromSample[]> {
        const body = JSON.parse(await httpGet(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`));
        if (body.status !== "success") throw new Error(`query ${promql}: ${body.errorType}: ${body.error}`);
        const { resultType, result } = body.data;
        if (resultType === "vector") {
            return (result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({
                metric: s.metric,
                value: sampleValue(s.value[1]),
            }));
        }
        if (resultType === "scalar") return [{ metric: {}, value: sampleValue((result as [number, string])[1]) }];
        throw new Error(`query ${promql}: a ${resultType}, not an instant vector`);
    }

    async waitFor(promql: string, predicate: (result: PromSample[]) => boolean, timeoutMs = 30000): Promise<PromSample[]> {
        let last = "no answer yet";
        try {
            return await waitFor(
                async () => {
                    try {
                        const result = await this.query(promql);
                        if (predicate(result)) return done(result);
                        last = `last result ${JSON.stringify(result)}`;
                    } catch (err) {
                        last = `last query failed: ${(err as Error).message}`;
                    }
                    return notYet(last);
                },
                { what: promql, timeoutMs, pollMs: POLL_MS },
            );
        } catch {
            throw new Error(`prometheus: ${promql} not as wanted within ${timeoutMs} ms: ${last}; targets: ${await this.targetHealth()}`);
        }
    }

    log(): string {
        try {
            return fs.readFileSync(this.logFile, "utf8");
        } catch {
            return "";
        }
    }

    stop(): Promise<string> {
        this.stopped ??= this.end();
        return this.stopped;
    }

    private async end(): Promise<string> {
        if (this.pid > 0 && this.exitedWith === undefined) {
            sendSignal(this.pid, "SIGTERM");
            let timer: NodeJS.Timeout | undefined;
            const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
            await Promise.race([this.exited, grace]);
            clearTimeout(timer);
            if (this.exitedWith === undefined) {
                sendSignal(this.pid, "SIGKILL");
                await this.exited;
            }
        }
        process.removeListener("exit", this.onExit);
        const log = this.log();
        fs.rmSync(this.dir, { recursive: true, force: true });
        return log;
    }

    /** Each target's health and last scrape error, for a timeout's message. */
    private async targetHealth(): Promise<string> {
        try {
            const body = JSON.parse(await httpGet(`${this.url}/api/v1/targets`));
            const active = body.data.activeTargets as { scrapeUrl: string; health: string; lastError: string }[];
            return active.map((t) => `${t.scrapeUrl} ${t.health}${t.lastError ? ` (${t.lastError})` : ""}`).join(", ") || "none";
        } catch (err) {
            return `unknown (${(err as Error).message})`;
        }
    }
}

/** Sends `sig` to the process this helper started; one that has just exited (ESRCH) is left be. */
function sendSignal(pid: number, sig: NodeJS.Signals): void {
    try {
        process.kill(pid, sig);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
}

/** A sample value as the API writes it: a number, or NaN, +Inf, -Inf. */
function sampleValue(text: string): number {
    if (text === "+Inf") return Infinity;
    if (text === "-Inf") return -Infinity;
    return Number(text);
}

/** A local port nothing listens on now (the OS picks it). */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}
