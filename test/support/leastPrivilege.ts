// What a node's container runs as and what its files are, read from outside it: the server's process status in
// /proc on the Docker host (the container's PID 1, redis-server), and files as `docker cp` archives them (owner,
// group and mode as the container's filesystem holds them).
import { execFileSync } from "child_process";
import * as fs from "fs";
import { docker } from "./dockerCli";

export interface ProcessPrivileges {
    /** Real, effective, saved and filesystem uids (the `Uid:` line). */
    readonly uids: string[];
    readonly gids: string[];
    /** Effective capabilities, as hex. */
    readonly capEff: string;
    readonly noNewPrivs: string;
}

/** The privileges of a running container's main process (on the Docker host: tests run as root beside the engine). */
export function serverPrivileges(container: string): ProcessPrivileges {
    const pid = docker("inspect", "-f", "{{.State.Pid}}", container);
    const status = procStatusFields(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    const field = (name: string) => status[name] ?? "";
    return {
        uids: field("Uid").split(/\s+/),
        gids: field("Gid").split(/\s+/),
        capEff: field("CapEff"),
        noNewPrivs: field("NoNewPrivs"),
    };
}

/** The `Name:<tab>value` lines of a /proc/<pid>/status text (or some of them), by name; values trimmed, inner tabs kept. */
export function procStatusFields(text: string): Record<string, string> {
    return Object.fromEntries(
        text
            .split("\n")
            .filter((line) => line.includes(":"))
            .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
    );
}

/** `mode uid/gid path` of every entry under `path` in the container (a file: itself), as `docker cp` archives them. */
export function archivedOwnership(container: string, path: string): string[] {
    const archive = execFileSync("docker", ["cp", `${container}:${path}`, "-"], { maxBuffer: 1 << 30 });
    return execFileSync("tar", ["-tv", "--numeric-owner", "-f", "-"], { input: archive, encoding: "utf8" })
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => {
            const [mode, owner, , , , ...name] = line.split(/\s+/);
            return `${mode} ${owner} ${name.join(" ")}`;
        });
}
