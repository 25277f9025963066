// Pure: the health check of a node's container, so `docker ps` shows each node healthy or unhealthy.
// A cluster node is healthy while it is part of an ok cluster (CLUSTER INFO says cluster_state:ok);
// the standalone node while it answers PING. The check runs in the container's /bin/sh (present in the
// official redis and valkey images, and in this project's local build) and reads the password from the
// node's auth config file into REDISCLI_AUTH, so no password is in the check's definition (`docker
// inspect`) or on any command line.
import { PROJECT_USER } from "../settings/aclUsers";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import { REDIS_CLI_TLS_ARGS } from "../contracts/nodeFiles";

/** Consecutive failed checks that make a container unhealthy. */
export const HEALTH_RETRIES = 3;

export interface HealthCheckSpec {
    /** Docker's `Test`: ["CMD-SHELL", script]. */
    readonly test: readonly string[];
    readonly intervalMs: number;
    readonly timeoutMs: number;
    readonly startPeriodMs: number;
    readonly retries: number;
}

export interface HealthCheckTarget {
    readonly clientPort: number;
    readonly cluster: boolean;
    /** The Redis CLI program in the image. */
    readonly cliCommand: string;
    /** The node's auth config file (`requirepass <password>` when a password is set). */
    readonly authConfigPath: string;
    /** The client port serves TLS (the plain port is elsewhere or off): the check connects with the node's own files. */
    readonly tls?: boolean;
}

/** The shell line; only names and numbers are interpolated (validated by config.ts), never a secret. */
/** Shell: the password from a node's auth config file into redis-cli's environment (`read` is a builtin: nothing else needed). */
export function passwordFromFile(authConfigPath: string): string {
    return `while read -r k v; do [ "$k" = requirepass ] && export REDISCLI_AUTH="$v"; done < ${authConfigPath};`;
}

export function healthScript(target: HealthCheckTarget): string {
    // As the project's own user (aclUsers.ts): the default user may be off. Without a password in the
    // file redis-cli sends no AUTH at all, so the name does no harm then.
    const cli = [
        target.cliCommand,
        "--user",
        PROJECT_USER,
        "-h",
        "127.0.0.1",
        "-p",
        String(target.clientPort),
        ...(target.tls ? REDIS_CLI_TLS_ARGS : []),
    ].join(" ");
    // `read` is a shell builtin: no other program is needed in the image. The password never leaves the
    // container: it goes from the file to redis-cli's environment.
    const auth = passwordFromFile(target.authConfigPath);
    const probe = target.cluster
        ? `case "$(${cli} cluster info)" in *cluster_state:ok*) exit 0;; esac; exit 1`
        : `[ "$(${cli} ping)" = PONG ] || exit 1`;
    return `${auth} ${probe}`;
}

export function healthCheck(target: HealthCheckTarget): HealthCheckSpec {
    return {
        test: ["CMD-SHELL", healthScript(target)],
        intervalMs: DEFAULT_TIMEOUTS.healthIntervalMs,
        timeoutMs: DEFAULT_TIMEOUTS.healthTimeoutMs,
        startPeriodMs: DEFAULT_TIMEOUTS.healthStartPeriodMs,
        retries: HEALTH_RETRIES,
    };
}

/** Docker Engine API form (durations in nanoseconds). */
export function dockerHealthcheck(spec: HealthCheckSpec): {
    Test: string[];
    Interval: number;
    Timeout: number;
    StartPeriod: number;
    Retries: number;
} {
    const ns = (ms: number) => ms * 1e6;
    return {
        Test: [...spec.test],
        Interval: ns(spec.intervalMs),
        Timeout: ns(spec.timeoutMs),
        StartPeriod: ns(spec.startPeriodMs),
        Retries: spec.retries,
    };
}
