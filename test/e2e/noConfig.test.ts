// A new stack with no config at all (not one `pulumi config set`) previews on the defaults, through the
// real Pulumi engine and the project's language host: the default topology and ports, nothing created.
// The preview runs in a network namespace of its own (../support/ownNetwork.sh), where the default ports are free as on
// a new machine: `npm run up`'s dev stack holds them on this one, and a stack rightly refuses ports that are taken.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { PROJECT_DIR, engineStackEnv, openEngineStack } from "../support/automation";

interface PlannedNode {
    role: string;
}

/** One step of `pulumi preview --json`. */
interface PreviewStep {
    op: string;
    urn: string;
    newState?: { type: string; inputs: Record<string, unknown> };
}

/** Names of this host's Docker objects of one kind that carry a label. */
function labelled(kind: "container" | "network" | "volume", label: string): string[] {
    const args =
        kind === "container"
            ? ["ps", "-a", "--filter", `label=${label}`, "--format", "{{.Names}}"]
            : [kind, "ls", "--filter", `label=${label}`, "--format", "{{.Name}}"];
    return execFileSync("docker", args, { encoding: "utf8" })
        .split("\n")
        .filter((l) => l !== "");
}

describe("a stack with no config at all", function () {
    const stackName = `e2enoconfig${Date.now().toString(36)}`;
    const label = `${STACK_LABEL}=redis-stack-${stackName}`;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-noconfig-"));
    let stack: Stack;
    /** What preview planned to create, by resource name. */
    const creates = new Map<string, PreviewStep & { newState: NonNullable<PreviewStep["newState"]> }>();
    let changeSummary: Record<string, number> = {};

    before(async function () {
        stack = await openEngineStack(stackName, backendDir, "e2e-passphrase");
        const started = Date.now();
        const preview = JSON.parse(
            execFileSync(
                path.join(__dirname, "../support/ownNetwork.sh"),
                ["pulumi", "preview", "--json", "--non-interactive", "--stack", stackName],
                {
                    cwd: PROJECT_DIR,
                    env: { ...process.env, ...engineStackEnv(backendDir, "e2e-passphrase") },
                    encoding: "utf8",
                    maxBuffer: 64 * 1024 * 1024,
                },
            ),
        ) as { steps: PreviewStep[]; changeSummary: Record<string, number> };
        console.log(`      preview took ${Date.now() - started} ms`);
        for (const step of preview.steps) {
            // Provider instances are not resources of the stack (nor counted in the change summary).
            if (step.op === "create" && step.newState && !step.newState.type.startsWith("pulumi:providers:"))
                creates.set(step.urn.split("::").pop()!, { ...step, newState: step.newState });
        }
        changeSummary = preview.changeSummary;
    });

    after(async function () {
        if (stack) await stack.workspace.removeStack(stackName).catch(() => undefined);
        fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), { force: true });
        fs.rmSync(backendDir, { recursive: true, force: true });
    });

    const planned = (typeSuffix: string) => [...creates.entries()].filter(([, step]) => step.newState.type.endsWith(typeSuffix));

    it("has no config: its stack file holds nothing but the secrets salt", async () => {
        assert.match(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`), "utf8"), /^encryptionsalt: \S+\n$/);
        // What the stack sees is exactly Pulumi.yaml's declared defaults: nothing of its own.
        const declared = (
            yaml.load(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
                config: Record<string, { default?: string | number | boolean | object }>;
            }
        ).config;
        const defaults = Object.fromEntries(
            Object.entries(declared).map(([key, d]) => [
                `redis-stack:${key}`,
                typeof d.default === "object" ? JSON.stringify(d.default) : String(d.default ?? ""),
            ]),
        );
        const seen = Object.fromEntries(Object.entries(await stack.getAllConfig()).map(([key, v]) => [key, v.value]));
        assert.deepEqual(seen, defaults);
    });

    it("previews the default topology: 3 masters and 3 replicas formed into a cluster, and a standalone node", () => {
        const containers = planned("EngineContainer")
            .map(([name]) => name)
            .sort();
        assert.deepEqual(containers, [0, 1, 2, 3, 4, 5].map((i) => `redis-stack-cluster-node-${i}`).concat("redis-stack-standalone-node"));
        assert.equal(planned("EngineVolume").length, 7);
        assert.equal(planned("EngineNetwork").length, 1);
        const formations = planned("ClusterFormation");
        assert.equal(formations.length, 1);
        const roles = (formations[0][1].newState.inputs.nodes as PlannedNode[]).map((n) => n.role);
        assert.deepEqual(roles.filter((r) => r === "master").length, 3);
        assert.deepEqual(roles.filter((r) => r === "replica").length, 3);
        // Everything planned is a create, and the change summary counts the same resources.
        assert.deepEqual(Object.keys(changeSummary), ["create"]);
        assert.equal(changeSummary.create, creates.size);
    });

    it("uses the default ports: 7000-7005 for the cluster, 6379 for the standalone node", () => {
        const endpoint = (name: string) => creates.get(name)?.newState.inputs.endpoint as { port: number };
        assert.deepEqual(
            [0, 1, 2, 3, 4, 5].map((i) => endpoint(`redis-stack-cluster-node-${i}`).port),
            [7000, 7001, 7002, 7003, 7004, 7005],
        );
        assert.equal(endpoint("redis-stack-standalone-node").port, 6379);
    });

    it("creates nothing on the Docker host", () => {
        assert.deepEqual(labelled("container", label), []);
        assert.deepEqual(labelled("volume", label), []);
        assert.deepEqual(labelled("network", label), []);
    });
});
