// Reads a file out of a container through the Engine API's archive endpoint (`docker cp`): the local
// Redis image has no `cat` to exec.
import type Docker from "dockerode";
import { extract } from "tar-stream";

export async function readContainerFile(docker: Docker, container: string, path: string): Promise<string> {
    const archive = await docker.getContainer(container).getArchive({ path });
    const unpack = extract();
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) => {
        unpack.on("entry", (_header, stream, next) => {
            stream.on("data", (c: unknown) => chunks.push(c as Buffer));
            stream.on("end", next);
            stream.resume();
        });
        unpack.on("finish", resolve);
        unpack.on("error", reject);
    });
    archive.pipe(unpack);
    await done;
    return Buffer.concat(chunks).toString("utf8");
}
