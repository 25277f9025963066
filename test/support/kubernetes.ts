// The local single-node Kubernetes of scripts/k8s/, as the kubernetes runtime's e2e tests use it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Redis from "ioredis";
import { done, notYet, waitFor } from "../../components/common/wait";
import { PROJECT_DIR } from "./automation";

export const K8S_CACHE = process.env.REDIS_STACK_K8S_CACHE ?? path.join(os.homedir(), ".cache/redis-stack/k8s");
export const KUBECONFIG = path.join(K8S_CACHE, "admin.kubeconfig");
const KUBECTL = path.join(K8S_CACHE, "bin/kubectl");
const POLL_MS = 20;
/** A poll waits this many times as long as its last look took (see poll). */
const LOOK_SHARE = 4;

export function kubectl(...args: string[]): string {
    return execFileSync(KUBECTL, ["--kubeconfig", KUBECONFIG, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * kubectl with `input` piped to its stdin, as `... | kubectl` in a shell (a secret for
 * `--from-file=key=/dev/stdin`, never on a command line). Through `cat`: node's stdin pipe is a socket,
 * which `open("/dev/stdin")` refuses (ENXIO); a shell pipe is a real one.
 */
export function kubectlWithInput(input: string, ...args: string[]): string {
    return execFileSync("bash", ["-c", 'cat | "$@"', "bash", KUBECTL, "--kubeconfig", KUBECONFIG, ...args], {
        encoding: "utf8",
        input,
        stdio: ["pipe", "pipe", "pipe"],
    }).trim();
}

/** Builds the example service's image (cached under ~/.cache) and imports it into the running local cluster. */
export function importExampleImage(): void {
    execFileSync("bash", [path.join(PROJECT_DIR, "scripts/k8s/example-image.sh"), "import"], { stdio: ["ignore", "ignore", "inherit"] });
}

/** True when the local cluster's API server answers. */
export function clusterRuns(): boolean {
    try {
        kubectl("get", "--raw", "/readyz", "--request-timeout=3s");
        return true;
    } catch {
        return false;
    }
}

/**
 * Builds what is missing of the local cluster's binaries and the pulumi-resource-kubernetes plugin that
 * the Pulumi CLI needs for the kubernetes runtime (cached under ~/.cache; well under a second when
 * nothing changed). Also when the cluster already runs: it may have been started without the plugin.
 */
export function buildKubernetesToolchain(): void {
    execFileSync("bash", [path.join(PROJECT_DIR, "scripts/k8s/build.sh"), "all"], { stdio: ["ignore", "ignore", "inherit"] });
}

/** Starts the local cluster (building what is missing, cached under ~/.cache). */
export function startLocalCluster(): void {
    // Its daemons outlive it: close every inherited descriptor first, so none of them holds a lock
    // the test runs under (`flock <lock> mocha ...`) until the cluster stops.
    const closeInherited = 'for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done; exec bash "$0"';
    execFileSync("bash", ["-c", closeInherited, path.join(PROJECT_DIR, "scripts/k8s/up.sh")], { stdio: ["ignore", "ignore", "inherit"] });
}

export function stopLocalCluster(): void {
    execFileSync("bash", [path.join(PROJECT_DIR, "scripts/k8s/down.sh")], { stdio: "ignore" });
}

/** The environment the Pulumi CLI needs for the kubernetes runtime: the locally built provider plugin on PATH. */
export function kubernetesCliEnv(): Record<string, string> {
    return { PATH: `${path.join(K8S_CACHE, "bin")}:${process.env.PATH ?? ""}`, TMPDIR: providerTempDir() };
}

let providerTmp: string | undefined;
/**
 * A temporary directory for the Pulumi runs on Kubernetes of this test process, removed when it exits:
 * pulumi-resource-kubernetes (4.24.1) writes the kubeconfig it is given to a new file in TMPDIR each
 * time it starts and never removes it, which would leave one in /tmp per run.
 */
function providerTempDir(): string {
    if (providerTmp === undefined) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-k8s-provider-"));
        process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        providerTmp = dir;
    }
    return providerTmp;
}

/**
 * Until `probe` gives a value (an error counts as none yet); fails naming `what` after `timeoutMs`. Looks
 * POLL_MS apart, or `LOOK_SHARE` times as long as the last look took when that is longer: a look that runs
 * kubectl (exec above all) costs hundreds of ms of CPU across kubectl, the API server, the kubelet and the
 * container runtime, and back to back through a minute-long wait such looks took most of a core from every
 * test running meanwhile.
 */
export function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    let lastLookMs = 0;
    return waitFor(
        async () => {
            const pauseMs = lastLookMs * LOOK_SHARE - POLL_MS;
            if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
            const started = Date.now();
            const value = await probe().catch(() => undefined);
            lastLookMs = Date.now() - started;
            return value === undefined ? notYet("no answer yet") : done(value);
        },
        { what, timeoutMs, pollMs: POLL_MS, error: () => new Error(`${what}: not within ${timeoutMs} ms`) },
    );
}

/** One command on one node, with the password; undefined when the node does not answer. */
export async function ask(address: string, password: string | undefined, ...command: string[]): Promise<string | undefined> {
    const [host, port] = address.split(":");
    const c = new Redis({ host, port: Number(port), password, lazyConnect: true, retryStrategy: () => null, connectTimeout: 1000 });
    c.on("error", () => undefined);
    try {
        await c.connect();
        return String(await c.call(command[0], ...command.slice(1)));
    } catch {
        return undefined;
    } finally {
        c.disconnect();
    }
}
