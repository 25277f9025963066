// Reads a file out of a container through the Engine API's archive endpoint (`docker cp`): the local
// Redis image has no `cat` to exec, the exporter's image no shell at all.
import type Docker from "dockerode";
import { extract } from "tar-stream";

export interface ContainerFileEntry {
    readonly content: string;
    /** Permission bits and owner as the container has them. */
    readonly mode: number;
    readonly uid: number;
    readonly gid: number;
}

export async function containerFileEntry(docker: Docker, container: string, path: string): Promise<ContainerFileEntry> {
    const archive = await docker.getContainer(container).getArchive({ path });
    const unpack = extract();
    const chunks: Buffer[] = [];
    let header: { mode?: number; uid?: number; gid?: number } = {};
    const done = new Promise<void>((resolve, reject) => {
        unpack.on("entry", (entryHeader, stream, next) => {
            header = entryHeader;
            stream.on("data", (c: unknown) => chunks.push(c as Buffer));
            stream.on("end", next);
            stream.resume();
        });
        unpack.on("finish", resolve);
        unpack.on("error", reject);
    });
    archive.pipe(unpack);
    await done;
    return {
        content: Buffer.concat(chunks).toString("utf8"),
        mode: (header.mode ?? 0) & 0o7777,
        uid: header.uid ?? -1,
        gid: header.gid ?? -1,
    };
}

export async function readContainerFile(docker: Docker, container: string, path: string): Promise<string> {
    return (await containerFileEntry(docker, container, path)).content;
}
