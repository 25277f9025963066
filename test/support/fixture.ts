// Starts a stack's containers from the same topology and Docker placement the Pulumi components use, straight
// through the Docker Engine API, so the formation step can be tested on real Redis nodes without the Pulumi engine.
import * as fs from "fs";
import * as path from "path";
import type Docker from "dockerode";
import { Settings, parseSettings, RawSettings } from "../../components/settings/config";
import { formationNodes } from "../../components/formation/spec";
import type { FormationNode } from "../../components/redis/form";
import { buildTopology } from "../../components/topology/topology";
import { authConfigFiles, containerCreateBody } from "../../components/runtime/containerSpec";
import { type DockerNode, type DockerTopology, dockerEndpoint, dockerNodes, placeOnDocker } from "../../components/runtime/dockerPlacement";
import type { StackOwnerId } from "../../components/runtime/ownership";
import {
    dockerClient,
    ensureContainer,
    ensureNetwork,
    ensureVolume,
    removeContainer,
    removeNetwork,
    removeVolume,
} from "../../components/runtime/dockerEngine";

/** The image tests run: set by .ci/run and scripts/test.sh to the locally built one. */
export const TEST_IMAGE = process.env.REDIS_STACK_TEST_IMAGE ?? "redis-stack-local/redis:8";
/** The metrics exporter's image tests run (metrics): set by scripts/test.sh to the one setup chose. */
export const TEST_METRICS_IMAGE = process.env.REDIS_STACK_TEST_METRICS_IMAGE ?? "redis-stack-local/redis-exporter:v1.97.0";
/** The scheduled backups' runner image (backupSchedule): set by scripts/test.sh, else the one setup last built here. */
export function testBackupImage(): string {
    const recorded = () => fs.readFileSync(path.join(__dirname, "../../node_modules/.redis-stack-backup-image"), "utf8").trim();
    return process.env.REDIS_STACK_TEST_BACKUP_IMAGE ?? recorded();
}

export class Fixture {
    readonly settings: Settings;
    /** The stack's nodes as placed on the Docker host. */
    readonly topology: DockerTopology;

    /** `docker`: the engine to run the nodes on (the one DOCKER_HOST or the default socket names, unless given). */
    constructor(
        readonly prefix: string,
        raw: RawSettings,
        readonly password?: string,
        readonly docker: Docker = dockerClient(),
    ) {
        this.settings = parseSettings({ image: TEST_IMAGE, ...raw });
        this.topology = placeOnDocker(buildTopology(this.settings, prefix), this.settings, prefix);
    }

    /** The fixture's stack for the ownership rule, as a stack's providers get it: its stack label (the prefix) and an owner id. */
    get owner(): StackOwnerId {
        return { stackLabel: this.prefix, ownerId: `${this.prefix}-owner` };
    }

    get nodes(): readonly DockerNode[] {
        return dockerNodes(this.topology);
    }

    async startNode(node: DockerNode): Promise<void> {
        await ensureVolume(this.docker, node.volume, { ...node.volumeLabels });
        await ensureContainer(this.docker, containerCreateBody(node, this.topology), authConfigFiles(this.password));
    }

    /** Starts every node, or leaves out the cluster's or the standalone one. */
    async start(options: { cluster?: boolean; standalone?: boolean } = {}): Promise<void> {
        if (this.topology.network) await ensureNetwork(this.docker, this.topology.network);
        const nodes = [
            ...(options.cluster === false ? [] : this.topology.clusterNodes),
            ...(options.standalone === false ? [] : [this.topology.standalone]),
        ];
        await Promise.all(nodes.map((n) => this.startNode(n)));
    }

    async destroy(): Promise<void> {
        await Promise.all(this.nodes.map((n) => removeContainer(this.docker, n.name)));
        await Promise.all(this.nodes.map((n) => removeVolume(this.docker, n.volume)));
        if (this.topology.network) await removeNetwork(this.docker, this.topology.network.name);
    }

    /** Runs redis-cli inside a node's container (the image ships it), returning stdout. */
    async redisCli(node: DockerNode, args: string[]): Promise<string> {
        const exec = await this.docker.getContainer(node.name).exec({
            Cmd: ["redis-cli", ...args],
            Env: this.password ? [`REDISCLI_AUTH=${this.password}`] : [],
            AttachStdout: true,
            AttachStderr: true,
        });
        const stream = await exec.start({ hijack: true, stdin: false });
        const chunks: Buffer[] = [];
        const stdout = { write: (c: Buffer) => chunks.push(c) } as unknown as NodeJS.WritableStream;
        const stderr = { write: () => true } as unknown as NodeJS.WritableStream;
        this.docker.modem.demuxStream(stream, stdout, stderr);
        await new Promise<void>((resolve, reject) => {
            stream.on("end", resolve);
            stream.on("error", reject);
        });
        return Buffer.concat(chunks).toString("utf8");
    }
}

/** What the formation needs of a placed stack's cluster nodes, at the addresses the placement gives. */
export function placedFormationNodes(topology: Pick<DockerTopology, "clusterNodes">): FormationNode[] {
    return formationNodes(topology, topology.clusterNodes.map(dockerEndpoint));
}
