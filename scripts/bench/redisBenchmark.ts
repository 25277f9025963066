// One redis-benchmark run (SET and GET, 50 clients) with the binary extracted from the image, so every
// data-path comparison measures with the same tool and the same load.
import { execFileSync } from "child_process";

/** Requests per second of SET and GET. */
export interface Throughput {
    readonly set: number;
    readonly get: number;
}

/**
 * Runs redis-benchmark (`run` is the loader and arguments that start the extracted binary) against
 * host:port with `pipeline` commands per round trip; `extraArgs` go first (TLS options, say).
 */
export function redisBenchmark(
    run: readonly [string, readonly string[]],
    target: { readonly host: string; readonly port: number },
    pipeline: number,
    extraArgs: readonly string[] = [],
): Throughput {
    const [bin, binArgs] = run;
    const requests = pipeline > 1 ? 400000 : 100000;
    const csv = execFileSync(
        bin,
        [
            ...binArgs,
            ...extraArgs,
            "-h",
            target.host,
            "-p",
            String(target.port),
            "-t",
            "set,get",
            "-n",
            String(requests),
            "-c",
            "50",
            "-P",
            String(pipeline),
            "--csv",
        ],
        { encoding: "utf8" },
    );
    const rps = (test: string) => Number(new RegExp(`"${test}","([\\d.]+)"`).exec(csv)?.[1]);
    return { set: rps("SET"), get: rps("GET") };
}
