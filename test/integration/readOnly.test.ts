// Preview and refresh never write to a node: what the providers' diff and read (what `preview` and
// `refresh` run) send to real redis-server containers, as the nodes themselves count it (INFO
// commandstats before and after). Nodes from before the stack had its own user are the telling case:
// connecting to one as the default user used to give it that user (ACL SETUSER), at preview too.
import { strict as assert } from "assert";
import { PROJECT_USER, passwordHash } from "../../components/settings/aclUsers";
import { readingOnly } from "../../components/contracts/nodeAccess";
import { formationProvider, FormationInputs, FormationOutputs } from "../../components/formation/provider";
import { connectNode } from "../../components/redis/connect";
import { standaloneNodeLifecycle } from "../../components/redis/standaloneNodeLifecycle";
import { containerCreateBody } from "../../components/runtime/containerSpec";
import { inspectContainer } from "../../components/runtime/dockerEngine";
import { ContainerInputs, recorded } from "../../components/runtime/engine/containerChanges";
import { provider as containerProvider } from "../../components/runtime/engine/containerProvider";
import type { DockerNode } from "../../components/runtime/dockerPlacement";
import { Fixture, placedFormationNodes } from "../support/fixture";
import { waitAnswering, withRawClient } from "../support/rawClient";

const PASSWORD = "readonly-Secret-7";

/**
 * What a node may be sent while it is only looked at, written out here rather than taken from the code
 * under test: connecting (AUTH, PING), the counting connection's own INFO, and the reads of observing a
 * cluster and its settings.
 */
const READS = new Set(["auth", "ping", "info", "dbsize", "config|get", "cluster|info", "cluster|nodes", "cluster|countkeysinslot"]);

/** Calls per command as the node counts them (`acl|setuser`, `config|get`, ...), asked as the default user. */
function commandCounts(node: DockerNode): Promise<Map<string, number>> {
    return withRawClient(node.hostAddress, async (client) => {
        await client.call("AUTH", PASSWORD);
        const counts = new Map<string, number>();
        for (const [, name, calls] of String(await client.info("commandstats")).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
            counts.set(name, Number(calls));
        }
        return counts;
    });
}

/** The commands the node ran between two counts, with how many times. */
function ranBetween(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
    const ran: Record<string, number> = {};
    for (const [name, calls] of after) if (calls > (before.get(name) ?? 0)) ran[name] = calls - (before.get(name) ?? 0);
    return ran;
}

/** What each node ran while `look` ran. */
async function ranDuring(nodes: readonly DockerNode[], look: () => Promise<unknown>): Promise<Record<string, number>[]> {
    const before = await Promise.all(nodes.map(commandCounts));
    await look();
    const after = await Promise.all(nodes.map(commandCounts));
    return nodes.map((_, i) => ranBetween(before[i], after[i]));
}

const writesIn = (ran: Record<string, number>) => Object.keys(ran).filter((name) => !READS.has(name));

async function users(node: DockerNode): Promise<string[]> {
    return withRawClient(node.hostAddress, async (client) => {
        await client.call("AUTH", PASSWORD);
        return (await client.call("ACL", "USERS")) as string[];
    });
}

