// Imperative Docker Engine API operations (dockerode) on node specs: ensure and remove networks,
// volumes and containers. Shared by the `engine` dynamic providers, the integration fixtures and the
// benchmark. Every function is idempotent and tolerates what already exists or is already gone.
import type Docker from "dockerode";
import { messageOf } from "../common/errorMessage";
import type { NetworkSpec } from "./dockerPlacement";
import type { HostObject, ObjectKind } from "./ownership";
import type { ContainerFile } from "../contracts/nodeFiles";
import type { ContainerCreateBody } from "./containerSpec";
import { DATA_DIR } from "../topology/topology";
import { DATA_OWNER_CAPABILITIES, DATA_OWNER_COMMAND, NODE_FILE_MODE, NODE_GID, NODE_UID } from "../topology/nodeUser";

export function dockerClient(): Docker {
    // Required lazily: dynamic providers serialize the functions that call this.
    const DockerCtor = require("dockerode") as typeof Docker;
    return new DockerCtor(process.env.DOCKER_HOST ? undefined : { socketPath: "/var/run/docker.sock" });
}

/** The engine's unix socket; undefined where DOCKER_HOST names another transport (dockerode handles those). */
function engineSocket(): string | undefined {
    const host = process.env.DOCKER_HOST;
    if (!host) return "/var/run/docker.sock";
    return host.startsWith("unix://") ? host.slice("unix://".length) : undefined;
}

/**
 * A GET on the Engine API with Node's own http client: loading dockerode (and the ssh client it brings)
 * takes about 0.5 s, which the checks every `up` and `preview` make should not pay. Errors look like
 * dockerode's (`statusCode`, `json`, `code`), so explainDockerError reads both. 404: undefined.
 */
async function engineGet<T>(path: string): Promise<T | undefined> {
    const socketPath = engineSocket()!;
    const http = require("http") as typeof import("http");
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.get({ socketPath, path, headers: { Host: "docker" } }, (response) => {
            let text = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => {
                text += chunk;
            });
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
            response.on("error", reject);
        });
        request.on("error", reject);
    });
    if (status === 404) return undefined;
    const json = (() => {
        try {
            return JSON.parse(body) as unknown;
        } catch {
            return { message: body };
        }
    })();
    if (status >= 300) throw Object.assign(new Error(`engine API ${path}: HTTP ${status}`), { statusCode: status, json });
    return json as T;
}

function statusOf(err: unknown): number | undefined {
    return (err as { statusCode?: number }).statusCode;
}

/** Turns "cannot reach the engine" into one clear error. */
export function explainDockerError(err: unknown, action: string): Error {
    const e = err as { code?: string; message?: string; json?: { message?: string } };
    if (e.code === "ENOENT" || e.code === "ECONNREFUSED" || e.code === "EACCES") {
        return new Error(
            `cannot ${action}: the Docker engine is not reachable (${e.code}); start Docker (npm run setup does) or set DOCKER_HOST`,
        );
    }
    const message = e.json?.message || messageOf(err);
    const port = /(?:Bind for |listen tcp4? )([\d.]+:\d+)/.exec(message)?.[1];
    if (port && /already allocated|address already in use/.test(message)) {
        return new Error(
            `cannot ${action}: ${port} is already in use on this host; stop what holds it or choose other ports with redis-stack:basePort / redis-stack:standalonePort`,
        );
    }
    return new Error(`cannot ${action}: ${message}`);
}

export async function ensureNetwork(docker: Docker, spec: NetworkSpec): Promise<string> {
    try {
        const existing = await docker.getNetwork(spec.name).inspect();
        return existing.Id;
    } catch (err) {
        if (statusOf(err) !== 404) throw explainDockerError(err, `inspect network ${spec.name}`);
    }
    try {
        const created = await docker.createNetwork({
            Name: spec.name,
            Driver: "bridge",
            CheckDuplicate: true,
            IPAM: { Driver: "default", Config: [{ Subnet: spec.subnet, Gateway: spec.gateway }] },
            Labels: { ...spec.labels },
        });
        return created.id;
    } catch (err) {
        throw explainDockerError(err, `create network ${spec.name} (${spec.subnet})`);
    }
}

