// Formation interrupted midway: a node stops answering while the others are joining. Forming must fail
// within its bounds with an error that names the node, and a second run must complete the cluster.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { FormationError, formCluster, inspectCluster } from "../../components/redis/form";
import { COMMAND_TIMEOUT_MS } from "../../components/redis/connect";
import { Fixture, placedFormationNodes } from "../support/fixture";

describe("formation interrupted by a node that stops answering (real containers)", function () {
    const fixture = new Fixture(
        "rs-it-partial",
        { basePort: "7700", standalonePort: "6979", subnet: "172.30.107.0/24" },
        "partial-Secret-1",
    );
    const spec = () => ({
        nodes: placedFormationNodes(fixture.topology),
        slotPlan: fixture.topology.slotPlan,
        password: fixture.password,
        connectTimeoutMs: 20000,
        timeoutMs: 30000,
    });
    const victim = fixture.topology.clusterNodes[4];

    before(async () => {
        await fixture.destroy();
        await fixture.start({ standalone: false });
    });
    after(async () => {
        try {
            execFileSync("docker", ["unpause", victim.name], { stdio: "ignore" });
        } catch {
            /* not paused */
        }
        await fixture.destroy();
    });

    it("fails with an error naming the hung node, within the command timeout, instead of hanging", async () => {
        const started = Date.now();
        let pausedAt = 0;
        await assert.rejects(
            formCluster(spec(), (step) => {
                // Right after slots are assigned and MEET is sent: the node freezes mid-join.
                if (step === "slots assigned, meet sent" && !pausedAt) {
                    execFileSync("docker", ["pause", victim.name]);
                    pausedAt = Date.now();
                }
            }),
            (err: Error) => {
                assert.ok(err instanceof FormationError, `${err.name}: ${err.message}`);
                assert.match(err.message, new RegExp(`node ${victim.name} at 127\\.0\\.0\\.1:7704 stopped answering while forming`));
                assert.ok(!err.message.includes(fixture.password!), "the error does not carry the password");
                return true;
            },
        );
        assert.ok(pausedAt > 0, "the node was paused mid-formation");
        const failedAfterMs = Date.now() - pausedAt;
        console.log(`      interrupted formation failed ${failedAfterMs} ms after the node hung (${Date.now() - started} ms in all)`);
        assert.ok(failedAfterMs < COMMAND_TIMEOUT_MS + 5000, `it failed within its bound, not after ${failedAfterMs} ms`);
    });

    it("the next run, with the node back, completes the same cluster", async () => {
        execFileSync("docker", ["unpause", victim.name]);
        const result = await formCluster(spec());
        assert.equal(result.changed, true, "the second run had work left to do");
        const inspection = await inspectCluster(spec());
        assert.equal(inspection.healthy, true, inspection.problem);
        assert.equal(inspection.nodes.filter((n) => n.role === "master").length, 3);
        assert.equal(inspection.nodes.filter((n) => n.role === "replica").length, 3);
        assert.deepEqual(
            inspection.nodes
                .filter((n) => n.role === "master")
                .flatMap((n) => n.slots)
                .sort(),
            ["0-5460", "10923-16383", "5461-10922"],
        );
    });
});
