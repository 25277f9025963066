// The pod probes' shell line, run for real by /bin/sh against a stand-in CLI that prints a given reply:
// what each probe takes as "redis-server answers".
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { podProbeScript } from "../../components/runtime/kubernetes/manifests";
import type { NodeSpec } from "../../components/topology/topology";

describe("kubernetes pod probes (the script under /bin/sh)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-probe-"));
    const cli = path.join(dir, "fake-cli");
    const authFile = path.join(dir, "auth.conf");
    // Prints what the test asks for, and the password it was given, as a real CLI would use it.
    // With --tls it prints FAKE_TLS_REPLY: a node answers in one protocol on its client port.
    fs.writeFileSync(
        cli,
        '#!/bin/sh\ncase " $* " in *" --tls "*) echo "$FAKE_TLS_REPLY";; *) echo "$FAKE_REPLY";; esac\necho "auth=$REDISCLI_AUTH" >> "$FAKE_LOG"\n',
        { mode: 0o755 },
    );
    fs.writeFileSync(authFile, "include /etc/redis-stack-settings/settings.conf\nrequirepass probe-Pass-1\n");
    const node = { clientPort: 7000, cliCommand: cli, redisArgs: ["--port", "7000"] } as unknown as NodeSpec;

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    function exitCode(probe: "readiness" | "liveness", reply: string, tlsReply = "", probed: NodeSpec = node): number {
        const log = path.join(dir, `${probe}.log`);
        const run = spawnSync("sh", ["-c", podProbeScript(probed, probe, authFile)], {
            env: { PATH: process.env.PATH, FAKE_REPLY: reply, FAKE_TLS_REPLY: tlsReply, FAKE_LOG: log },
        });
        assert.match(fs.readFileSync(log, "utf8"), /auth=probe-Pass-1$/m, "the CLI got the password from the file");
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

    it("both pass on a node switched live to the other protocol (TLS on or off) while its pod still runs the old command line", () => {
        const tlsNode = { ...node, redisArgs: ["--port", "0", "--tls-port", "7000"] } as unknown as NodeSpec;
        const refused = "Error: Connection reset by peer";
        for (const probe of ["readiness", "liveness"] as const) {
            assert.equal(exitCode(probe, refused, "PONG"), 0, `${probe}: a plain node now serving TLS`);
            assert.equal(exitCode(probe, "PONG", refused, tlsNode), 0, `${probe}: a TLS node now serving plain text`);
            assert.equal(exitCode(probe, refused, refused, tlsNode), 1, `${probe}: neither answers`);
        }
    });

    it("a node loading its data is alive but not ready", () => {
        assert.equal(exitCode("liveness", "LOADING Redis is loading the dataset in memory"), 0);
        assert.equal(exitCode("readiness", "LOADING Redis is loading the dataset in memory"), 1);
    });
});