export async function removeNetwork(docker: Docker, name: string): Promise<void> {
    try {
        await docker.getNetwork(name).remove();
    } catch (err) {
        if (statusOf(err) !== 404) throw explainDockerError(err, `remove network ${name}`);
    }
}

export async function ensureVolume(docker: Docker, name: string, labels: Record<string, string>): Promise<string> {
    try {
        // Creating a volume that exists returns it unchanged, so this is idempotent by itself.
        await docker.createVolume({ Name: name, Labels: labels });
        return name;
    } catch (err) {
        throw explainDockerError(err, `create volume ${name}`);
    }
}

export async function removeVolume(docker: Docker, name: string): Promise<void> {
    try {
        await docker.getVolume(name).remove({ force: true });
    } catch (err) {
        if (statusOf(err) !== 404) throw explainDockerError(err, `remove volume ${name}`);
    }
}

export interface ContainerState {
    readonly id: string;
    readonly running: boolean;
    readonly labels: Readonly<Record<string, string>>;
    /** Who its processes run as (Docker's `User`; empty: the image's, root for the images here). */
    readonly user?: string;
}

export async function inspectContainer(docker: Docker, name: string): Promise<ContainerState | undefined> {
    try {
        const info = await docker.getContainer(name).inspect();
        return { id: info.Id, running: info.State.Running, labels: info.Config.Labels ?? {}, user: info.Config.User ?? "" };
    } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw explainDockerError(err, `inspect container ${name}`);
    }
}

/** As inspectContainer, without loading dockerode where the engine is on a unix socket (the usual case). */
export async function inspectContainerQuickly(name: string): Promise<ContainerState | undefined> {
    if (!engineSocket()) return inspectContainer(dockerClient(), name);
    try {
        const info = await engineGet<{ Id: string; State: { Running: boolean }; Config: { Labels?: Record<string, string> | null } }>(
            `/containers/${encodeURIComponent(name)}/json`,
        );
        return info && { id: info.Id, running: info.State.Running, labels: info.Config.Labels ?? {} };
    } catch (err) {
        throw explainDockerError(err, `inspect container ${name}`);
    }
}

