// Which kubeconfig the kubernetes runtime uses, and a clear refusal before anything is declared when
// there is none: `redis-stack:kubeconfig`, else KUBECONFIG (a path list), else ~/.kube/config.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The kubeconfig files that would be read, in order (pure). */
export function kubeconfigCandidates(setting: string, env: string | undefined, home: string): { files: string[]; source: string } {
    if (setting !== "") return { files: [setting], source: "redis-stack:kubeconfig" };
    if (env !== undefined && env !== "") return { files: env.split(path.delimiter).filter((f) => f !== ""), source: "KUBECONFIG" };
    return { files: [path.join(home, ".kube", "config")], source: "the default location" };
}

/** Why no kubeconfig can be read, naming every file tried, or undefined when one exists (pure but for `exists`). */
export function kubeconfigProblem(
    setting: string,
    env: string | undefined,
    home: string,
    exists: (file: string) => boolean,
): string | undefined {
    const { files, source } = kubeconfigCandidates(setting, env, home);
    if (files.some(exists)) return undefined;
    return (
        `no kubeconfig for runtime kubernetes; nothing was created or changed. Tried ${files.join(", ")} (from ${source}). ` +
        "Set redis-stack:kubeconfig to a kubeconfig file, or KUBECONFIG."
    );
}

/** The check the program makes: this machine's environment and files. */
export function checkKubeconfig(setting: string): string | undefined {
    return kubeconfigProblem(setting, process.env.KUBECONFIG, os.homedir(), (file) => fs.existsSync(file));
}
