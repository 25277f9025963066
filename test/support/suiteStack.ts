// One stack of this project per e2e suite, on a fresh local file backend: the hooks every such suite
// needs, registered in the calling `describe`, so each suite only says what it configures. The
// runtime-specific fixtures (engineStack.ts, kubernetesStack.ts) add what their runtime needs.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_DIR, openEngineStack } from "./automation";

const PASSPHRASE = "e2e-passphrase";

export interface SuiteStack {
    /** The stack's name: the suite's tag and the time, so runs never share one. */
    readonly name: string;
    /** The stack, once the suite's first `before` hook ran. */
    readonly stack: Stack;
    /** Everything the CLI printed to `log` so far, for tests that look for a secret in it. */
    readonly cliOutput: string;
    /** The `onOutput` of `up`, `preview`, `destroy`: kept in `cliOutput`, printed with E2E_VERBOSE. */
    readonly log: (line: string) => void;
    /** The local file backend's directory (removed after the suite). */
    readonly backendDir: string;
    /** What the Pulumi CLI (or a script that runs it) needs to find this stack: its backend and passphrase. */
    readonly cliEnv: Record<string, string>;
    /** The Pulumi CLI on this stack's backend, as a user runs it; its standard output. */
    readonly cli: (...args: string[]) => string;
    /** `pulumi stack export` run by the CLI (the Automation API's exportStack shows secrets). */
    readonly cliExport: () => string;
}

export interface SuiteStackOptions {
    readonly name: string;
    /** Environment of the Pulumi CLI besides the backend's. */
    readonly env?: Record<string, string>;
    /** The suite's configuration, computed when its `before` hook runs. */
    readonly config: () => ConfigMap;
    /** Runs first in `before` (starting what the stack needs). */
    readonly prepare?: () => Promise<void>;
    /** Runs first in `after`: removes what the suite made next to the stack's objects. */
    readonly beforeDestroy?: () => void;
    /** Runs last in `after`: removes whatever a failed run left of the stack's objects. */
    readonly cleanup: () => void;
}

/** Runs `run`, printing how long it took under the test's name (the suites' figures in docs/BENCHMARKS.md). */
export async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
        return await run();
    } finally {
        console.log(`      ${what} took ${Date.now() - started} ms`);
    }
}

/**
 * Registers, in the calling `describe`: before: `prepare`, then the stack on a fresh local backend with
 * `config`; after: `beforeDestroy`, destroy, the stack and its files removed, then `cleanup`. The result carries `extra` too.
 */
export function suiteStack<Extra extends object>(options: SuiteStackOptions, extra: Extra): SuiteStack & Extra {
    const { name } = options;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), `redis-stack-${name}-`));
    const env = { ...(options.env ?? {}) };
    let stack: Stack | undefined;
    let cliOutput = "";
    const log = (line: string) => {
        cliOutput += line;
        if (process.env.E2E_VERBOSE) process.stdout.write(line);
    };

    const cliEnv = { ...env, PULUMI_BACKEND_URL: `file://${backendDir}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE };
    const cli = (...args: string[]) =>
        execFileSync("pulumi", args, {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
            env: { ...process.env, ...cliEnv },
        });

    before(async function () {
        await options.prepare?.();
        stack = await openEngineStack(name, backendDir, PASSPHRASE, env);
        await stack.setAllConfig(options.config());
    });

    after(async function () {
        options.beforeDestroy?.();
        if (stack) {
            await stack.destroy({ onOutput: log }).catch(() => undefined);
            await stack.workspace.removeStack(name, { force: true }).catch(() => undefined);
        }
        fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${name}.yaml`), { force: true });
        fs.rmSync(backendDir, { recursive: true, force: true });
        options.cleanup();
    });

    const opened: SuiteStack = {
        name,
        get stack(): Stack {
            if (!stack) throw new Error(`stack ${name} is not open yet (its before hook has not run)`);
            return stack;
        },
        get cliOutput() {
            return cliOutput;
        },
        log,
        backendDir,
        cliEnv,
        cli,
        cliExport: () => cli("stack", "export", "--stack", name),
    };
    // Assigned onto it, so that its getters stay getters.
    return Object.assign(opened, extra);
}
