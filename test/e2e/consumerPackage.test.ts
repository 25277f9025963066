// The installable package, as a user gets it: `npm pack` of this checkout, installed without any
// devDependency into a plain-JavaScript program outside the repository (test/e2e/consumer), which declares
// two RedisStacks. The real Pulumi engine and Docker: up, clients reach both stacks, destroy leaves nothing.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Cluster } from "ioredis";
import { PROJECT_DIR } from "../support/automation";
import { TEST_IMAGE } from "../support/fixture";
import { OutsideProject, openOutsideProject, packPackage, pinnedVersion, projectDir, removeLeftovers } from "../support/outsideProject";
import { withRawClient } from "../support/rawClient";
import { timed } from "../support/suiteStack";

const PROJECT = "redis-stack-consumer";
const COMPONENTS = ["cache", "queue"] as const;
/** Ports and networks of their own (test/e2e takes 7440-7499, 6485-6489, 172.30.160-169.0/24). */
const SETTINGS = {
    cache: { basePort: 7440, standalonePort: 6485, subnet: "172.30.160.0/24" },
    queue: { basePort: 7460, standalonePort: 6486, subnet: "172.30.161.0/24" },
};

/** Directories under `dir`/node_modules that hold a package named `name` (nested copies too). */
function installed(dir: string, name: string): string[] {
    const out = execFileSync("find", [path.join(dir, "node_modules"), "-path", `*/node_modules/${name}/package.json`], {
        encoding: "utf8",
    });
    return out
        .split("\n")
        .filter((line) => line !== "")
        .map((file) => path.relative(dir, path.dirname(file)));
}

const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });

describe("the packed package in a JavaScript program outside the repository (two RedisStacks)", function () {
    const dir = projectDir("consumer");
    const stackName = `e2econsumer${Date.now().toString(36)}`;
    let project: OutsideProject | undefined;
    let outputs: Record<string, { value: unknown }> = {};

    before(async function () {
        for (const file of ["index.js", "package.json", "Pulumi.yaml"])
            fs.copyFileSync(path.join(__dirname, "consumer", file), path.join(dir, file));
        const tarball = await timed("npm pack (prepack compiles the library)", async () => packPackage(dir));
        await timed("npm install --omit=dev of the tarball and @pulumi/pulumi", async () =>
            execFileSync(
                "npm",
                [
                    "install",
                    "--omit=dev",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                    tarball,
                    `@pulumi/pulumi@${pinnedVersion("@pulumi/pulumi")}`,
                ],
                { cwd: dir, encoding: "utf8" },
            ),
        );
        project = await openOutsideProject(dir, PROJECT, stackName, {
            image: { value: TEST_IMAGE },
            cache: { value: JSON.stringify(SETTINGS.cache) },
            queue: { value: JSON.stringify(SETTINGS.queue) },
        });
        const up = await timed("up of two RedisStacks", () =>
            project!.stack.up({ onOutput: (line) => process.env.E2E_VERBOSE && process.stdout.write(line) }),
        );
        outputs = up.outputs;
    });

    after(async function () {
        if (!project) return;
        await project.stack.destroy().catch(() => undefined);
        removeLeftovers(project, COMPONENTS);
        await project.remove();
    });

    it("installs no TypeScript compiler, ts-node or swc: the compiled library runs without them", () => {
        assert.ok(fs.existsSync(path.join(dir, "node_modules/redis-stack/dist/components/index.js")), "the compiled library is installed");
        // (@pulumi/pulumi carries its own copies, node_modules/@pulumi/pulumi/vendor/{typescript@3.8.3,ts-node@7.0.1}.)
        for (const name of ["typescript", "ts-node", "@swc/core", "@swc/register"]) assert.deepEqual(installed(dir, name), [], name);
    });

    it("loads no TypeScript tooling in the program's process but the compiler @pulumi/pulumi itself loads", () => {
        // @pulumi/pulumi's closure serializer (runtime/closure/parseFunction.js) requires its vendored TypeScript
        // whenever @pulumi/pulumi loads; nothing else, and no ts-node or swc, was loaded.
        const loaded = outputs.typescriptModules.value as string[];
        const others = loaded.filter(
            (file) => !file.includes(`${path.sep}@pulumi${path.sep}pulumi${path.sep}vendor${path.sep}typescript@`),
        );
        assert.deepEqual(others, []);
    });

    it("its type declarations type-check a TypeScript use of RedisStack and refuse a wrong argument", () => {
        // The checkout's compiler, run on the consumer's directory: nothing is installed there for it.
        const tsc = (source: string) => {
            fs.writeFileSync(path.join(dir, "check.ts"), source);
            try {
                execFileSync(
                    path.join(PROJECT_DIR, "node_modules/.bin/tsc"),
                    ["--noEmit", "--strict", "--module", "node16", "--target", "es2022", "check.ts"],
                    {
                        cwd: dir,
                        encoding: "utf8",
                    },
                );
                return "";
            } catch (err) {
                return String((err as { stdout?: string }).stdout);
            }
        };
        const use =
            'import { RedisStack } from "redis-stack";\nexport const seeds = new RedisStack("c", { masters: 3, networkMode: "bridge" }).clusterSeeds;\n';
        assert.equal(tsc(use), "");
        assert.match(tsc(use.replace('"bridge"', '"bridged"')), /Type '"bridged"' is not assignable to type 'NetworkMode \| undefined'/);
    });

    for (const component of COMPONENTS) {
        it(`${component}: an ioredis Cluster client writes and reads through the cluster's seeds`, async () => {
            const seeds = outputs[`${component}Seeds`].value as string[];
            assert.equal(seeds[0], `${SETTINGS[component].subnet.replace(/0\/24$/, "1")}:${SETTINGS[component].basePort}`);
            const cluster = new Cluster(seeds.map(toAddress), { clusterRetryStrategy: () => null });
            try {
                await cluster.set(`consumer:${component}`, component);
                assert.equal(await cluster.get(`consumer:${component}`), component);
                const other = COMPONENTS.find((c) => c !== component)!;
                assert.equal(await cluster.get(`consumer:${other}`), null, "each RedisStack is a cluster of its own");
            } finally {
                cluster.disconnect();
            }
        });

        it(`${component}: a plain client reaches the standalone node at its URL`, async () => {
            const url = new URL(outputs[`${component}StandaloneUrl`].value as string);
            assert.equal(Number(url.port), SETTINGS[component].standalonePort);
            await withRawClient({ host: url.hostname, port: Number(url.port) }, async (client) => {
                await client.set("consumer:standalone", component);
                assert.equal(await client.get("consumer:standalone"), component);
            });
        });
    }

    it("destroy leaves no container, volume or network of either RedisStack", async () => {
        for (const component of COMPONENTS) assert.ok(project!.dockerObjects(component).length >= 3, `${component}: up made its objects`);
        await timed("destroy", () => project!.stack.destroy());
        for (const component of COMPONENTS) assert.deepEqual(project!.dockerObjects(component), [], component);
    });
});
