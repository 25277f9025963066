// A stack of this project driven the way a user drives it: through the project's scripts (npm run up /
// down, i.e. scripts/up.sh and down.sh with STACK=<name>) on a temporary file backend, plus what the
// end-to-end tests check afterwards: the Docker objects carrying the stack's label and the state.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Dockerode from "dockerode";
import { Stack } from "@pulumi/pulumi/automation";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { PROJECT_DIR, openEngineStack } from "./automation";
import { TEST_IMAGE } from "./fixture";

export const PASSPHRASE = "e2e-passphrase";

export interface ScriptStackSettings {
    readonly basePort: number;
    readonly standalonePort: number;
    readonly subnet: string;
    readonly password: string;
}

export interface StackObjects {
    readonly containers: string[];
    readonly volumes: string[];
    readonly networks: string[];
}

export class ScriptStack {
    readonly backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-scripts-"));
    /** `redis-stack.stack` label value of everything the stack creates. */
    readonly prefix: string;
    private stack?: Stack;

    constructor(
        readonly name: string,
        readonly settings: ScriptStackSettings,
    ) {
        this.prefix = `redis-stack-${name}`;
    }

    /** Environment for the scripts and the Pulumi CLI: this stack, on this backend. */
    get env(): NodeJS.ProcessEnv {
        return { ...process.env, STACK: this.name, PULUMI_BACKEND_URL: `file://${this.backendDir}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE };
    }

    /** Creates the stack with its config (engine runtime, the test image, its own ports and subnet); nothing runs yet. */
    async init(): Promise<void> {
        this.stack = await openEngineStack(this.name, this.backendDir, PASSPHRASE);
        await this.stack.setAllConfig({
            "redis-stack:runtime": { value: "engine" },
            "redis-stack:image": { value: TEST_IMAGE },
            "redis-stack:basePort": { value: String(this.settings.basePort) },
            "redis-stack:standalonePort": { value: String(this.settings.standalonePort) },
            "redis-stack:subnet": { value: this.settings.subnet },
            "redis-stack:password": { value: this.settings.password, secret: true },
        });
    }

    /** Runs `bash scripts/<name>.sh` (the npm scripts' bodies) for this stack; resolves with its output, rejects with it. */
    runScript(script: "up" | "down"): Promise<string> {
        return new Promise((resolve, reject) => {
            execFile(
                "bash",
                [path.join(PROJECT_DIR, "scripts", `${script}.sh`)],
                { cwd: PROJECT_DIR, env: this.env, maxBuffer: 64 << 20 },
                (err, stdout, stderr) => {
                    const output = `${stdout}\n${stderr}`;
                    if (err) reject(new Error(`npm run ${script} (STACK=${this.name}) failed: ${err.message}\n${output.slice(-4000)}`));
                    else resolve(output);
                },
            );
        });
    }

    /** `pulumi stack output --json`. */
    outputs(): Promise<Record<string, unknown>> {
        return new Promise((resolve, reject) => {
            execFile("pulumi", ["stack", "output", "--json", "--stack", this.name], { cwd: PROJECT_DIR, env: this.env }, (err, stdout) =>
                err ? reject(new Error(`pulumi stack output: ${err.message}`)) : resolve(JSON.parse(stdout)),
            );
        });
    }

    /** Containers, volumes and networks carrying the stack's label. */
    async objects(): Promise<StackObjects> {
        const docker = new Dockerode();
        const filters = { label: [`${STACK_LABEL}=${this.prefix}`] };
        const [containers, volumes, networks] = await Promise.all([
            docker.listContainers({ all: true, filters }),
            docker.listVolumes({ filters }),
            docker.listNetworks({ filters }),
        ]);
        return {
            containers: containers.map((c) => c.Names[0].replace(/^\//, "")).sort(),
            volumes: (volumes.Volumes ?? []).map((v) => v.Name).sort(),
            networks: networks.map((n) => n.Name).sort(),
        };
    }

    /** The checkpoint as the file backend holds it (no secrets in plaintext there). */
    checkpoint(): { resources: Array<{ type: string; urn: string }>; pendingOperations: Array<{ type: string }> } {
        const file = path.join(this.backendDir, ".pulumi", "stacks", "redis-stack", `${this.name}.json`);
        const latest = JSON.parse(fs.readFileSync(file, "utf8")).checkpoint.latest ?? {};
        return { resources: latest.resources ?? [], pendingOperations: latest.pending_operations ?? [] };
    }

    /** Lock files of the stack in the backend. */
    locks(): string[] {
        const dir = path.join(this.backendDir, ".pulumi", "locks", "organization", "redis-stack", this.name);
        return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
    }

    /** Destroys and removes the stack, then whatever a failed run left behind with its label. */
    async remove(): Promise<void> {
        if (this.stack) {
            await this.stack.cancel().catch(() => undefined);
            await this.stack.destroy().catch(() => undefined);
            await this.stack.workspace.removeStack(this.name, { force: true }).catch(() => undefined);
        }
        const docker = new Dockerode();
        const left = await this.objects();
        await Promise.all(
            left.containers.map((c) =>
                docker
                    .getContainer(c)
                    .remove({ force: true })
                    .catch(() => undefined),
            ),
        );
        await Promise.all(
            left.volumes.map((v) =>
                docker
                    .getVolume(v)
                    .remove({ force: true })
                    .catch(() => undefined),
            ),
        );
        await Promise.all(
            left.networks.map((n) =>
                docker
                    .getNetwork(n)
                    .remove()
                    .catch(() => undefined),
            ),
        );
        fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${this.name}.yaml`), { force: true });
        fs.rmSync(this.backendDir, { recursive: true, force: true });
    }
}
