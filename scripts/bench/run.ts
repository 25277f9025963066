// Runs a command to completion as a person would at a shell, and times it.
import { spawn } from "child_process";

export interface RunResult {
    readonly ms: number;
    readonly stdout: string;
}

export interface RunOptions {
    readonly cwd?: string;
    /** Added to this process's environment. */
    readonly env?: Record<string, string>;
}

export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (c: Buffer) => out.push(c));
        child.stderr.on("data", (c: Buffer) => err.push(c));
        child.on("error", reject);
        child.on("close", (code) => {
            const stdout = Buffer.concat(out).toString("utf8");
            if (code === 0) return resolve({ ms: Date.now() - started, stdout });
            const tail = (stdout + Buffer.concat(err).toString("utf8")).split("\n").slice(-30).join("\n");
            reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}:\n${tail}`));
        });
    });
}
