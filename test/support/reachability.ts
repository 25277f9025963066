// Which TCP ports a pod reaches, seen from inside the local cluster: probe pods of the test image (a
// redis-server of their own on PROBE_PORT, so that each is a target the others can reach too), from which
// redis-cli (the only client the image has) tries a target. A target is reached when the connection was made
// (any answer, an error or a closed connection included), not when it was refused or timed out.
import { TEST_IMAGE } from "./fixture";
import { kubectl, kubectlWithInput, poll } from "./kubernetes";

/** The port every probe pod's own redis-server listens on, reachable from anywhere (no policy selects a probe pod). */
export const PROBE_PORT = 6390;
const CONNECT_TIMEOUT_S = 2;

export interface ProbePod {
    readonly namespace: string;
    readonly name: string;
    /** `<pod IP>:PROBE_PORT`. */
    readonly address: string;
}

/** Starts a probe pod with `labels` in `namespace` and waits until it runs. */
export async function startProbePod(namespace: string, name: string, labels: Record<string, string>): Promise<ProbePod> {
    const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels },
        spec: {
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 1,
            containers: [
                {
                    name: "probe",
                    image: TEST_IMAGE,
                    imagePullPolicy: "Never",
                    command: ["redis-server", "--port", String(PROBE_PORT), "--protected-mode", "no", "--save", "", "--appendonly", "no"],
                },
            ],
        },
    };
    kubectlWithInput(JSON.stringify(pod), "apply", "-f", "-");
    const ip = await poll(`probe pod ${namespace}/${name} runs`, 60000, async () => {
        const [phase, podIp] = kubectl("get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.phase} {.status.podIP}").split(" ");
        return phase === "Running" && podIp ? podIp : undefined;
    });
    return { namespace, name, address: `${ip}:${PROBE_PORT}` };
}

/** Whether `probe` connects to `target` (`host:port`) now. */
export function connects(probe: ProbePod, target: string): boolean {
    const [host, port] = target.split(":");
    const out = kubectl(
        "exec",
        probe.name,
        "-n",
        probe.namespace,
        "--",
        "sh",
        "-c",
        `redis-cli -h ${host} -p ${port} -t ${CONNECT_TIMEOUT_S} ping 2>&1 || true`,
    );
    return !out.includes("Could not connect");
}

/**
 * Waits until `probe` connects to `target`: a new pod's address reaches the policy controller's rules a
 * moment after the pod starts, and until then a NetworkPolicy admits nothing from it.
 */
export function reachesSoon(probe: ProbePod, target: string, timeoutMs = 30000): Promise<boolean> {
    return poll(`${probe.namespace}/${probe.name} connects to ${target}`, timeoutMs, async () =>
        connects(probe, target) ? true : undefined,
    );
}
