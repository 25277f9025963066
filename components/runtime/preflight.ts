// Checks on the Docker host before the program declares any resource: the engine answers, and no
// host port the stack needs is held by something else. A failure here leaves everything as it was.
import * as fs from "fs";
import { HostPort, Listener, describePortConflicts, hostPortsNeeded, parseListeners, portConflicts } from "../hostPorts";
import { STACK_LABEL, Topology } from "../topology";
import { containerNamesLabelled, explainDockerError } from "./dockerEngine";

export class PreflightError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PreflightError";
    }
}

/** Listening sockets of this machine, or undefined where they cannot be read (not Linux). */
function hostListeners(): Listener[] | undefined {
    const read = (file: string) => { try { return fs.readFileSync(file, "utf8"); } catch { return undefined; } };
    const v4 = read("/proc/net/tcp");
    if (v4 === undefined) return undefined;
    return [...parseListeners(v4, false), ...parseListeners(read("/proc/net/tcp6") ?? "", true)];
}

/** Ports of a local engine are this machine's ports; a remote engine's are not visible from here. */
const engineIsLocal = () => !process.env.DOCKER_HOST || process.env.DOCKER_HOST.startsWith("unix://");

export async function preflightHost(topology: Topology, stackPrefix: string): Promise<void> {
    let ownContainers: Set<string>;
    try {
        ownContainers = new Set(await containerNamesLabelled(`${STACK_LABEL}=${stackPrefix}`));
    } catch (err) {
        throw new PreflightError(explainDockerError(err, `check the Docker host for stack ${stackPrefix}`).message);
    }
    const listeners = engineIsLocal() ? hostListeners() : undefined;
    if (!listeners) return;
    const conflicts: HostPort[] = portConflicts(hostPortsNeeded(topology), listeners, ownContainers);
    if (conflicts.length > 0) throw new PreflightError(describePortConflicts(conflicts));
}
