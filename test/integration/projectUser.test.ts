// A node from before the stack had its own user (its auth file has only `requirepass`, as older stacks
// wrote it, and it has not restarted since): the stack still reaches it, as the default user, and gives
// it the project's user on that first contact, so the next connection and replicas restarted with
// `masteruser redis-stack` authenticate as that user. Real container, real redis-server.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Redis from "ioredis";
import { PROJECT_USER, PROJECT_USER_RULES } from "../../components/settings/aclUsers";
import { connectNode } from "../../components/redis/connect";
import { TEST_IMAGE } from "../support/fixture";
import { docker } from "../support/dockerCli";

const PASSWORD = "older-Stack-pw-9";
const PORT = 6961;

describe("a node from before the stack's own user (real container)", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-it-projectuser-"));
    let id = "";

    before(() => {
        // The auth file as stacks wrote it before the project's user existed.
        fs.writeFileSync(path.join(dir, "auth.conf"), `requirepass ${PASSWORD}\nmasterauth ${PASSWORD}\n`, { mode: 0o644 });
        id = docker(
            "run",
            "-d",
            // Host networking: the Docker engine here may have no default bridge (docker0).
            "--network",
            "host",
            "-v",
            `${dir}/auth.conf:/etc/auth.conf:ro`,
            TEST_IMAGE,
            "redis-server",
            "/etc/auth.conf",
            "--port",
            String(PORT),
            "--bind",
            "127.0.0.1",
        );
    });

    after(() => {
        // -v: the image declares /data a volume, and the container's anonymous one goes with it.
        if (id) docker("rm", "-f", "-v", id);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("is reached as the default user and given the project's user with its rules, which then logs in", async () => {
        const node = { name: "older-node", host: "127.0.0.1", port: PORT };
        const client = await connectNode(node, PASSWORD, 20000);
        try {
            assert.equal(await client.ping(), "PONG");
            const rules = String(((await client.call("ACL", "LIST")) as string[]).find((l) => l.startsWith(`user ${PROJECT_USER} `)));
            const commands = rules.split(" ").filter((t) => t.startsWith("+"));
            assert.deepEqual(commands.sort(), PROJECT_USER_RULES.filter((r) => r.startsWith("+")).sort(), rules);
        } finally {
            client.disconnect();
        }
        const asProjectUser = new Redis({ host: "127.0.0.1", port: PORT, username: PROJECT_USER, password: PASSWORD, lazyConnect: true });
        try {
            await asProjectUser.connect();
            assert.equal(await asProjectUser.ping(), "PONG");
            await assert.rejects(asProjectUser.call("FLUSHALL"), /NOPERM/);
        } finally {
            asProjectUser.disconnect();
        }
    });

    it("a wrong password is still refused, naming the node and never the password", async () => {
        await assert.rejects(
            connectNode({ name: "older-node", host: "127.0.0.1", port: PORT }, "not-the-Password-1", 5000),
            (err: Error) => {
                assert.match(err.message, /node older-node at 127\.0\.0\.1:6961 rejected the credentials: wrong password/);
                assert.ok(!err.message.includes("not-the-Password-1"));
                return true;
            },
        );
    });
});
