// Checks on the Docker host before the program declares any resource: the engine answers, the
// stack's existing containers were made by the configured runtime, and no host port the stack needs
// is held by something else. A failure here leaves everything as it was. And, once the stack's owner id
// is known (its StackOwner resource, before any other child), that every object with its names is its own.
import * as fs from "fs";
import type { ContainerRuntime } from "../settings/config";
import { cpuLimitProblem } from "../settings/nodeLimits";
import { type DockerTopology, RUNTIME_LABEL, STACK_LABEL } from "./dockerPlacement";
import { HostPort, Listener, describePortConflicts, hostPortsNeeded, parseListeners, portConflicts } from "./hostPorts";
import { ExistingContainer, runtimeSwitchRefusal } from "./runtimeSwitch";
import { containerCreatedWithImage, containersLabelled, dockerClient, explainDockerError, inspectObject } from "./dockerEngine";
import { type HostObject, type ObjectKind, type Recorded, type StackOwnerId, ownershipRefusal } from "./ownership";

export class PreflightError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PreflightError";
    }
}

/** Listening sockets of this machine, or undefined where they cannot be read (not Linux). */
function hostListeners(): Listener[] | undefined {
    const read = (file: string) => {
        try {
            return fs.readFileSync(file, "utf8");
        } catch {
            return undefined;
        }
    };
    const v4 = read("/proc/net/tcp");
    if (v4 === undefined) return undefined;
    return [...parseListeners(v4, false), ...parseListeners(read("/proc/net/tcp6") ?? "", true)];
}

/** Ports of a local engine are this machine's ports; a remote engine's are not visible from here. */
const engineIsLocal = () => !process.env.DOCKER_HOST || process.env.DOCKER_HOST.startsWith("unix://");

/** The stack's containers; only those made before RUNTIME_LABEL existed are inspected, for the image they were created with. */
async function existingContainers(stackPrefix: string): Promise<ExistingContainer[]> {
    const listed = await containersLabelled(`${STACK_LABEL}=${stackPrefix}`);
    const found = await Promise.all(
        listed.map(async (c): Promise<ExistingContainer | undefined> => {
            if (c.labels[RUNTIME_LABEL] !== undefined) return { name: c.name, labels: c.labels };
            // List's `Image` turns into the image id when the tag has moved on; Config.Image is what the container was created with.
            const createdWithImage = await containerCreatedWithImage(c.id);
            return createdWithImage === undefined ? undefined : { name: c.name, labels: c.labels, createdWithImage };
        }),
    );
    return found.filter((c): c is ExistingContainer => c !== undefined);
}

/** The name prefixes of the other redis-stack stacks whose containers publish one of `conflicts` (their stack label). */
async function stacksHolding(conflicts: readonly HostPort[], stackPrefix: string): Promise<string[]> {
    const taken = new Set(conflicts.map((c) => `${c.host}:${c.port}`));
    const all = await containersLabelled(STACK_LABEL).catch(() => []);
    const holders = all.filter((c) => c.labels[STACK_LABEL] !== stackPrefix && c.published.some((p) => taken.has(p)));
    return [...new Set(holders.map((c) => c.labels[STACK_LABEL]))].sort();
}

/** `topology`: the stack's Docker placement; none for a Kubernetes stack, which uses no Docker host and publishes no host port. */
export async function preflightHost(topology: DockerTopology | undefined, stackPrefix: string, runtime: ContainerRuntime): Promise<void> {
    if (!topology) return;
    let existing: ExistingContainer[];
    try {
        existing = await existingContainers(stackPrefix);
    } catch (err) {
        throw new PreflightError(explainDockerError(err, `check the Docker host for stack ${stackPrefix}`).message);
    }
    const refusal = runtimeSwitchRefusal(runtime, existing);
    if (refusal !== undefined) throw new PreflightError(refusal);
    // Only with a CPU limit: asking the engine for its CPUs loads dockerode (about 0.5 s).
    if (topology.standalone.limits.nanoCpus !== undefined) {
        const cpus = (await dockerClient().info()) as { NCPU: number };
        const problem = cpuLimitProblem(topology.standalone.limits, cpus.NCPU);
        if (problem) throw new PreflightError(problem);
    }
    const ownContainers = new Set(existing.map((c) => c.name));
    const listeners = engineIsLocal() ? hostListeners() : undefined;
    if (!listeners) return;
    const conflicts: HostPort[] = portConflicts(hostPortsNeeded(topology), listeners, ownContainers);
    if (conflicts.length > 0) throw new PreflightError(describePortConflicts(conflicts, await stacksHolding(conflicts, stackPrefix)));
}

/**
 * Preview and up, before any other child of the stack: every container, volume and network with the stack's names
 * is its own (../stack/stackOwnerProvider.ts runs this). One an earlier release made (its stack label and no owner
 * id) passes here where `unlabelled` is "its name" (the stack has a state that may record it; on the engine runtime
 * its resource then refuses it if not), and is refused where it is "no" (a stack that never ran).
 */
export async function preflightOwnership(
    objects: readonly { kind: ObjectKind; name: string }[],
    stack: StackOwnerId,
    unlabelled: Recorded = "its name",
): Promise<void> {
    let found: HostObject[];
    try {
        found = (await Promise.all(objects.map((o) => inspectObject(o.kind, o.name)))).filter((o): o is HostObject & { id: string } => !!o);
    } catch (err) {
        throw new PreflightError(explainDockerError(err, `check the Docker host for stack ${stack.stackLabel}`).message);
    }
    const refusal = ownershipRefusal(found, stack, () => unlabelled);
    if (refusal !== undefined) throw new PreflightError(refusal);
}
