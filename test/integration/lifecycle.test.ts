// What happens to a formed cluster over time: a master dies and fails over, every container restarts,
// the Docker engine restarts (an engine this test starts itself). Real containers, with a password so
// replicas must authenticate.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import Redis, { Cluster } from "ioredis";
import { formCluster, inspectCluster, FormationSpec } from "../../components/redis/form";
import { formationProvider } from "../../components/formation/provider";
import { parseInfo } from "../../components/redis/clusterView";
import { waitClusterOk } from "../support/clusterState";
import { Fixture, TEST_IMAGE, placedFormationNodes } from "../support/fixture";
import { PrivateDockerEngine } from "../support/privateEngine";

const PASSWORD = "lifecycle-Pa55word";
const KEYS = 1000;

function specOf(fixture: Fixture): FormationSpec {
    return {
        nodes: placedFormationNodes(fixture.topology),
        slotPlan: fixture.topology.slotPlan,
        password: PASSWORD,
        connectTimeoutMs: 30000,
    };
}

function clusterClient(fixture: Fixture): Cluster {
    return new Cluster(
        fixture.topology.clusterNodes.map((n) => ({ host: n.announceHost, port: n.clientPort })),
        {
            redisOptions: { password: PASSWORD },
        },
    );
}

async function writeKeys(fixture: Fixture): Promise<void> {
    const cluster = clusterClient(fixture);
    try {
        for (let i = 0; i < KEYS; i++) await cluster.set(`key:${i}`, `value-${i}`);
    } finally {
        cluster.disconnect();
    }
}

async function countIntactKeys(fixture: Fixture): Promise<number> {
    const cluster = clusterClient(fixture);
    try {
        let intact = 0;
        for (let i = 0; i < KEYS; i++) if ((await cluster.get(`key:${i}`)) === `value-${i}`) intact++;
        return intact;
    } finally {
        cluster.disconnect();
    }
}

async function roleOf(port: number): Promise<string> {
    const c = new Redis({ port, password: PASSWORD });
    try {
        return parseInfo(await c.info("replication")).role;
    } finally {
        c.disconnect();
    }
}

