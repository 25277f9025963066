// A Docker engine of the test's own: its own dockerd (with its own containerd) on its own socket, data
// root, exec root and pid file under a temporary directory, started and stopped by its PID. A test that
// restarts "the engine" restarts this one, never the host's. Its default bridge is one of its own, made here
// and removed after (dockerd with `--bridge none` deletes the host's docker0 when it starts), and it does not
// touch iptables, so its containers use host networking.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type Docker from "dockerode";

const READY_TIMEOUT_MS = 60000;
const STOP_TIMEOUT_MS = 60000;
const POLL_MS = 100;
/** The private engine's bridge address: a range no test stack uses. */
const BRIDGE_ADDRESS = "172.30.249.1/24";

export class PrivateDockerEngine {
    readonly socket: string;
    readonly client: Docker;
    private daemon?: ChildProcess;
    private exited?: Promise<void>;

    /** The bridge made for this engine (a Linux interface name: at most 15 characters). */
    readonly bridge: string;

    private constructor(readonly dir: string) {
        this.socket = path.join(dir, "docker.sock");
        this.bridge = `rsdk-${path.basename(dir).slice(-6)}`;
        const DockerCtor = require("dockerode") as typeof Docker;
        this.client = new DockerCtor({ socketPath: this.socket });
    }

    /** Starts a new engine and loads `images` into it from the host's engine. */
    static async start(images: readonly string[]): Promise<PrivateDockerEngine> {
        if (process.getuid?.() !== 0) throw new Error("a private Docker engine needs root (dockerd); run this test as root");
        const engine = new PrivateDockerEngine(fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-dockerd-")));
        try {
            execFileSync("ip", ["link", "add", engine.bridge, "type", "bridge"]);
            execFileSync("ip", ["addr", "add", BRIDGE_ADDRESS, "dev", engine.bridge]);
            execFileSync("ip", ["link", "set", engine.bridge, "up"]);
            await engine.startDaemon();
            // `docker save | docker load`: the private engine cannot reach a registry either.
            for (const image of images) {
                execFileSync("sh", ["-c", 'docker save "$1" | docker -H "unix://$2" load >/dev/null', "sh", image, engine.socket]);
            }
            return engine;
        } catch (err) {
            await engine.destroy();
            throw err;
        }
    }

    get pid(): number | undefined {
        return this.daemon?.pid;
    }

    private async startDaemon(): Promise<void> {
        const log = fs.openSync(path.join(this.dir, "dockerd.log"), "a");
        this.daemon = spawn(
            "dockerd",
            [
                "--host",
                `unix://${this.socket}`,
                "--data-root",
                path.join(this.dir, "data"),
                "--exec-root",
                path.join(this.dir, "exec"),
                "--pidfile",
                path.join(this.dir, "docker.pid"),
                // Nothing shared with the host's engine: a bridge of its own, no iptables rules, no forwarding changes.
                "--bridge",
                this.bridge,
                "--iptables=false",
                "--ip-masq=false",
                "--ip-forward=false",
            ],
            { stdio: ["ignore", log, log] },
        );
        fs.closeSync(log);
        const daemon = this.daemon;
        this.exited = new Promise((resolve) => daemon.once("exit", () => resolve()));
        const started = Date.now();
        for (;;) {
            if (daemon.exitCode !== null) throw new Error(`dockerd exited with ${daemon.exitCode}:\n${this.logTail()}`);
            try {
                await this.client.ping();
                return;
            } catch {
                if (Date.now() - started > READY_TIMEOUT_MS)
                    throw new Error(`dockerd did not answer on ${this.socket} within ${READY_TIMEOUT_MS} ms:\n${this.logTail()}`);
            }
            await new Promise((r) => setTimeout(r, POLL_MS));
        }
    }

    /** Stops dockerd by its PID (SIGTERM, as a service manager does) and waits until it has exited. */
    private async stopDaemon(): Promise<void> {
        const daemon = this.daemon;
        if (!daemon || daemon.exitCode !== null || daemon.signalCode !== null) return;
        daemon.kill("SIGTERM");
        const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), STOP_TIMEOUT_MS).unref());
        if ((await Promise.race([this.exited, timeout])) === "timeout") {
            daemon.kill("SIGKILL");
            await this.exited;
        }
    }

    /** A restart of the engine: dockerd stopped by its PID, then started again on the same data. Returns when it answers. */
    async restart(): Promise<void> {
        await this.stopDaemon();
        await this.startDaemon();
    }

    /** Removes every container of this engine, stops it, and removes its directory (unmounting what dockerd left mounted there). */
    async destroy(): Promise<void> {
        if (this.daemon && this.daemon.exitCode === null) {
            const containers = await this.client.listContainers({ all: true }).catch(() => []);
            await Promise.all(
                containers.map((c) =>
                    this.client
                        .getContainer(c.Id)
                        .remove({ force: true, v: true })
                        .catch(() => undefined),
                ),
            );
            const volumes = (await this.client.listVolumes().catch(() => ({ Volumes: [] }))).Volumes ?? [];
            await Promise.all(
                volumes.map((v) =>
                    this.client
                        .getVolume(v.Name)
                        .remove({ force: true })
                        .catch(() => undefined),
                ),
            );
        }
        await this.stopDaemon();
        // dockerd leaves its default network namespace (exec/netns/default) mounted.
        const mounts = fs
            .readFileSync("/proc/self/mounts", "utf8")
            .split("\n")
            .map((l) => l.split(" ")[1])
            .filter((m) => m?.startsWith(this.dir + "/"));
        for (const mount of mounts.reverse()) execFileSync("umount", ["-l", mount]);
        fs.rmSync(this.dir, { recursive: true, force: true });
        try {
            execFileSync("ip", ["link", "del", this.bridge], { stdio: "ignore" });
        } catch {
            // not made: the start failed before it
        }
    }

    private logTail(): string {
        try {
            return fs.readFileSync(path.join(this.dir, "dockerd.log"), "utf8").split("\n").slice(-20).join("\n");
        } catch {
            return "(no log)";
        }
    }
}
