// Before the project's `up` and `down`: recovers a stack from a run that was killed (a CI timeout, a
// closed laptop) so the next run completes with no manual step. It
//   - removes the stack's lock when the `pulumi` that took it is gone ON THIS HOST (never a lock of a
//     live process or of another host: those are reported and left alone),
//   - stops what the killed run left running: processes started under its run token (see runToken),
//     found by that token in their environment and stopped by PID, never by name,
//   - restores a checkpoint the killed run left empty or cut off (killed while the file backend wrote
//     it) from the newest copy the backend keeps that loads (and then refreshes: the copy can be a step behind),
//   - resolves pending operations against what really exists (resolveCreate): a volume or network a
//     killed create made is imported, a container it made is removed (the next `up` creates it again
//     on its volume), and `pulumi refresh` reads every recorded resource back from Docker, which
//     settles pending updates and deletes.
// Usage: ts-node scripts/lib/recover.ts <stack>   (PULUMI_BACKEND_URL etc. from scripts/env.sh)
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { dockerClient, inspectObject, removeContainer } from "../../components/runtime/dockerEngine";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { type ObjectKind, type StackOwnerId, mayTouch } from "../../components/runtime/ownership";

/** What the file backend writes into `.pulumi/locks/organization/<project>/<stack>/<uuid>.json`. */
export interface LockRecord {
    readonly file: string;
    readonly pid: number;
    readonly username: string;
    readonly hostname: string;
    readonly timestamp: string;
}

export type LockVerdict = { readonly remove: true; readonly reason: string } | { readonly remove: false; readonly reason: string };

/** Pure: whether a lock may go. Only a lock taken on this host by a process that no longer exists. */
export function lockVerdict(lock: LockRecord, thisHost: string, processGone: (pid: number, since: Date) => boolean): LockVerdict {
    const who = `pulumi (pid ${lock.pid}, ${lock.username}@${lock.hostname}, since ${lock.timestamp})`;
    if (lock.hostname !== thisHost)
        return { remove: false, reason: `${who} holds it on another host; wait for it, or run \`pulumi cancel\` there` };
    if (!processGone(lock.pid, new Date(lock.timestamp)))
        return { remove: false, reason: `${who} is still running; wait for it to finish` };
    return { remove: true, reason: `${who} is gone` };
}

/** Clock ticks per second for /proc/<pid>/stat start times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** When a process started, from /proc; undefined when it does not exist (or /proc is not there). */
function processStart(pid: number): Date | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // Fields after the command (which may hold spaces) in parentheses; starttime is field 22.
        const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
        const bootSeconds = Number(/^btime (\d+)$/m.exec(fs.readFileSync("/proc/stat", "utf8"))![1]);
        return new Date((bootSeconds + startTicks / USER_HZ) * 1000);
    } catch {
        return undefined;
    }
}

/** Whether the process is a zombie: it has exited and waits only for its parent to collect its status. */
function isZombie(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
    } catch {
        return false;
    }
}

/**
 * Whether the process that was `pid` at `since` is gone: no such PID, a zombie (exited, not yet
 * collected), or the PID now belongs to a process started later.
 */
export function processGone(pid: number, since: Date): boolean {
    try {
        process.kill(pid, 0);
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "ESRCH";
    }
    if (isZombie(pid)) return true;
    const started = processStart(pid);
    // A PID reused by a process that started after the lock was taken (2 s of slack for clock rounding).
    return started !== undefined && started.getTime() > since.getTime() + 2000;
}

export function backendDirOf(backendUrl: string | undefined): string | undefined {
    if (!backendUrl?.startsWith("file://")) return undefined;
    return backendUrl.slice("file://".length).replace(/^~(?=\/)/, os.homedir());
}

export function readLocks(backendDir: string, project: string, stack: string): LockRecord[] {
    const dir = path.join(backendDir, ".pulumi", "locks", "organization", project, stack);
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => {
            const file = path.join(dir, f);
            return { file, ...JSON.parse(fs.readFileSync(file, "utf8")) } as LockRecord;
        });
}