/** A container, volume or network by its exact name, with its id (a volume's is its name) and labels; undefined when there is none. */
export async function inspectObject(kind: ObjectKind, name: string): Promise<(HostObject & { readonly id: string }) | undefined> {
    type Inspected = {
        Id?: string;
        Name?: string;
        Labels?: Record<string, string> | null;
        Config?: { Labels?: Record<string, string> | null };
    };
    const path = { container: "/containers", volume: "/volumes", network: "/networks" }[kind] + `/${encodeURIComponent(name)}`;
    try {
        const info: Inspected | undefined = engineSocket()
            ? await engineGet<Inspected>(kind === "container" ? `${path}/json` : path)
            : await (
                  kind === "container"
                      ? dockerClient().getContainer(name).inspect()
                      : kind === "volume"
                        ? dockerClient().getVolume(name).inspect()
                        : dockerClient().getNetwork(name).inspect()
              ).catch((err: unknown) => {
                  if (statusOf(err) === 404) return undefined;
                  throw err;
              });
        // Docker also finds a container or network by a prefix of its id: only the exact name counts.
        if (!info || (info.Name ?? "").replace(/^\//, "") !== name) return undefined;
        return { kind, name, id: info.Id ?? name, labels: (kind === "container" ? info.Config?.Labels : info.Labels) ?? {} };
    } catch (err) {
        throw explainDockerError(err, `inspect ${kind} ${name}`);
    }
}

/** A container as the engine lists it. */
export interface ListedContainer {
    readonly id: string;
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    /** The host ports it publishes (`IP:PublicPort`), while it runs. */
    readonly published: readonly string[];
}

/** The containers carrying `label` (`key=value`), running or not; without dockerode where possible. */
export async function containersLabelled(label: string): Promise<ListedContainer[]> {
    type Listed = {
        Id: string;
        Names: string[];
        Labels?: Record<string, string> | null;
        Ports?: { IP?: string; PublicPort?: number }[] | null;
    };
    const listed: Listed[] = engineSocket()
        ? ((await engineGet<Listed[]>(`/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: [label] }))}`)) ?? [])
        : await dockerClient().listContainers({ all: true, filters: { label: [label] } });
    return listed.map((c) => ({
        id: c.Id,
        name: c.Names[0]?.replace(/^\//, "") ?? c.Id,
        labels: c.Labels ?? {},
        published: (c.Ports ?? []).filter((p) => p.PublicPort).map((p) => `${p.IP ?? "0.0.0.0"}:${p.PublicPort}`),
    }));
}

/** The image reference a container was created with (`Config.Image`); undefined when it is gone. */
export async function containerCreatedWithImage(id: string): Promise<string | undefined> {
    if (!engineSocket()) {
        const info = await dockerClient()
            .getContainer(id)
            .inspect()
            .catch((err: unknown) => {
                if (statusOf(err) === 404) return undefined;
                throw err;
            });
        return info?.Config.Image;
    }
    const info = await engineGet<{ Config: { Image: string } }>(`/containers/${encodeURIComponent(id)}/json`);
    return info?.Config.Image;
}

/** Who a container's files belong to: the numeric uid:gid it runs as, else the node's user (nodeUser.ts). */
export function fileOwnerOf(user: string | undefined): { uid: number; gid: number } {
    const match = /^(\d+):(\d+)$/.exec(user ?? "");
    return match ? { uid: Number(match[1]), gid: Number(match[2]) } : { uid: NODE_UID, gid: NODE_GID };
}

/** A tar archive of the files, paths relative to "/": `owner`'s (the node's user's), readable by it alone (nodeUser.ts). */
async function tarOf(files: readonly ContainerFile[], owner = fileOwnerOf(undefined)): Promise<Buffer> {
    const tar = require("tar-stream") as typeof import("tar-stream");
    const pack = tar.pack();
    for (const file of files) {
        pack.entry({ name: file.path.replace(/^\//, ""), mode: NODE_FILE_MODE, ...owner }, file.content);
    }
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
}

async function putArchive(
    docker: Docker,
    container: string,
    files: readonly ContainerFile[],
    owner = fileOwnerOf(undefined),
): Promise<void> {
    await docker.getContainer(container).putArchive(await tarOf(files, owner), { path: "/" });
}

/** Writes files into a container, created or running. */
export async function putFiles(docker: Docker, name: string, files: readonly ContainerFile[]): Promise<void> {
    try {
        await putArchive(docker, name, files);
    } catch (err) {
        throw explainDockerError(err, `write files into container ${name}`);
    }
}

/** The name of the short-lived container that hands a node's data volume to its user (dataOwnerBody). */
export const dataOwnerName = (node: string) => `${node}-data-owner`;

/** What a data owner needs to know of its node: its container's name, image and labels, and its data volume. */
export interface DataOwnerTarget {
    readonly node: string;
    readonly image: string;
    readonly volume: string;
    readonly labels: Readonly<Record<string, string>>;
}

/** The data owner's target for a container about to be created: none for one that runs as root or has no data volume. */
export function dataOwnerTarget(body: ContainerCreateBody): DataOwnerTarget | undefined {
    const data = body.HostConfig.Mounts.find((m) => m.Target === DATA_DIR);
    if (!body.User || !data) return undefined;
    return { node: body.name, image: body.Image, volume: data.Source, labels: body.Labels };
}

/**
 * What hands a node's data volume to the user its container runs as, before a new container first starts on
 * it: the node's image, as root with CHOWN and DAC_READ_SEARCH only, no network, the node's labels.
 */
export function dataOwnerBody(target: DataOwnerTarget) {
    return {
        name: dataOwnerName(target.node),
        Image: target.image,
        User: "0:0",
        Entrypoint: [DATA_OWNER_COMMAND[0]],
        Cmd: DATA_OWNER_COMMAND.slice(1),
        Labels: { ...target.labels },
        HostConfig: {
            NetworkMode: "none",
            Mounts: [{ Type: "volume" as const, Source: target.volume, Target: DATA_DIR }],
            CapDrop: ["ALL"],
            CapAdd: [...DATA_OWNER_CAPABILITIES],
            SecurityOpt: ["no-new-privileges"],
        },
    };
}

/**
 * Runs dataOwnerBody to its end and removes it. One left by an interrupted run (with the node's labels, so
 * the stack's) is removed first, another's refused; a failure names the volume and what chown said.
 */
export async function handDataToNodeUser(docker: Docker, target: DataOwnerTarget): Promise<void> {
    const owner = dataOwnerBody(target);
    const leftover = await inspectContainer(docker, owner.name);
    if (leftover) {
        const same = Object.entries(owner.Labels).every(([key, value]) => leftover.labels[key] === value);
        if (!same)
            throw new Error(
                `container ${owner.name} exists and is not this stack's (its labels differ): remove it, or use another stack name`,
            );
        await removeContainer(docker, owner.name);
    }
    const container = await docker.createContainer(owner);
    try {
        await container.start();
        const { StatusCode } = (await container.wait()) as { StatusCode: number };
        if (StatusCode !== 0) {
            const said = (await container.logs({ stdout: true, stderr: true })).toString("utf8").trim();
            throw new Error(
                `handing volume ${target.volume} to the node's user (${DATA_OWNER_COMMAND.join(" ")} in image ${target.image}) exited ${StatusCode}: ${said} (the image needs chown)`,
            );
        }
    } finally {
        await container.remove({ force: true }).catch(() => undefined);
    }
}

/**
 * Creates and starts the container, putting `files` into it before it first starts; an existing one
 * with that name is started and kept (it has its files already). A new container that runs as the node's
 * user finds its data volume handed to that user, unless `dataOwned` says it is already (the container it
 * replaces ran as that user).
 */
export async function ensureContainer(
    docker: Docker,
    body: ContainerCreateBody,
    files: readonly ContainerFile[] = [],
    dataOwned = false,
): Promise<string> {
    const existing = await inspectContainer(docker, body.name);
    let id = existing?.id;
    if (!id) {
        try {
            const target = dataOwnerTarget(body);
            if (target && !dataOwned) await handDataToNodeUser(docker, target);
            id = (await docker.createContainer(body)).id;
            if (files.length > 0) await putArchive(docker, id, files, fileOwnerOf(body.User));
        } catch (err) {
            if (id)
                await docker
                    .getContainer(id)
                    .remove({ force: true })
                    .catch(() => undefined);
            throw explainDockerError(err, `create container ${body.name}`);
        }
    }
    if (!existing?.running) {
        try {
            await docker.getContainer(id).start();
        } catch (err) {
            const started = explainDockerError(err, `start container ${body.name}`);
            // A container that cannot start (port taken, say) is removed, so no half-made node is left.
            await docker
                .getContainer(id)
                .remove({ force: true })
                .catch(() => undefined);
            throw started;
        }
    }
    return id;
}

/** Stops the container with SIGTERM so Redis shuts down cleanly (AOF flushed), waiting up to `graceSeconds`. */
export async function stopContainer(docker: Docker, name: string, graceSeconds: number): Promise<void> {
    try {
        await docker.getContainer(name).stop({ t: graceSeconds });
    } catch (err) {
        // 304: already stopped; 404: already gone.
        if (statusOf(err) !== 304 && statusOf(err) !== 404) throw explainDockerError(err, `stop container ${name}`);
    }
}

export async function removeContainer(docker: Docker, name: string): Promise<void> {
    try {
        await docker.getContainer(name).remove({ force: true });
    } catch (err) {
        if (statusOf(err) !== 404) throw explainDockerError(err, `remove container ${name}`);
    }
}

/** Pulls the image when the engine does not have it; a locally built image is used as is. */
export async function ensureImage(docker: Docker, image: string, setting = "image"): Promise<void> {
    try {
        await docker.getImage(image).inspect();
        return;
    } catch (err) {
        if (statusOf(err) !== 404) throw explainDockerError(err, `inspect image ${image}`);
    }
    try {
        const stream = await docker.pull(image);
        await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve())));
    } catch (err) {
        throw explainDockerError(err, `pull image ${image} (build it locally with npm run setup, or set redis-stack:${setting})`);
    }
}