describe("preview and refresh never write to a node (real containers)", function () {
    const fixture = new Fixture(
        "rs-it-readonly",
        { basePort: "7740", standalonePort: "6939", subnet: "172.30.146.0/24", masters: "3", replicasPerMaster: "0" },
        PASSWORD,
    );
    const clusterNodes = fixture.topology.clusterNodes;
    const standalone = fixture.topology.standalone;
    /** A node as stacks left it before they had their own user (not restarted since): reached as the default user. */
    const older = clusterNodes[0];

    before(async () => {
        await fixture.destroy();
        await fixture.start();
        // Every node takes connections before the counts: one still starting would refuse the counting connection.
        await Promise.all(fixture.nodes.map((node) => waitAnswering(node.hostAddress)));
        for (const node of [older, standalone]) {
            // Once it answers (connectNode waits for a starting node), as the user the node then loses.
            const client = await connectNode({ name: node.name, ...node.hostAddress }, PASSWORD, 20000);
            try {
                await client.call("ACL", "DELUSER", PROJECT_USER);
            } finally {
                client.disconnect();
            }
        }
    });
    after(() => fixture.destroy());

    it("the formation's diff and read send the nodes nothing but reads, the older node gets no user, the unformed cluster stays unformed", async () => {
        const inputs: FormationInputs = {
            nodes: placedFormationNodes(fixture.topology),
            slotPlan: [...fixture.topology.slotPlan],
            password: PASSWORD,
            containerIds: clusterNodes.map((n) => n.name),
            connectTimeoutMs: 20000,
            timeoutMs: 60000,
        };
        // Recorded as formed and healthy: the diff then asks the live cluster (and, finding it unformed, plans).
        const olds: FormationOutputs = { ...inputs, nodeStates: [], clusterState: "ok", formedInMs: 0 };
        let changes: boolean | undefined;
        let clusterState = "";
        const ran = await ranDuring(clusterNodes, async () => {
            changes = (await formationProvider.diff!("id", olds, inputs)).changes;
            clusterState = String(((await formationProvider.read!("id", olds)).props as FormationOutputs).clusterState);
        });
        assert.equal(changes, true, "the unformed cluster is a change for the next up");
        assert.notEqual(clusterState, "ok");
        ran.forEach((commands, i) => {
            assert.deepEqual(writesIn(commands), [], `${clusterNodes[i].name} ran ${JSON.stringify(commands)}`);
            assert.ok(commands["cluster|nodes"] >= 2, `${clusterNodes[i].name} was looked at by both: ${JSON.stringify(commands)}`);
        });
        assert.ok(!(await users(older)).includes(PROJECT_USER), "the older node was not given the project's user");
        for (const node of clusterNodes) {
            const slots = await withRawClient(node.hostAddress, async (client) => {
                await client.call("AUTH", PASSWORD);
                return String(await client.call("CLUSTER", "INFO"));
            });
            assert.match(slots, /cluster_slots_assigned:0/, `${node.name}: no slot assigned`);
        }
    });

    it("the engine container's diff and read send the node nothing but reads: new users' rules, new settings and drift only looked at", async () => {
        const live = await inspectContainer(fixture.docker, standalone.name);
        const inputs: ContainerInputs = {
            body: containerCreateBody(standalone, fixture.topology),
            password: PASSWORD,
            endpoint: { name: standalone.name, ...standalone.hostAddress },
            dependsOnIds: [],
            lifecycle: standaloneNodeLifecycle,
            owner: fixture.owner,
            redisConfig: { "maxmemory-policy": "allkeys-lru" },
        };
        // Applied once as noeviction (the node runs with it): refresh sees a drift only by asking the node.
        const olds = { ...recorded(inputs, live!.id), liveConfig: { "maxmemory-policy": "allkeys-lru" } };
        const news: ContainerInputs = {
            ...inputs,
            users: [{ name: "app", rules: ["~app:*", "+@nosuchcategory"] }],
            userPasswordHashes: { app: passwordHash("app-Secret-1") },
            redisConfig: { "maxmemory-policy": "allkeys-lru", hz: "20" },
        };
        let drifted: unknown;
        const [ran] = await ranDuring([standalone], async () => {
            assert.equal((await containerProvider.diff!(live!.id, olds, news)).changes, true);
            drifted = ((await containerProvider.read!(live!.id, olds)).props as ContainerInputs).redisConfig;
        });
        assert.deepEqual(writesIn(ran), [], JSON.stringify(ran));
        // It did ask: the new setting's name (diff) and the drifted one (read).
        assert.ok(ran["config|get"] >= 2, JSON.stringify(ran));
        assert.deepEqual(drifted, { "maxmemory-policy": "noeviction" }, "refresh records the live value");
        assert.deepEqual((await users(standalone)).sort(), ["default"], "no user added, no probe user, no project user");
    });

    it("a connection opened while only reading refuses a write before sending it, naming the node and the command", async () => {
        const endpoint = { name: standalone.name, ...standalone.hostAddress };
        const [ran] = await ranDuring([standalone], () =>
            readingOnly(async () => {
                const client = await connectNode(endpoint, PASSWORD, 20000);
                try {
                    await assert.rejects(
                        client.call("CONFIG", "SET", "hz", "20"),
                        new RegExp(`node ${standalone.name} at 127\\.0\\.0\\.1:6939: CONFIG SET not sent: this connection only reads`),
                    );
                    await assert.rejects(client.call("ACL", "SETUSER", "someone", "on", ">not-shown-1"), (err: Error) => {
                        assert.match(err.message, /ACL SETUSER not sent/);
                        assert.ok(!err.message.includes("not-shown-1") && !err.message.includes("someone"), "no argument in the message");
                        return true;
                    });
                    assert.equal(await client.ping(), "PONG");
                } finally {
                    client.disconnect();
                }
            }),
        );
        assert.deepEqual(writesIn(ran), [], JSON.stringify(ran));
    });

    it("outside preview and refresh, connecting gives the older node the project's user: the counts above would have shown it", async () => {
        const endpoint = { name: older.name, ...older.hostAddress };
        const [ran] = await ranDuring([older], async () => (await connectNode(endpoint, PASSWORD, 20000)).disconnect());
        assert.equal(ran["acl|setuser"], 1, JSON.stringify(ran));
        assert.ok((await users(older)).includes(PROJECT_USER));
    });
});
