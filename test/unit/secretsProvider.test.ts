// scripts/env.sh: the built-in passphrase only for this checkout's own local backend; any other backend without a
// passphrase (or a service, or another secrets provider) stops the scripts before anything runs.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../support/automation";

/** Sources env.sh in a clean environment plus `env`, runs `require_secrets_provider STACK`, and reports. */
function check(env: Record<string, string>, stack = "dev"): { status: number | null; stderr: string; passphrase: string } {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-unit-home-"));
    try {
        const script = `source scripts/env.sh && printf '%s' "\${PULUMI_CONFIG_PASSPHRASE-<unset>}" && require_secrets_provider ${stack}`;
        const run = spawnSync("bash", ["-c", script], {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
        });
        return { status: run.status, stderr: run.stderr, passphrase: run.stdout };
    } finally {
        fs.rmSync(home, { recursive: true, force: true });
    }
}

describe("secrets provider of the stack the scripts run (scripts/env.sh)", () => {
    it("uses the built-in passphrase for this checkout's own local backend, which it picks when none is set", () => {
        const local = check({});
        assert.equal(local.status, 0, local.stderr);
        assert.equal(local.passphrase, "redis-stack-local-dev");
    });

    it("stops on another file backend without a passphrase, saying what to set, and sets none itself", () => {
        const shared = check({ PULUMI_BACKEND_URL: "file:///srv/team-state" });
        assert.equal(shared.status, 1);
        assert.equal(shared.passphrase, "<unset>");
        assert.match(
            shared.stderr,
            /^error: stack dev on backend file:\/\/\/srv\/team-state has no passphrase: its secrets .* nothing was run\./,
        );
        assert.match(shared.stderr, /Set PULUMI_CONFIG_PASSPHRASE \(or PULUMI_CONFIG_PASSPHRASE_FILE\) to your team's passphrase/);
        assert.equal(check({ PULUMI_BACKEND_URL: "s3://team-bucket/state" }).status, 1);
    });

    it("goes on with the user's passphrase or passphrase file, a service backend, or another secrets provider", () => {
        assert.equal(check({ PULUMI_BACKEND_URL: "s3://team-bucket", PULUMI_CONFIG_PASSPHRASE: "team" }).passphrase, "team");
        assert.equal(check({ PULUMI_BACKEND_URL: "s3://team-bucket", PULUMI_CONFIG_PASSPHRASE: "team" }).status, 0);
        assert.equal(check({ PULUMI_BACKEND_URL: "s3://team-bucket", PULUMI_CONFIG_PASSPHRASE_FILE: "/run/pass" }).status, 0);
        assert.equal(check({ PULUMI_BACKEND_URL: "https://api.pulumi.com" }).status, 0);
        const stack = `unitkms${Date.now().toString(36)}`;
        const file = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
        fs.writeFileSync(file, "secretsprovider: awskms://alias/team\n");
        try {
            assert.equal(check({ PULUMI_BACKEND_URL: "s3://team-bucket" }, stack).status, 0);
        } finally {
            fs.rmSync(file);
        }
    });
});
