// The image's filesystem unpacked on the host, so its redis binaries (redis-server, redis-cli,
// redis-benchmark) run as plain host processes: the same binaries the containers run.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface ImageBinaries {
    readonly root: string;
    /** The command line that runs `bin` from the image: [program, args]. */
    run(bin: string): [string, string[]];
    dispose(): void;
}

export function extractImage(image: string): ImageBinaries {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-bare-"));
    const id = execFileSync("docker", ["create", image, "redis-server"], { encoding: "utf8" }).trim();
    try {
        execFileSync("sh", ["-c", `docker export ${id} | tar -x -C ${root}`]);
    } finally {
        execFileSync("docker", ["rm", "-v", id]); // -v: the image declares VOLUME /data
    }
    const libs = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib", "usr/lib"].map((d) => path.join(root, d)).join(":");
    const loader = path.join(root, "lib64/ld-linux-x86-64.so.2");
    return {
        root,
        run: (bin) => [loader, ["--library-path", libs, path.join(root, "usr/local/bin", bin)]],
        dispose: () => fs.rmSync(root, { recursive: true, force: true }),
    };
}