export interface PendingOperation {
    /** creating, updating, deleting, reading, ... */
    readonly type: string;
    readonly urn: string;
    /** The resource's type token, e.g. pulumi-nodejs:dynamic/redis-stack:EngineContainer. */
    readonly resourceType: string;
    readonly inputs: Record<string, unknown>;
}

/** What to do about a pending create, by the Docker object it was making. */
export type CreateResolution =
    | { readonly kind: "import"; readonly id: string }
    | { readonly kind: "remove-container"; readonly name: string }
    | { readonly kind: "clear" };

/** The Docker object a pending create of one of the engine runtime's resources was making, if any, and whose stack it was for. */
export function createdObject(op: PendingOperation): { kind: ObjectKind; name: string; stack: StackOwnerId } | undefined {
    const type = op.resourceType.split(":").pop();
    type Labels = Record<string, string>;
    const inputs = op.inputs as {
        body?: { name?: string; Labels?: Labels };
        name?: string;
        labels?: Labels;
        spec?: { name?: string; labels?: Labels };
        owner?: StackOwnerId;
    };
    // State written before owner ids: the stack's label alone.
    const stack = (labels: Labels | undefined): StackOwnerId =>
        inputs.owner ?? { stackLabel: labels?.[STACK_LABEL] ?? "", ownerId: undefined };
    if (type === "EngineContainer" && inputs.body?.name)
        return { kind: "container", name: inputs.body.name, stack: stack(inputs.body.Labels) };
    if (type === "EngineVolume" && inputs.name) return { kind: "volume", name: inputs.name, stack: stack(inputs.labels) };
    if (type === "EngineNetwork" && inputs.spec?.name) return { kind: "network", name: inputs.spec.name, stack: stack(inputs.spec.labels) };
    return undefined;
}

/**
 * Pure: a pending create is resolved against what exists. A volume or network that exists is imported
 * (the state then owns it: `down` deletes it, `up` keeps it and its data). A container that exists is
 * removed: the killed run never recorded it, its data is on its volume, and the next `up` creates it
 * again (the provider's create would adopt a same-named container as it is, and one the kill cut off
 * between its create and its files would then start without them). Anything else is cleared, and so is an
 * object that is not the stack's (components/runtime/ownership.ts): the killed run made it only if it carries
 * the stack's owner id (or, for a run of a release before owner ids, the stack's label alone).
 */
export function resolveCreate(
    op: PendingOperation,
    existing: { id: string; labels: Record<string, string> } | undefined,
): CreateResolution {
    const object = createdObject(op);
    if (!object || existing === undefined) return { kind: "clear" };
    if (!mayTouch(existing.labels, object.stack, object.stack.ownerId === undefined ? "its name" : "no")) return { kind: "clear" };
    if (object.kind === "container") return { kind: "remove-container", name: object.name };
    return { kind: "import", id: object.kind === "volume" ? object.name : existing.id };
}

/** The stack's checkpoint file in the file backend: plain or gzipped, whichever exists; undefined when there is none. */
export function checkpointFile(backendDir: string, project: string, stack: string): string | undefined {
    const base = path.join(backendDir, ".pulumi", "stacks", project, `${stack}.json`);
    return [base, `${base}.gz`].find((file) => fs.existsSync(file));
}

/** A checkpoint file's JSON text, gunzipped where its name says so; undefined when it cannot be read as such. */
function checkpointText(file: string): string | undefined {
    try {
        const bytes = fs.readFileSync(file);
        return file.endsWith(".gz") ? zlib.gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
    } catch {
        return undefined;
    }
}

/** Pure: whether a checkpoint's text is one Pulumi can load (a JSON object; empty or cut-off text is not). */
export function checkpointIntact(text: string | undefined): boolean {
    if (text === undefined || text.trim() === "") return false;
    try {
        const parsed = JSON.parse(text) as unknown;
        return typeof parsed === "object" && parsed !== null;
    } catch {
        return false;
    }
}

