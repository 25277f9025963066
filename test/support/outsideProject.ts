// A user's Pulumi project outside this repository, as the component package's e2e tests run one: a
// temporary directory with the project's files, its stack on a fresh local file backend through the
// Automation API, and what its RedisStacks leave on the Docker host, found by their stack label.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigMap, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { PROJECT_DIR } from "./automation";
import { docker, labelled } from "./dockerCli";

export interface OutsideProject {
    /** The project's directory (under the system's temporary directory). */
    readonly dir: string;
    readonly stack: Stack;
    /** The Docker objects (containers, volumes, networks: `ps <name>`, `volume <name>`, ...) of the RedisStack named `component`. */
    readonly dockerObjects: (component: string) => string[];
    /** Removes the stack, its backend, the directory, and whatever a failed run left on the Docker host. */
    readonly remove: () => Promise<void>;
}

/** A new temporary directory for a project named after `tag`. */
export function projectDir(tag: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `redis-stack-${tag}-`));
}

/**
 * Opens stack `stackName` of the project in `dir` (its Pulumi.yaml written already) on a fresh file backend,
 * with `config`. Its RedisStacks' Docker objects carry `redis-stack.stack=<project>-<stack>-<component>`.
 */
export async function openOutsideProject(dir: string, project: string, stackName: string, config: ConfigMap): Promise<OutsideProject> {
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), `redis-stack-${project}-state-`));
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir: dir },
        {
            envVars: {
                PULUMI_BACKEND_URL: `file://${backendDir}`,
                PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
                PULUMI_SKIP_UPDATE_CHECK: "true",
                // The package's dependencies declare resource plugins (docker, kubernetes) that the engine
                // runtime never uses and that cannot be downloaded here; do not let the CLI try.
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            },
        },
    );
    await stack.setAllConfig(config);
    const label = (component: string) => `${STACK_LABEL}=${project}-${stackName}-${component}`;
    const dockerObjects = (component: string) =>
        (["ps", "volume", "network"] as const).flatMap((kind) => labelled(kind, label(component)).map((name) => `${kind} ${name}`));
    const remove = async () => {
        await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
        fs.rmSync(backendDir, { recursive: true, force: true });
        fs.rmSync(dir, { recursive: true, force: true });
    };
    return { dir, stack, dockerObjects, remove };
}

/** Removes the Docker objects a failed run of `project`'s stack left for `components` (nothing else on the host). */
export function removeLeftovers(project: OutsideProject, components: readonly string[]): void {
    for (const component of components) {
        for (const object of project.dockerObjects(component)) {
            const [kind, name] = object.split(" ");
            if (kind === "ps") docker("rm", "-f", "-v", name);
            else docker(kind, "rm", ...(kind === "volume" ? ["-f"] : []), name);
        }
    }
}

/** The version of `dependency` this package pins (package.json), so a consumer installs the same. */
export function pinnedVersion(dependency: string): string {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    return pkg.dependencies[dependency];
}

/** `npm pack` of this checkout into `destination`: the tarball's path (prepack compiles the library). */
export function packPackage(destination: string): string {
    const out = execFileSync("npm", ["pack", "--pack-destination", destination, "--silent"], { cwd: PROJECT_DIR, encoding: "utf8" });
    return path.join(destination, out.trim().split("\n").pop()!);
}