describe("lifecycle of a formed cluster (real containers)", function () {
    const fixture = new Fixture("rs-it-life", { basePort: "7300", standalonePort: "6679", subnet: "172.30.103.0/24" }, PASSWORD);
    const ports = fixture.topology.clusterNodes.map((n) => n.clientPort);
    let ids: Record<string, string> = {};

    before(async function () {
        await fixture.destroy();
        await fixture.start();
        const formed = await formCluster(specOf(fixture));
        ids = Object.fromEntries(formed.nodes.map((n) => [n.name, n.id]));
        await writeKeys(fixture);
    });
    after(() => fixture.destroy());

    it("a stopped master fails over to its replica within node timeout plus election, and refresh sees the new roles", async () => {
        const [master0, , , replica0] = fixture.topology.clusterNodes;
        execFileSync("docker", ["stop", "-t", "0", master0.name]);
        const stopped = Date.now();
        const survivors = ports.filter((p) => p !== master0.clientPort);
        while ((await roleOf(replica0.clientPort)) !== "master") await new Promise((r) => setTimeout(r, 20));
        await waitClusterOk(
            survivors.map((p) => `127.0.0.1:${p}`),
            PASSWORD,
            30000,
        );
        const failoverMs = Date.now() - stopped;
        console.log(`      failover with cluster-node-timeout ${fixture.settings.clusterNodeTimeoutMs} ms took ${failoverMs} ms`);
        // A correctness bound, not a speed target: node timeout, then at most a few election rounds.
        assert.ok(failoverMs < fixture.settings.clusterNodeTimeoutMs * 2 + 5000, `failover took ${failoverMs} ms`);

        const seen = await inspectCluster({ ...specOf(fixture), connectTimeoutMs: 1000 });
        assert.equal(seen.healthy, false);
        assert.match(seen.problem ?? "", new RegExp(`node ${master0.name} .* did not answer`));
        const byName = Object.fromEntries(seen.nodes.map((n) => [n.name, n]));
        assert.equal(byName[replica0.name].role, "master");
        assert.deepEqual(byName[replica0.name].slots, ["0-5460"]);
        assert.equal(byName[master0.name].reachable, false);

        // The dynamic provider's read (pulumi refresh) records the same, so the next `up` reconciles.
        const read = await formationProvider.read!("formation", {
            nodes: placedFormationNodes(fixture.topology),
            slotPlan: [...fixture.topology.slotPlan],
            password: PASSWORD,
            containerIds: [],
            connectTimeoutMs: 1000,
            timeoutMs: 60000,
            nodeStates: [],
            clusterState: "ok",
            formedInMs: 0,
        });
        assert.match(String(read.props?.clusterState), /^unreachable: /);
        assert.ok(!String(read.props?.clusterState).includes(PASSWORD));
    });

    it("the old master, started again, rejoins as a replica of the new one with the password, and no key is lost", async () => {
        const [master0, , , replica0] = fixture.topology.clusterNodes;
        execFileSync("docker", ["start", master0.name]);
        const result = await formCluster(specOf(fixture));
        const byName = Object.fromEntries(result.nodes.map((n) => [n.name, n]));
        assert.equal(byName[master0.name].role, "replica");
        assert.equal(byName[master0.name].replicaOf, replica0.name);
        assert.equal(byName[master0.name].id, ids[master0.name], "same cluster identity");
        assert.equal(await countIntactKeys(fixture), KEYS);
    });

    it("docker restart of all seven containers brings back the same cluster with its data, no formation needed", async () => {
        const started = Date.now();
        execFileSync("docker", ["restart", "-t", "1", ...fixture.nodes.map((n) => n.name)]);
        await waitClusterOk(
            ports.map((p) => `127.0.0.1:${p}`),
            PASSWORD,
            60000,
        );
        console.log(`      docker restart of all containers to cluster_state:ok on every node: ${Date.now() - started} ms`);
        const seen = await inspectCluster(specOf(fixture));
        assert.equal(seen.healthy, true, seen.problem);
        assert.deepEqual(Object.fromEntries(seen.nodes.map((n) => [n.name, n.id])), ids);
        assert.equal(await countIntactKeys(fixture), KEYS);
        const standalone = new Redis({ port: fixture.topology.standalone.clientPort, password: PASSWORD });
        assert.equal(await standalone.ping(), "PONG");
        standalone.disconnect();
    });
});

describe("a Docker engine restart (an engine this test starts, never the host's)", function () {
    let engine: PrivateDockerEngine;
    let fixture: Fixture;
    let ids: Record<string, string> = {};

    before(async function () {
        engine = await PrivateDockerEngine.start([TEST_IMAGE]);
        // Host networking: the private engine has no bridge and leaves iptables alone.
        fixture = new Fixture("rs-it-engine", { basePort: "7320", standalonePort: "6689", networkMode: "host" }, PASSWORD, engine.client);
        await fixture.start();
        const formed = await formCluster(specOf(fixture));
        ids = Object.fromEntries(formed.nodes.map((n) => [n.name, n.id]));
        await writeKeys(fixture);
    });
    after(async () => {
        await engine?.destroy();
    });

    it("brings the cluster back by itself (restart policy, nodes.conf on volumes) with the same identities and every key", async () => {
        const ports = fixture.topology.clusterNodes.map((n) => n.clientPort);
        const pidBefore = engine.pid;
        const restarted = Date.now();
        await engine.restart();
        assert.notEqual(engine.pid, pidBefore, "dockerd was restarted");
        await waitClusterOk(
            ports.map((p) => `127.0.0.1:${p}`),
            PASSWORD,
            120000,
        );
        console.log(
            `      after a Docker engine restart, cluster_state:ok on every node ${Date.now() - restarted} ms after dockerd was stopped`,
        );
        const seen = await inspectCluster(specOf(fixture));
        assert.equal(seen.healthy, true, seen.problem);
        assert.deepEqual(Object.fromEntries(seen.nodes.map((n) => [n.name, n.id])), ids);
        assert.equal(await countIntactKeys(fixture), KEYS);
        const standalone = new Redis({ port: fixture.topology.standalone.clientPort, password: PASSWORD });
        try {
            assert.equal(await standalone.ping(), "PONG");
        } finally {
            standalone.disconnect();
        }
    });
});
