// The component package from another language: a Pulumi YAML program outside the repository whose
// `packages:` entry names this checkout declares redis-stack:index:RedisStack and exports its outputs.
// The real Pulumi engine (pulumi-language-yaml, this project's Node.js host running the plugin) and Docker:
// up, the exported seeds reach a working cluster, the password stays a secret, destroy leaves nothing.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { Cluster } from "ioredis";
import { PROJECT_DIR } from "../support/automation";
import { TEST_IMAGE } from "../support/fixture";
import { OutsideProject, openOutsideProject, projectDir, removeLeftovers } from "../support/outsideProject";
import { withRawClient } from "../support/rawClient";
import { timed } from "../support/suiteStack";

const PROJECT = "redis-stack-yaml";
const SETTINGS = { basePort: 7480, standalonePort: 6487, subnet: "172.30.162.0/24" };
const PASSWORD = `yaml-e2e-${Date.now().toString(36)}-secret`;

/** The user's Pulumi.yaml: the package by path, one RedisStack, some of its outputs. */
const program = {
    name: PROJECT,
    runtime: "yaml",
    packages: { "redis-stack": PROJECT_DIR },
    config: { image: { type: "string" }, password: { type: "string", secret: true } },
    resources: {
        cache: {
            type: "redis-stack:index:RedisStack",
            properties: { image: "${image}", password: "${password}", ...SETTINGS },
        },
    },
    outputs: {
        seeds: "${cache.clusterSeeds}",
        nodes: "${cache.clusterNodes}",
        standaloneUrl: "${cache.standaloneUrl}",
        redisPassword: "${cache.redisPassword}",
    },
};

const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });

/** The operations of a preview or update summary but `same`. */
function changesOf(summary: Record<string, number> | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n > 0));
}

/** Every file under `dir`, read as text. */
function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).flatMap((entry) => {
        const file = path.join(entry.parentPath, entry.name);
        return entry.isFile() ? [fs.readFileSync(file, "utf8")] : [];
    });
}

describe("a Pulumi YAML program declaring redis-stack:index:RedisStack through the component package", function () {
    const dir = projectDir("yaml");
    const stackName = `e2eyaml${Date.now().toString(36)}`;
    let project: OutsideProject | undefined;
    let outputs: Record<string, { value: unknown; secret: boolean }> = {};

    before(async function () {
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml.dump(program));
        project = await openOutsideProject(dir, PROJECT, stackName, {
            image: { value: TEST_IMAGE },
            password: { value: PASSWORD, secret: true },
        });
        const up = await timed("up (plugin from the checkout, schema, one RedisStack)", () =>
            project!.stack.up({ onOutput: (line) => process.env.E2E_VERBOSE && process.stdout.write(line) }),
        );
        outputs = up.outputs;
    });

    after(async function () {
        if (!project) return;
        await project.stack.destroy().catch(() => undefined);
        removeLeftovers(project, ["cache"]);
        await project.remove();
    });

    it("exports the RedisStack's seeds and nodes: six, three of them masters", () => {
        const seeds = outputs.seeds.value as string[];
        assert.deepEqual(
            seeds,
            [0, 1, 2, 3, 4, 5].map((i) => `172.30.162.1:${SETTINGS.basePort + i}`),
        );
        const nodes = outputs.nodes.value as { role: string }[];
        assert.equal(nodes.filter((n) => n.role === "master").length, 3);
    });

    it("the exported seeds reach a working cluster (an ioredis Cluster client with the password writes and reads)", async () => {
        const cluster = new Cluster((outputs.seeds.value as string[]).map(toAddress), {
            redisOptions: { password: PASSWORD },
            clusterRetryStrategy: () => null,
        });
        try {
            for (const key of ["yaml:a", "yaml:b", "yaml:c"]) await cluster.set(key, key);
            assert.deepEqual(await cluster.mget("yaml:a"), ["yaml:a"]);
            assert.equal(await cluster.get("yaml:c"), "yaml:c");
            const info = await cluster.cluster("INFO");
            assert.match(String(info), /cluster_state:ok/);
        } finally {
            cluster.disconnect();
        }
    });

    it("the standalone node answers at the exported URL, to the password only", async () => {
        const url = new URL(outputs.standaloneUrl.value as string);
        await withRawClient({ host: url.hostname, port: Number(url.port) }, async (client) => {
            await assert.rejects(client.ping(), /NOAUTH/);
            assert.equal(await client.auth(PASSWORD), "OK");
            assert.equal(await client.ping(), "PONG");
        });
    });

    it("a preview and a refresh right after report no changes (the plugin's diff and read of its resources)", async () => {
        const preview = await timed("no-op preview", () => project!.stack.preview());
        assert.deepEqual(changesOf(preview.changeSummary), {});
        const refresh = await timed("refresh", () => project!.stack.refresh());
        assert.deepEqual(changesOf(refresh.summary.resourceChanges), {});
    });

    it("keeps the password a secret: a secret output, and nowhere in the state's files in plaintext", () => {
        assert.equal(outputs.redisPassword.secret, true);
        assert.equal(outputs.redisPassword.value, PASSWORD);
        const backendDir = new URL(project!.stack.workspace.envVars.PULUMI_BACKEND_URL).pathname;
        const leaks = filesUnder(backendDir).filter((text) => text.includes(PASSWORD));
        assert.equal(leaks.length, 0, "the password in plaintext in the backend's files");
    });

    it("refuses at preview a second RedisStack on the first one's subnet, naming both", async () => {
        // Each construct in the plugin gets its own client of the engine's monitor: the check must see both.
        // Ports and a subnet of their own, away from the stack this suite keeps up meanwhile; the same subnet twice.
        const stackOn = (basePort: number, standalonePort: number) => ({
            ...program.resources.cache,
            properties: { ...program.resources.cache.properties, basePort, standalonePort, subnet: "172.30.163.0/24" },
        });
        const resources = { cache: stackOn(7470, 6489), queue: stackOn(7490, 6488) };
        const overlapping = { ...program, name: `${PROJECT}-overlap`, resources, outputs: {} };
        const otherDir = projectDir("yaml-overlap");
        fs.writeFileSync(path.join(otherDir, "Pulumi.yaml"), yaml.dump(overlapping));
        const other = await openOutsideProject(otherDir, overlapping.name, stackName, {
            image: { value: TEST_IMAGE },
            password: { value: PASSWORD, secret: true },
        });
        try {
            // The YAML host constructs the two at once: whichever comes second is refused, naming the first.
            const overlap =
                /RedisStack (cache|queue) configuration:\s+- subnet: got "172\.30\.163\.0\/24", which overlaps 172\.30\.163\.0\/24 of RedisStack "(cache|queue)"/;
            await assert.rejects(
                timed("preview of two RedisStacks on one subnet", () => other.stack.preview()),
                (err: Error) => {
                    const named = overlap.exec(err.message);
                    return named !== null && named[1] !== named[2];
                },
            );
            for (const component of ["cache", "queue"]) assert.deepEqual(other.dockerObjects(component), [], component);
        } finally {
            await other.remove();
        }
    });

    it("destroy leaves no container, volume or network of the RedisStack", async () => {
        assert.ok(project!.dockerObjects("cache").length >= 3, "up made its objects");
        await timed("destroy", () => project!.stack.destroy());
        assert.deepEqual(project!.dockerObjects("cache"), []);
    });
});
