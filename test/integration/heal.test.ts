// The providers' diff looks at what really runs, so a plain `up` brings back a node that was stopped,
// killed or removed, and re-forms a cluster that is not healthy. The providers' own methods, on real
// containers (the Pulumi engine around them is exercised by the e2e tests).
import { strict as assert } from "assert";
import Redis from "ioredis";
import { FormationOutputs, formationProvider } from "../../components/formation/provider";
import { standaloneNodeLifecycle } from "../../components/redis/standaloneNodeLifecycle";
import { authConfigFiles, containerCreateBody } from "../../components/runtime/containerSpec";
import { ensureContainer, ensureVolume, inspectContainer, removeContainer, stopContainer } from "../../components/runtime/dockerEngine";
import { ContainerInputs, ContainerOutputs, provider as containerProvider } from "../../components/runtime/engine/containerProvider";
import { OWNER_LABEL } from "../../components/runtime/ownership";
import { DEFAULT_TIMEOUTS } from "../../components/common/timeouts";
import { waitClusterOk } from "../support/clusterState";
import { Fixture, TEST_IMAGE, placedFormationNodes } from "../support/fixture";

const PASSWORD = "heal-Secret-42";

describe("a plain up heals (providers' diff against real containers)", function () {
    const fixture = new Fixture("rs-it-heal", { basePort: "7950", standalonePort: "6949", subnet: "172.30.112.0/24" }, PASSWORD);
    const node = fixture.topology.standalone;
    const inputs: ContainerInputs = {
        body: containerCreateBody(node, fixture.topology),
        password: PASSWORD,
        endpoint: { name: node.name, ...node.hostAddress },
        dependsOnIds: [],
        lifecycle: standaloneNodeLifecycle,
        owner: fixture.owner,
    };
    let state: ContainerOutputs;
    const diff = async () => (await containerProvider.diff!("ignored", state, inputs)).changes;
    const update = async () => {
        state = (await containerProvider.update!("ignored", state, inputs)).outs as ContainerOutputs;
    };
    const get = async (key: string) => {
        const client = new Redis({
            ...node.hostAddress,
            password: PASSWORD,
            lazyConnect: true,
            retryStrategy: (n) => (n < 50 ? 100 : null),
        });
        try {
            return await client.get(key);
        } finally {
            client.disconnect();
        }
    };
    const set = async (key: string, value: string) => {
        const client = new Redis({ ...node.hostAddress, password: PASSWORD });
        try {
            await client.set(key, value);
        } finally {
            client.disconnect();
        }
    };

    before(async () => {
        await fixture.destroy();
        await fixture.start({ standalone: false });
        await ensureVolume(fixture.docker, node.volume, { ...node.labels });
        state = (await containerProvider.create(inputs)).outs as ContainerOutputs;
        await set("kept", "on the volume");
    });
    after(() => fixture.destroy());

    it("the standalone node, running as recorded: no change", async () => {
        assert.equal(await diff(), false);
    });

    it("stopped (docker stop): diff reports a change and update starts the same container again", async () => {
        await stopContainer(fixture.docker, node.name, 10);
        assert.equal(await diff(), true);
        const before = state.containerId;
        await update();
        assert.equal(state.containerId, before);
        assert.equal((await inspectContainer(fixture.docker, node.name))?.running, true);
        assert.equal(await get("kept"), "on the volume");
        assert.equal(await diff(), false);
    });

    it("removed (docker rm -f): update creates it again on its volume, with its data", async () => {
        await removeContainer(fixture.docker, node.name);
        assert.equal(await diff(), true);
        await update();
        assert.equal((await inspectContainer(fixture.docker, node.name))?.id, state.containerId);
        assert.equal(await get("kept"), "on the volume");
        assert.equal(await diff(), false);
    });

    it("another container under its name: one without the stack's owner id is refused and left as it is; one with it is replaced by the declared one", async () => {
        await removeContainer(fixture.docker, node.name);
        const stranger = await ensureContainer(fixture.docker, { ...inputs.body, Image: TEST_IMAGE }, authConfigFiles(PASSWORD));
        assert.equal(await diff(), true);
        await assert.rejects(update(), /not this stack's/);
        assert.equal((await inspectContainer(fixture.docker, node.name))?.id, stranger, "someone else's container is left as it was");

        await removeContainer(fixture.docker, node.name);
        const labels = { ...inputs.body.Labels, [OWNER_LABEL]: fixture.owner.ownerId! };
        const ours = await ensureContainer(
            fixture.docker,
            { ...inputs.body, Image: TEST_IMAGE, Labels: labels },
            authConfigFiles(PASSWORD),
        );
        assert.equal(await diff(), true);
        await update();
        assert.notEqual(state.containerId, ours);
        assert.equal((await inspectContainer(fixture.docker, node.name))?.id, state.containerId);
    });

    it("the formation: no change on a healthy cluster, a change while a node is down, none once it is back", async () => {
        const formationInputs = {
            nodes: placedFormationNodes(fixture.topology),
            slotPlan: [...fixture.topology.slotPlan],
            password: PASSWORD,
            containerIds: [],
            connectTimeoutMs: DEFAULT_TIMEOUTS.connectMs,
            timeoutMs: DEFAULT_TIMEOUTS.formationMs,
        };
        const formed = (await formationProvider.create(formationInputs)).outs as FormationOutputs;
        const formationDiff = async () => (await formationProvider.diff!("ignored", formed, formationInputs)).changes;
        assert.equal(await formationDiff(), false);

        const replica = fixture.topology.clusterNodes.find((n) => n.role === "replica")!;
        await stopContainer(fixture.docker, replica.name, 10);
        const started = Date.now();
        assert.equal(await formationDiff(), true);
        assert.ok(
            Date.now() - started < DEFAULT_TIMEOUTS.probeMs + 2000,
            `the check of a down node is bounded by probeMs (took ${Date.now() - started} ms)`,
        );

        await fixture.docker.getContainer(replica.name).start();
        await formationProvider.update!("ignored", formed, formationInputs);
        await waitClusterOk(
            fixture.topology.clusterNodes.map((n) => `${n.hostAddress.host}:${n.hostAddress.port}`),
            PASSWORD,
            30000,
        );
        assert.equal(await formationDiff(), false);
    });
});
