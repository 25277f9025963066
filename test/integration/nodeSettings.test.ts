// Passed-through Redis settings on a node that does not run yet: a name its server does not know fails
// the create naming the node and quoting redis-server, and leaves no container behind. The container
// provider's own methods on a real container (the Pulumi engine around them: test/e2e/nodeSettings.test.ts).
import { strict as assert } from "assert";
import { standaloneNodeLifecycle } from "../../components/redis/standaloneNodeLifecycle";
import { containerCreateBody } from "../../components/runtime/containerSpec";
import { ensureVolume, inspectContainer } from "../../components/runtime/dockerEngine";
import { ContainerInputs, ContainerOutputs, provider as containerProvider } from "../../components/runtime/engine/containerProvider";
import { Fixture } from "../support/fixture";

describe("Redis settings on a node that does not run yet (container provider, real container)", function () {
    const fixture = new Fixture(
        "rs-it-settings",
        { basePort: "7870", standalonePort: "6869", subnet: "172.30.128.0/24" },
        "settings-Secret-42",
    );
    const node = fixture.topology.standalone;
    const inputs = (redisConfig: Record<string, string>): ContainerInputs => ({
        body: containerCreateBody(node, fixture.topology),
        password: "settings-Secret-42",
        endpoint: { name: node.name, ...node.hostAddress },
        dependsOnIds: [],
        lifecycle: standaloneNodeLifecycle,
        owner: fixture.owner,
        redisConfig,
    });

    before(async () => {
        await fixture.destroy();
        await fixture.start({ standalone: false, cluster: false });
        await ensureVolume(fixture.docker, node.volume, { ...node.volumeLabels });
    });
    after(() => fixture.destroy());

    it("refuses a setting redis-server does not know at create, naming the node and what it printed, and removes the container", async () => {
        await assert.rejects(containerProvider.create(inputs({ maxmemory: "64mb", "no-such-setting": "1" })), (err: Error) => {
            assert.match(err.message, new RegExp(`node ${node.name} did not start with redis-stack:redisConfig`));
            // What redis-server printed: Redis 7 and Valkey name a bad directive; Redis 8 takes an unknown name for a
            // module's setting and reports it unresolved.
            assert.match(err.message, /Bad directive or wrong number of arguments|Unresolved Configuration/);
            assert.match(err.message, /no-such-setting/);
            // The line naming it as printed (Redis 8 prefixes its log lines, and redis-server is PID 1 in its container),
            // no byte of Docker's frame headers before it.
            assert.match(err.message, /^(1:[CM] [^#\n]*# )?>>> 'no-such-setting "?1"?'$/m);
            return true;
        });
        assert.equal(await inspectContainer(fixture.docker, node.name), undefined);
    });

    it("records the live values of the settings it starts with (what refresh compares against)", async () => {
        const created = (await containerProvider.create(inputs({ maxmemory: "64mb", "notify-keyspace-events": "Ex" })))
            .outs as ContainerOutputs;
        assert.deepEqual(created.liveConfig, { maxmemory: String(64 * 2 ** 20), "notify-keyspace-events": "xE" });
    });
});
