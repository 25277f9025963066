// The pod probes' shell line, run for real by /bin/sh against a stand-in CLI that prints a given reply:
// what each probe takes as "redis-server answers". test/integration/podProbe.test.ts runs it against real servers.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROBE_SOCKET, podProbeScript } from "../../components/runtime/kubernetes/manifests";
import { PROJECT_USER } from "../../components/settings/aclUsers";

describe("kubernetes pod probes (the script under /bin/sh)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-probe-"));
    const cli = path.join(dir, "fake-cli");
    const authFile = path.join(dir, "auth.conf");
    // Prints what the test asks for; logs the password it was given, as a real CLI would use it, and its arguments.
    fs.writeFileSync(cli, '#!/bin/sh\necho "$FAKE_REPLY"\necho "auth=$REDISCLI_AUTH" >> "$FAKE_LOG"\necho "args=$*" >> "$FAKE_LOG"\n', {
        mode: 0o755,
    });
    fs.writeFileSync(authFile, "include /etc/redis-stack-settings/settings.conf\nrequirepass probe-Pass-1\n");
    const node = { cliCommand: cli };

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    function exitCode(probe: "readiness" | "liveness", reply: string): number {
        const log = path.join(dir, `${probe}.log`);
        fs.rmSync(log, { force: true });
        const run = spawnSync("sh", ["-c", podProbeScript(node, probe, authFile)], {
            env: { PATH: process.env.PATH, FAKE_REPLY: reply, FAKE_LOG: log },
        });
        const logged = fs.readFileSync(log, "utf8");
        assert.match(logged, /auth=probe-Pass-1$/m, "the CLI got the password from the file");
        // The pod's own socket: one answer whatever protocol the client port serves (a live TLS switch changes it).
        assert.match(logged, new RegExp(`^args=--user ${PROJECT_USER} -s ${PROBE_SOCKET} ping$`, "m"), "PING over the probe socket");
        return run.status ?? -1;
    }

    it("both pass on PONG and fail when nothing answers", () => {
        for (const probe of ["readiness", "liveness"] as const) {
            assert.equal(exitCode(probe, "PONG"), 0, probe);
            assert.equal(exitCode(probe, "Could not connect to Redis at 127.0.0.1:7000: Connection refused"), 1, probe);
        }
    });

    it("both pass on an auth error: the mounted file lags a password change, and the pod must not restart for it", () => {
        for (const probe of ["readiness", "liveness"] as const) {
            assert.equal(exitCode(probe, "WRONGPASS invalid username-password pair or user is disabled."), 0, probe);
            assert.equal(exitCode(probe, "NOAUTH Authentication required."), 0, probe);
        }
    });

    it("a node loading its data is alive but not ready", () => {
        assert.equal(exitCode("liveness", "LOADING Redis is loading the dataset in memory"), 0);
        assert.equal(exitCode("readiness", "LOADING Redis is loading the dataset in memory"), 1);
    });
});