/**
 * The copies of a checkpoint the file backend keeps, newest first: `<file>.bak` (the checkpoint before
 * its last write) and the timestamped ones under `.pulumi/backups/<project>/<stack>/`.
 */
export function checkpointCopies(backendDir: string, project: string, stack: string, file: string): string[] {
    const dir = path.join(backendDir, ".pulumi", "backups", project, stack);
    const backups = fs.existsSync(dir)
        ? fs
              .readdirSync(dir)
              .filter((name) => /\.json(\.gz)?$/.test(name))
              .map((name) => path.join(dir, name))
              .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
        : [];
    return [`${file}.bak`, ...backups].filter((copy) => fs.existsSync(copy));
}

/**
 * A checkpoint left empty or cut off (a run killed while the file backend wrote it: Pulumi then fails
 * with `failed to load checkpoint: EOF`) is restored from the newest copy that loads, the copy's
 * metadata with it; the damaged file is kept next to it. Returns what it did, undefined when the
 * checkpoint is intact or absent; throws when no copy loads.
 */
export function restoreDamagedCheckpoint(backendDir: string, project: string, stack: string, now = new Date()): string | undefined {
    const file = checkpointFile(backendDir, project, stack);
    if (!file || checkpointIntact(checkpointText(file))) return undefined;
    const copy = checkpointCopies(backendDir, project, stack, file).find((c) => checkpointIntact(checkpointText(c)));
    if (!copy)
        throw new Error(
            `stack ${stack}: its checkpoint ${file} is empty or damaged and no copy of it loads; import a good one with \`pulumi stack import\` (copies: ${path.join(backendDir, ".pulumi", "backups", project, stack)})`,
        );
    const aside = `${file}.damaged-${now.toISOString().replace(/[:.]/g, "-")}`;
    fs.renameSync(file, aside);
    if (copy.endsWith(".gz") === file.endsWith(".gz")) fs.copyFileSync(copy, file);
    else fs.writeFileSync(file, file.endsWith(".gz") ? zlib.gzipSync(checkpointText(copy)!) : checkpointText(copy)!);
    // The blob store's metadata of the file (its content type and checksum), when the copy has its own.
    if (fs.existsSync(`${copy}.attrs`)) fs.copyFileSync(`${copy}.attrs`, `${file}.attrs`);
    else fs.rmSync(`${file}.attrs`, { force: true });
    return `its checkpoint ${path.basename(file)} was empty or damaged (a run killed while it was written); restored it from ${path.relative(backendDir, copy)}, kept the damaged one as ${path.basename(aside)}`;
}

/** The stack's pending operations, from the file backend's checkpoint (plain or gzipped); undefined when there is none. */
export function pendingOperations(backendDir: string, project: string, stack: string): PendingOperation[] | undefined {
    const file = checkpointFile(backendDir, project, stack);
    const text = file && checkpointText(file);
    if (text === undefined || text === "") return undefined;
    type Stored = { type: string; resource: { urn: string; type: string; inputs?: Record<string, unknown> } };
    const checkpoint = JSON.parse(text) as { checkpoint?: { latest?: { pending_operations?: Stored[] } } };
    return (checkpoint.checkpoint?.latest?.pending_operations ?? []).map((op) => ({
        type: op.type,
        urn: op.resource.urn,
        resourceType: op.resource.type,
        inputs: op.resource.inputs ?? {},
    }));
}

/**
 * The token a run of the project's scripts puts in the environment of `pulumi` (REDIS_STACK_RUN), so
 * its language host, program and provider processes carry it too: the processes of a killed run are
 * found by it. The token names the stack and the run's own PID.
 */
export const RUN_TOKEN_VAR = "REDIS_STACK_RUN";

export function runToken(stack: string, pid: number, started: Date): string {
    return `${stack}:${pid}:${started.getTime()}`;
}

