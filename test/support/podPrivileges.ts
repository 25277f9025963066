// What a node's pod runs as and what its files are on the local cluster: its redis-server's process status read in
// the pod (its PID 1, with the shell's builtins: the local image has no other tool), and its mounted Secret's files
// and its claim's files as the local cluster's node (this machine) holds them: the kubelet's directory and the
// hostPath provisioner's.
import * as fs from "fs";
import * as path from "path";
import { K8S_CACHE, kubectl } from "./kubernetes";
import { procStatusFields } from "./leastPrivilege";

const K8S_RUN = process.env.REDIS_STACK_K8S_RUN ?? path.join(K8S_CACHE, "run");

/** `Uid:`, `Gid:`, `CapEff:` and `NoNewPrivs:` of PID 1 in the pod's container. */
export function podServerStatus(namespace: string, pod: string, container: string): Record<string, string> {
    const script = 'while read -r k v; do case "$k" in Uid:|Gid:|CapEff:|NoNewPrivs:) echo "$k $v";; esac; done < /proc/1/status';
    return procStatusFields(kubectl("-n", namespace, "exec", pod, "-c", container, "--", "sh", "-c", script));
}

/** Whether the shell in the pod's container can create a file at `file`. */
export function podCanWrite(namespace: string, pod: string, container: string, file: string): boolean {
    const out = kubectl(
        "-n",
        namespace,
        "exec",
        pod,
        "-c",
        container,
        "--",
        "sh",
        "-c",
        `if (: > "$1") 2>/dev/null; then echo wrote; else echo refused; fi`,
        "sh",
        file,
    );
    return out === "wrote";
}

/** `mode uid:gid` of a file of a Secret volume the pod mounts, as the kubelet wrote it. */
export function secretFileMode(namespace: string, pod: string, volume: string, file: string): string {
    const uid = kubectl("-n", namespace, "get", "pod", pod, "-o", "jsonpath={.metadata.uid}");
    const stat = fs.statSync(path.join(K8S_RUN, "kubelet/pods", uid, "volumes/kubernetes.io~secret", volume, file));
    return `${(stat.mode & 0o777).toString(8)} ${stat.uid}:${stat.gid}`;
}

/** `uid:gid path` of every entry of the pod's data claim (its hostPath directory) that is not `owner`'s. */
export function claimEntriesNotOwnedBy(namespace: string, pod: string, owner: string): string[] {
    const claim = kubectl(
        "-n",
        namespace,
        "get",
        "pod",
        pod,
        "-o",
        'jsonpath={.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}',
    );
    const volume = kubectl("-n", namespace, "get", "pvc", claim, "-o", "jsonpath={.spec.volumeName}");
    const root = kubectl("get", "pv", volume, "-o", "jsonpath={.spec.hostPath.path}");
    const entries = [root, ...fs.readdirSync(root, { recursive: true }).map((entry) => path.join(root, String(entry)))];
    return entries
        .map((entry) => {
            const stat = fs.lstatSync(entry);
            return `${stat.uid}:${stat.gid} ${path.relative(root, entry) || "."}`;
        })
        .filter((entry) => !entry.startsWith(`${owner} `));
}
