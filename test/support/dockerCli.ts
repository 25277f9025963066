// The docker CLI as the end-to-end tests use it: what a user would type to look at the host.
import { execFileSync } from "child_process";

/** Runs `docker <args>` and returns its trimmed output. */
export function docker(...args: string[]): string {
    return execFileSync("docker", args, { encoding: "utf8" }).trim();
}

/** Names of this host's containers (`ps`, stopped ones too), networks or volumes that carry a label. */
export function labelled(kind: "ps" | "network" | "volume", label: string): string[] {
    const args =
        kind === "ps"
            ? ["ps", "-a", "--filter", `label=${label}`, "--format", "{{.Names}}"]
            : [kind, "ls", "--filter", `label=${label}`, "--format", "{{.Name}}"];
    return docker(...args)
        .split("\n")
        .filter((l) => l !== "");
}