function parseRunToken(token: string): { stack: string; pid: number; started: Date } | undefined {
    const m = /^(.+):(\d+):(\d+)$/.exec(token);
    return m ? { stack: m[1], pid: Number(m[2]), started: new Date(Number(m[3])) } : undefined;
}

/** Live processes (other than this one) whose environment carries a run token of `stack`, with the token. */
export function processesWithRunToken(stack: string): Array<{ pid: number; token: string }> {
    if (!fs.existsSync("/proc")) return [];
    const found: Array<{ pid: number; token: string }> = [];
    for (const entry of fs.readdirSync("/proc")) {
        const pid = Number(entry);
        if (!Number.isInteger(pid) || pid === process.pid) continue;
        let environ: string;
        try {
            environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
        } catch {
            continue; // gone, or not ours to read
        }
        const token = environ
            .split("\0")
            .find((v) => v.startsWith(`${RUN_TOKEN_VAR}=`))
            ?.slice(RUN_TOKEN_VAR.length + 1);
        if (token && parseRunToken(token)?.stack === stack && !isZombie(pid)) found.push({ pid, token });
    }
    return found;
}

/** Stops (SIGTERM, then SIGKILL after `graceMs`) the processes left by runs of `stack` whose script is gone. */
export async function stopLeftoverProcesses(stack: string, log: (line: string) => void, graceMs = 5000): Promise<number[]> {
    const leftovers = processesWithRunToken(stack).filter(({ token }) => {
        const run = parseRunToken(token)!;
        return processGone(run.pid, run.started);
    });
    for (const { pid, token } of leftovers) {
        log(`stopping process ${pid}, left running by the interrupted run ${token} (its script is gone)`);
        try {
            process.kill(pid, "SIGTERM");
        } catch {
            /* already gone */
        }
    }
    const deadline = Date.now() + graceMs;
    let alive = leftovers.map((l) => l.pid);
    while (alive.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        alive = alive.filter((pid) => !processGone(pid, new Date(0)));
    }
    for (const pid of alive) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            /* already gone */
        }
    }
    return leftovers.map((l) => l.pid);
}

export interface RecoveryOptions {
    readonly stack: string;
    readonly projectDir: string;
    /** Environment for `pulumi` (backend URL, passphrase). */
    readonly env: NodeJS.ProcessEnv;
    readonly log: (line: string) => void;
}

export interface RecoveryReport {
    readonly locksRemoved: string[];
    readonly locksKept: string[];
    readonly processesStopped: number[];
    readonly pendingResolved: PendingOperation[];
    /** What was done about a checkpoint left empty or damaged, if anything. */
    readonly checkpointRestored?: string;
}

function projectName(projectDir: string): string {
    const yaml = fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8");
    return /^name:\s*(\S+)/m.exec(yaml)![1];
}

