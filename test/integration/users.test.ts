// ACL users through the engine runtime's container provider, on a real node: what `create`, `diff` and
// `update` do with them (the Pulumi engine around them is exercised by test/e2e/users.test.ts).
import { strict as assert } from "assert";
import Redis from "ioredis";
import type { AclUser } from "../../components/settings/aclUsers";
import { passwordHash } from "../../components/settings/aclUsers";
import { standaloneNodeLifecycle } from "../../components/redis/standaloneNodeLifecycle";
import { containerCreateBody } from "../../components/runtime/containerSpec";
import { ensureVolume, inspectContainer } from "../../components/runtime/dockerEngine";
import { ContainerInputs, ContainerOutputs, provider as containerProvider } from "../../components/runtime/engine/containerProvider";
import { readContainerFile } from "../support/containerFile";
import { Fixture } from "../support/fixture";
import { withRawClient } from "../support/rawClient";

const PASSWORD = "users-Secret-42";
const APP_PASSWORD = "app-generated-Secret-1";
const OPS_PASSWORD = "ops-generated-Secret-2";

describe("ACL users through the container provider (real containers)", function () {
    const fixture = new Fixture("rs-it-users", { basePort: "7160", standalonePort: "6969", subnet: "172.30.121.0/24" }, PASSWORD);
    const node = fixture.topology.standalone;
    const inputsWith = (users: AclUser[], passwords: Record<string, string>): ContainerInputs => ({
        body: containerCreateBody(node, fixture.topology),
        password: PASSWORD,
        endpoint: { name: node.name, ...node.hostAddress },
        dependsOnIds: [],
        lifecycle: standaloneNodeLifecycle,
        owner: fixture.owner,
        users,
        userPasswordHashes: Object.fromEntries(Object.entries(passwords).map(([u, p]) => [u, passwordHash(p)])),
    });
    const app = { name: "app", rules: ["~app:*", "+@read", "+@write"] };
    let state: ContainerOutputs;

    /** Logs in as the user and writes the key: the reply, or the error's message. */
    function write(user: string, password: string, key: string): Promise<string> {
        return withRawClient(node.hostAddress, async (client) => {
            await client.call("AUTH", user, password);
            return String(await client.set(key, "x"));
        }).catch((err: Error) => err.message);
    }
    const users = async () => {
        const client = new Redis({ ...node.hostAddress, password: PASSWORD });
        try {
            return (await client.call("ACL", "USERS")) as string[];
        } finally {
            client.disconnect();
        }
    };

    before(async () => {
        await fixture.destroy();
        await fixture.start({ standalone: false, cluster: false });
        await ensureVolume(fixture.docker, node.volume, { ...node.volumeLabels });
    });
    after(() => fixture.destroy());

    it("a new node whose users' rules Redis refuses: create fails naming the user, the node and Redis' reason; the node runs without them", async () => {
        const inputs = inputsWith([{ name: "app", rules: ["~app:*", "+@nosuchcategory"] }], { app: APP_PASSWORD });
        await assert.rejects(containerProvider.create(inputs), (err: Error) => {
            assert.match(
                err.message,
                new RegExp(
                    `redis-stack:users\\.app: got "~app:\\* \\+@nosuchcategory"; Redis on node ${node.name} at 127\\.0\\.0\\.1:6969 refused it: ERR Error in ACL SETUSER modifier '\\+@nosuchcategory'`,
                ),
            );
            assert.ok(!err.message.includes(passwordHash(APP_PASSWORD)) && !err.message.includes(PASSWORD));
            return true;
        });
        // Its file never got the refused line: the container is not stuck restarting on it.
        assert.equal((await inspectContainer(fixture.docker, node.name))?.running, true);
        assert.deepEqual(await users(), ["default", "redis-stack"]);
    });

    it("a new node with users: created with them (live and in its file), and a restart keeps them", async () => {
        // The leftover of the refused create above is replaced, as after a failed up.
        state = (await containerProvider.create(inputsWith([app], { app: APP_PASSWORD }))).outs as ContainerOutputs;
        assert.equal(await write("app", APP_PASSWORD, "app:1"), "OK");
        assert.match(await write("app", APP_PASSWORD, "other:1"), /^NOPERM/);
        const file = await readContainerFile(fixture.docker, node.name, "/etc/redis-stack-auth.conf");
        assert.ok(file.includes(`user app reset on #${passwordHash(APP_PASSWORD)} ~app:* +@read +@write\n`), file);
        assert.ok(!file.includes(APP_PASSWORD));
        await fixture.docker.getContainer(node.name).restart({ t: 1 });
        for (let i = 0; (await write("app", APP_PASSWORD, "app:2")) !== "OK"; i++) {
            assert.ok(i < 500, "app cannot write after the restart");
            await new Promise((r) => setTimeout(r, 20));
        }
    });

    it("update has the running node judge new rules before anything changes: refused ones fail it with Redis' reason; diff only reads; no probe user is left", async () => {
        const refused = inputsWith([app, { name: "ops", rules: ["+nosuchcommand"] }], { app: APP_PASSWORD, ops: OPS_PASSWORD });
        // Preview runs diff, which only reads (test/integration/readOnly.test.ts): the rules are a change, judged at update.
        assert.equal((await containerProvider.diff!("ignored", state, refused)).changes, true);
        await assert.rejects(
            containerProvider.update!("ignored", state, refused),
            /redis-stack:users\.ops: got "\+nosuchcommand"; Redis on node/,
        );
        const file = await readContainerFile(fixture.docker, node.name, "/etc/redis-stack-auth.conf");
        assert.ok(!file.includes("user ops"), "the refused user never reached the node's file");
        assert.equal(await write("app", APP_PASSWORD, "app:3"), "OK", "the node serves its users as before");
        const good = inputsWith([app, { name: "ops", rules: ["+@admin"] }], { app: APP_PASSWORD, ops: OPS_PASSWORD });
        assert.equal((await containerProvider.diff!("ignored", state, good)).changes, true);
        assert.equal((await containerProvider.diff!("ignored", state, inputsWith([app], { app: APP_PASSWORD }))).changes, false);
        assert.deepEqual(await users(), ["app", "default", "redis-stack"]);
    });

    it("update adds and changes users in place (same container), and removing one refuses it at once", async () => {
        const id = state.containerId;
        const changed = inputsWith(
            [
                { name: "app", rules: ["~app:*", "~shared:*", "+@write"] },
                { name: "ops", rules: ["+@all", "~*"] },
            ],
            {
                app: APP_PASSWORD,
                ops: OPS_PASSWORD,
            },
        );
        state = (await containerProvider.update!("ignored", state, changed)).outs as ContainerOutputs;
        assert.equal(state.containerId, id);
        assert.equal((await inspectContainer(fixture.docker, node.name))?.id, id);
        assert.equal(await write("app", APP_PASSWORD, "shared:1"), "OK");
        assert.equal(await write("ops", OPS_PASSWORD, "other:1"), "OK");
        state = (await containerProvider.update!("ignored", state, inputsWith([app], { app: APP_PASSWORD }))).outs as ContainerOutputs;
        assert.equal(state.containerId, id);
        assert.match(await write("ops", OPS_PASSWORD, "other:1"), /^WRONGPASS/);
        assert.match(await write("app", APP_PASSWORD, "shared:1"), /^NOPERM/);
        assert.deepEqual(await users(), ["app", "default", "redis-stack"]);
    });
});
