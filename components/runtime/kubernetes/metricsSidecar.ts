// Pure: a node's Prometheus exporter on Kubernetes (metrics): a sidecar in the node's pod that scrapes redis-server
// over the pod's own probe socket (plain text whatever the client port speaks, so no TLS files and no certificate
// to name), as its own ACL user with the password from a mounted Secret; the usual scrape annotations on the pod,
// and its port on the node's Service, where the NetworkPolicy lets the client ports' peers reach it.
import { METRICS_DIR, METRICS_PASSWORD_FILE, exporterArgs, exporterPasswordFile } from "../../topology/metricsExporter";
import type { ContainerFile } from "../../contracts/nodeFiles";

/** The sidecar's container name, and the name of its port in the container and the Service. */
export const METRICS_CONTAINER = "metrics";
export const METRICS_PORT_NAME = "metrics";
/** The key of the exporter's password file in its Secret (the file's name where it is mounted). */
export const METRICS_SECRET_KEY = METRICS_PASSWORD_FILE.slice(METRICS_DIR.length + 1);

/** What the exporter reaches its node at in the pod. */
const socketAddress = (socket: string) => `unix://${socket}`;

/** The password file's content, the same for every node of the stack (each scrapes its own pod's socket). */
export function sidecarPasswordFile(socket: string, password: string): ContainerFile {
    return exporterPasswordFile(socketAddress(socket), password);
}

/** Prometheus' conventional pod annotations (kubernetes_sd_configs with the common relabelling) for the node's exporter. */
export function scrapeAnnotations(port: number): Record<string, string> {
    return { "prometheus.io/scrape": "true", "prometheus.io/port": String(port), "prometheus.io/path": "/metrics" };
}

export interface SidecarMounts {
    /** The probe socket's path, and the pod volume and directory it is in. */
    readonly socket: string;
    readonly socketVolume: string;
    readonly socketDir: string;
    /** The pod volume of the exporter's Secret. */
    readonly secretVolume: string;
}

/** The sidecar container: the node container's security context (not root, no capability, a read-only root). */
export function metricsSidecar(port: number, image: string, mounts: SidecarMounts, securityContext: object) {
    return {
        name: METRICS_CONTAINER,
        image,
        imagePullPolicy: "IfNotPresent",
        args: exporterArgs({ address: socketAddress(mounts.socket), listenAddress: `:${port}` }),
        ports: [{ name: METRICS_PORT_NAME, containerPort: port, protocol: "TCP" }],
        securityContext,
        // An exporter needs little; a request keeps it from counting as best-effort.
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
        volumeMounts: [
            { name: mounts.secretVolume, mountPath: METRICS_DIR, readOnly: true },
            { name: mounts.socketVolume, mountPath: mounts.socketDir },
        ],
    };
}

/**
 * With metricsServiceMonitor: the Prometheus Operator's ServiceMonitor spec for the stack's node Services (`selector`: the
 * stack's labels, which every node's Service carries) at their metrics port, in the stack's namespace only.
 */
export function serviceMonitorSpec(namespace: string, selector: Record<string, string>) {
    return {
        selector: { matchLabels: selector },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [{ port: METRICS_PORT_NAME, path: "/metrics" }],
    };
}