/** Recovers the stack from an interrupted run; does nothing (and costs a few file reads) when there was none. */
export async function recoverInterruptedRun(options: RecoveryOptions): Promise<RecoveryReport> {
    const { stack, log } = options;
    const report = {
        locksRemoved: [] as string[],
        locksKept: [] as string[],
        processesStopped: [] as number[],
        pendingResolved: [] as PendingOperation[],
        checkpointRestored: undefined as string | undefined,
    };
    report.processesStopped = await stopLeftoverProcesses(stack, log);
    const backendDir = backendDirOf(options.env.PULUMI_BACKEND_URL);
    if (!backendDir) return report; // a service backend keeps its own locks; `pulumi cancel` is the way there
    const project = projectName(options.projectDir);
    for (const lock of readLocks(backendDir, project, stack)) {
        const verdict = lockVerdict(lock, os.hostname(), processGone);
        if (verdict.remove) {
            fs.rmSync(lock.file, { force: true });
            fs.rmSync(`${lock.file}.attrs`, { force: true }); // the blob store's metadata of the lock file
            log(`removed the lock of stack ${stack}: ${verdict.reason} (an interrupted run)`);
            report.locksRemoved.push(lock.file);
        } else {
            log(`the lock of stack ${stack} stays: ${verdict.reason}`);
            report.locksKept.push(lock.file);
        }
    }
    if (report.locksKept.length > 0) return report; // another run is going on: leave its state alone
    const restored = restoreDamagedCheckpoint(backendDir, project, stack);
    if (restored) {
        log(`stack ${stack}: ${restored}`);
        report.checkpointRestored = restored;
    }
    const pending = pendingOperations(backendDir, project, stack) ?? [];
    if (pending.length > 0)
        log(
            `stack ${stack} has ${pending.length} pending operations from an interrupted run (${summarize(pending)}); resolving them against Docker`,
        );
    else if (restored) log(`stack ${stack}: reading every resource of the restored checkpoint back from Docker (it may be a step behind)`);
    if (needsRefresh(pending, restored !== undefined)) {
        const imports: string[] = [];
        for (const op of pending.filter((o) => o.type === "creating")) {
            const resolution = resolveCreate(op, await existingObject(op));
            if (resolution.kind === "import") {
                log(`${op.urn}: its ${createdObject(op)!.kind} exists; importing it into the state`);
                imports.push(op.urn, resolution.id);
            } else if (resolution.kind === "remove-container") {
                log(
                    `${op.urn}: removing container ${resolution.name}, created but never recorded (its data stays on its volume; up creates it again)`,
                );
                await removeContainer(dockerClient(), resolution.name);
            }
        }
        // Refresh reads every recorded resource back from Docker, which settles pending updates and deletes.
        execFileSync(
            "pulumi",
            [
                "refresh",
                "--yes",
                "--skip-preview",
                "--non-interactive",
                "--stack",
                stack,
                ...(imports.length > 0 ? ["--import-pending-creates", ...imports] : []),
                "--clear-pending-creates",
            ],
            { cwd: options.projectDir, env: options.env, stdio: ["ignore", "inherit", "inherit"] },
        );
        const left = pendingOperations(backendDir, project, stack) ?? [];
        if (left.length > 0)
            throw new Error(`stack ${stack} still has ${left.length} pending operations after a refresh (${summarize(left)})`);
        report.pendingResolved = pending;
    }
    return report;
}

/**
 * Pure: whether recovery reads the state back from Docker (`pulumi refresh`). Pending operations need it,
 * and so does a restored checkpoint even without any: the copy it came from can be a step behind (the
 * lost write may have recorded a create, replace or delete), and `up` does not refresh by itself, so a
 * resource the lost step deleted or replaced would stay recorded with an id that no longer exists.
 */
export function needsRefresh(pending: readonly PendingOperation[], checkpointRestored: boolean): boolean {
    return pending.length > 0 || checkpointRestored;
}

/** The Docker object a pending create was making (its id and labels), if it exists. */
async function existingObject(op: PendingOperation): Promise<{ id: string; labels: Record<string, string> } | undefined> {
    const object = createdObject(op);
    if (!object) return undefined;
    const found = await inspectObject(object.kind, object.name);
    return found && { id: found.id, labels: { ...found.labels } };
}

function summarize(ops: readonly PendingOperation[]): string {
    const counts = new Map<string, number>();
    for (const op of ops) counts.set(op.type, (counts.get(op.type) ?? 0) + 1);
    return [...counts].map(([type, n]) => `${n} ${type}`).join(", ");
}

if (require.main === module) {
    const stack = process.argv[2];
    if (!stack) {
        console.error("usage: recover.ts <stack>");
        process.exit(2);
    }
    recoverInterruptedRun({
        stack,
        projectDir: path.resolve(__dirname, "../.."),
        env: process.env,
        log: (line) => console.log(`[recover] ${line}`),
    }).catch((err: Error) => {
        console.error(`[recover] ${err.message}`);
        process.exit(1);
    });
}
