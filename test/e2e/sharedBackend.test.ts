// `npm run up` and `npm run down` against a backend other than the checkout's own local state, without a
// passphrase: they stop before anything runs (no stack, no state, no container), saying what to set.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { PROJECT_DIR } from "../support/automation";
import { labelled } from "../support/dockerCli";

describe("a shared backend without a passphrase", function () {
    const stack = `e2eshared${Date.now().toString(36)}`;
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-e2e-shared-"));
    after(() => fs.rmSync(backendDir, { recursive: true, force: true }));

    for (const script of ["up", "down"]) {
        it(`npm run ${script} stops before anything runs, saying to set PULUMI_CONFIG_PASSPHRASE`, () => {
            const env: NodeJS.ProcessEnv = { ...process.env, STACK: stack, PULUMI_BACKEND_URL: `file://${backendDir}` };
            delete env.PULUMI_CONFIG_PASSPHRASE;
            delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
            const run = spawnSync("bash", [path.join(PROJECT_DIR, `scripts/${script}.sh`)], { cwd: PROJECT_DIR, env, encoding: "utf8" });
            assert.equal(run.status, 1, run.stdout + run.stderr);
            assert.match(run.stderr, new RegExp(`error: stack ${stack} on backend file://${backendDir} has no passphrase`));
            assert.match(run.stderr, /Set PULUMI_CONFIG_PASSPHRASE/);
            assert.deepEqual(fs.readdirSync(backendDir), [], "the backend holds nothing: no stack was created");
            assert.ok(!fs.existsSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)));
            assert.deepEqual(labelled("ps", `${STACK_LABEL}=redis-stack-${stack}`), []);
        });
    }
});
