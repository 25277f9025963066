// Imperative Docker Engine API operations on a running container that change it without a restart
// (limits), and what a container that would not start printed. Used by the `engine` container provider.
import { PassThrough } from "stream";
import type Docker from "dockerode";
import { NodeLimits, dockerLimitFields } from "../settings/nodeLimits";
import { explainDockerError } from "./dockerEngine";

/** New memory and CPU limits on the running container (POST /containers/{id}/update): same container, no restart. */
export async function updateLimits(docker: Docker, name: string, limits: NodeLimits): Promise<void> {
    try {
        await docker.getContainer(name).update(dockerLimitFields(limits));
    } catch (err) {
        throw explainDockerError(err, `change the memory/CPU limits of container ${name}`);
    }
}

/** The last lines the container printed (stdout and stderr, in the order printed), as text; "" when there are none. */
export async function recentLogs(docker: Docker, name: string, lines: number): Promise<string> {
    try {
        const raw = await docker.getContainer(name).logs({ stdout: true, stderr: true, tail: lines, follow: false });
        // A container without a TTY sends its output in frames, each behind an 8-byte header whose length bytes
        // may be printable: docker-modem takes the headers off (and passes a TTY's plain text through).
        const source = new PassThrough();
        const text = new PassThrough();
        const chunks: Buffer[] = [];
        text.on("data", (chunk: Buffer) => chunks.push(chunk));
        const read = new Promise((resolve) => source.on("end", resolve));
        const written = new Promise((resolve) => text.on("end", resolve));
        docker.modem.demuxStream(source, text, text);
        source.end(raw);
        await read;
        text.end();
        await written;
        return Buffer.concat(chunks).toString("utf8").trim();
    } catch {
        return "";
    }
}

/**
 * Whether the container has been running since it was created: a redis-server that exits at start (a
 * config file it refuses) makes it stop, or restart under its restart policy.
 */
export async function runsSteadily(docker: Docker, name: string): Promise<boolean> {
    const info = await docker.getContainer(name).inspect();
    return info.State.Running && !info.State.Restarting && info.RestartCount === 0;
}
