// The Kubernetes pods' probe script (components/runtime/kubernetes/manifests.ts podProbeScript), run by /bin/sh in a
// real server's container on every version the suite runs, through a socket as the pods have it: it answers within
// the probe's timeout whether the client port serves TLS, plain text, or has been switched live from one to the
// other under the node's command line (a TLS switch waits that way for its turn). Over TCP in the command line's
// protocol it would not: a TLS handshake sent to a port switched to plain text is never answered.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Redis from "ioredis";
import { PROBE_SOCKET, PROBE_SOCKET_DIR, podProbeScript } from "../../components/runtime/kubernetes/manifests";
import { REDIS_CLI_TLS_ARGS } from "../../components/contracts/nodeFiles";
import { DEFAULT_TIMEOUTS } from "../../components/common/timeouts";
import { issueCa, issueLeaf } from "../../components/tls/certificates";
import { liveTlsSwitch } from "../../components/tls/liveSwitch";
import { docker, labelled } from "../support/dockerCli";
import { poll } from "../support/kubernetes";
import { putTlsFiles, tlsOnlyArgs } from "../support/tlsFiles";
import { OTHER_VERSIONS, SUITE_VERSION, TestedVersion } from "../support/versions";

const LABEL = `redis-stack.test=podprobe${Date.now().toString(36)}`;
const FIRST_PORT = 6811;
const AUTH_FILE = "/tmp/probe-auth.conf";
/** The kubelet's limit on one probe run: the pods' timeoutSeconds. */
const PROBE_TIMEOUT_MS = Math.ceil(DEFAULT_TIMEOUTS.healthTimeoutMs / 1000) * 1000;

/** Runs a shell line in the container as a probe is run, bounded by the probe's timeout: its exit code, or "timed out". */
function runInContainer(container: string, script: string): number | "timed out" {
    const run = spawnSync("docker", ["exec", container, "sh", "-c", script], { timeout: PROBE_TIMEOUT_MS, encoding: "utf8" });
    if (run.error?.message.includes("ETIMEDOUT")) return "timed out";
    return run.status ?? -1;
}

describe("the Kubernetes pods' probe, in a real server's container on every version the suite runs", function () {
    after(() => {
        for (const c of labelled("ps", LABEL)) docker("rm", "-f", "-v", c);
    });

    [SUITE_VERSION, ...OTHER_VERSIONS].forEach((version: TestedVersion, i) => {
        it(`${version.title}: both probes pass within the probe's timeout on TLS, after a live switch to plain text and back to TLS; a TLS PING over TCP after the switch is never answered`, async () => {
            const port = FIRST_PORT + i;
            const container = `redis-stack-podprobe-${version.tag}-${Date.now().toString(36)}`;
            const times = { now: new Date(), validityMs: 24 * 3600 * 1000 };
            const ca = await issueCa("pod probe test CA", times);
            const leaf = await issueLeaf(ca, { name: container, ips: ["127.0.0.1"], dnsNames: ["localhost"] }, times);
            const address = { host: "127.0.0.1", port };
            const tls = { ca: ca.cert, cert: leaf.cert, key: leaf.key, servername: "localhost" };
            docker(
                "create",
                "--name",
                container,
                "--label",
                LABEL,
                "-p",
                `127.0.0.1:${port}:${port}`,
                // As the pods' in-memory emptyDir.
                "--tmpfs",
                PROBE_SOCKET_DIR,
                version.image,
                version.serverCommand,
                ...tlsOnlyArgs(port),
                "--tls-auth-clients",
                "no",
                "--protected-mode",
                "no",
                "--unixsocket",
                PROBE_SOCKET,
                "--unixsocketperm",
                "700",
            );
            putTlsFiles(container, ca.cert, leaf);
            // No password here: a PONG is then the only answer that passes (the password file is the unit test's).
            const emptyAuth = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-podprobe-")), "auth.conf");
            fs.writeFileSync(emptyAuth, "");
            docker("cp", emptyAuth, `${container}:${AUTH_FILE}`);
            fs.rmSync(path.dirname(emptyAuth), { recursive: true, force: true });
            docker("start", container);

            const probes = (when: string) => {
                for (const kind of ["readiness", "liveness"] as const)
                    assert.equal(runInContainer(container, podProbeScript(version, kind, AUTH_FILE)), 0, `${kind} probe, ${when}`);
            };
            const onTls = new Redis({ ...address, tls, lazyConnect: true, retryStrategy: () => null });
            onTls.on("error", () => undefined);
            try {
                await poll(`${container} serving TLS`, 10000, () => onTls.connect().then(() => onTls.ping()));
                probes("serving TLS as its command line says");

                // What a TLS -> plain switch does to a running node (its command line keeps TLS until its turn).
                await onTls.call("CONFIG", "SET", ...liveTlsSwitch(["--port", String(port)]).settings.flat());
                const onPlain = new Redis({ ...address, lazyConnect: true, retryStrategy: () => null });
                try {
                    await onPlain.connect();
                    assert.equal(await onPlain.ping(), "PONG", "the client port serves plain text after the switch");
                    probes("switched live to plain text");
                    const tlsPing = `${version.cliCommand} ${REDIS_CLI_TLS_ARGS.join(" ")} -h 127.0.0.1 -p ${port} ping`;
                    assert.equal(runInContainer(container, tlsPing), "timed out", "a TLS PING over TCP gets no answer after the switch");

                    await onPlain.call("CONFIG", "SET", ...liveTlsSwitch(tlsOnlyArgs(port)).settings.flat());
                } finally {
                    onPlain.disconnect();
                }
                probes("switched live back to TLS");
            } finally {
                onTls.disconnect();
                docker("rm", "-f", "-v", container);
            }
        });
    });
});
