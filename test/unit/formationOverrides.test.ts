// The settings formation overrides while it forms (components/redis/formationOverrides.ts) go back to their
// declared values, also after a formation killed before its `finally` put them back: the planner compares
// each node's live value with the declared one (recorded replies with the temporary values put in), and an
// override ends with the declared value even on a node already at the temporary one (fake nodes).
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import type { Redis as RedisClient } from "ioredis";
import { applyPlan } from "../../components/redis/apply";
import { declaredSettings } from "../../components/redis/formationOverrides";
import { FormationSpec } from "../../components/redis/formationTypes";
import { healthProblem } from "../../components/redis/health";
import { NodeReplies, Observation } from "../../components/redis/observation";
import { Step, describePlan, planSteps } from "../../components/redis/plan";
import { DEFAULT_TIMEOUTS } from "../../components/common/timeouts";
import { Deadline } from "../../components/common/wait";
import { loopbackMaster } from "../support/formationNodes";

interface Recorded {
    readonly spec: FormationSpec;
    readonly observation: Observation;
}

const node = (i: number) => `rs-fx-plan-node-${i}`;
const DECLARED = declaredSettings(5000);
/** What a formation leaves on the nodes while it runs: a short node timeout (fresh nodes), replica migration off (slots moving). */
const OVERRIDDEN = { "cluster-node-timeout": "500", "cluster-allow-replica-migration": "no" };

/** A recording planned with the declared settings, its nodes (`which`, by default every one) answering with `live`. */
function recorded(name: string, live: Record<string, string>, which?: readonly number[]): Recorded {
    const r = JSON.parse(readFileSync(join(__dirname, "fixtures", "formation", `${name}.json`), "utf8")) as Recorded;
    const changed = new Set((which ?? r.spec.nodes.map((_, i) => i)).map(node));
    const withLive = (replies: NodeReplies): NodeReplies => ({ ...replies, settings: { ...replies.settings, ...live } });
    return {
        spec: { ...r.spec, declaredSettings: DECLARED },
        observation: {
            nodes: r.observation.nodes.map((n) => (changed.has(n.name) && n.replies ? { ...n, replies: withLive(n.replies) } : n)),
        },
    };
}

function ofKind<K extends Step["kind"]>(steps: readonly Step[], kind: K): Array<Extract<Step, { kind: K }>> {
    return steps.filter((s): s is Extract<Step, { kind: K }> => s.kind === kind);
}

describe("formation overrides after a killed run", () => {
    describe("planner", () => {
        it("a formed cluster whose nodes still have the temporary values: each setting goes back to its declared value, and nothing else is planned", () => {
            const { spec, observation } = recorded("healthy-3x1", OVERRIDDEN);
            const plan = planSteps(spec, observation);
            const everyNode = [0, 1, 2, 3, 4, 5].map(node);
            assert.deepEqual(plan.steps, [
                { kind: "restore-config", name: "cluster-node-timeout", value: "5000", nodes: everyNode },
                { kind: "restore-config", name: "cluster-allow-replica-migration", value: "yes", nodes: everyNode },
            ]);
            // The cluster itself is healthy: the restores are what `up` (and its preview) reports.
            assert.equal(healthProblem(spec, observation, plan), undefined);
            assert.deepEqual(describePlan(plan.steps), [
                `set cluster-node-timeout back to its declared 5000 on ${everyNode.join(", ")} (a formation cut short, or a CONFIG SET, left another value)`,
                `set cluster-allow-replica-migration back to its declared yes on ${everyNode.join(", ")} (a formation cut short, or a CONFIG SET, left another value)`,
            ]);
        });

        it("only the nodes whose live value differs are set back", () => {
            const { spec, observation } = recorded("healthy-3x1", { "cluster-node-timeout": "500" }, [2, 4]);
            assert.deepEqual(planSteps(spec, observation).steps, [
                { kind: "restore-config", name: "cluster-node-timeout", value: "5000", nodes: [node(2), node(4)] },
            ]);
        });

        it("a declared value other than the default counts: a node at the default 5000 goes to the declared 15000", () => {
            const { spec, observation } = recorded("healthy-3x1", {});
            const plan = planSteps({ ...spec, declaredSettings: declaredSettings(15000) }, observation);
            assert.deepEqual(
                ofKind(plan.steps, "restore-config").map((s) => [s.name, s.value, s.nodes.length]),
                [["cluster-node-timeout", "15000", 6]],
            );
        });

        it("nodes at the declared values plan nothing", () => {
            const { spec, observation } = recorded("healthy-3x1", DECLARED);
            assert.deepEqual(planSteps(spec, observation).steps, []);
        });

        it("without declared values (a stack's state from before they were recorded) nothing is set back", () => {
            const { spec, observation } = recorded("healthy-3x1", OVERRIDDEN);
            assert.deepEqual(planSteps({ ...spec, declaredSettings: undefined }, observation).steps, []);
        });

        it("a slot move cut short: the restores come first, and the override of replica migration ends with the declared value, not the one found", () => {
            const { spec, observation } = recorded("half-moved-slot", { "cluster-allow-replica-migration": "no" });
            const { steps } = planSteps(spec, observation);
            assert.deepEqual(steps[0], {
                kind: "restore-config",
                name: "cluster-allow-replica-migration",
                value: "yes",
                nodes: [0, 1, 2, 3, 4, 5].map(node),
            });
            const [override] = ofKind(steps, "override-config");
            assert.equal(override.name, "cluster-allow-replica-migration");
            assert.equal(override.value, "no");
            assert.equal(override.restore, "yes");
            assert.ok(ofKind(steps, "close-slot").length > 0, "the half-moved slot is still closed");
        });

        it("fresh nodes: the shortened node timeout ends with the declared value", () => {
            const { spec, observation } = recorded("fresh-3x1", {});
            const [override] = ofKind(planSteps(spec, observation).steps, "override-config");
            assert.deepEqual([override.name, override.value, override.restore], ["cluster-node-timeout", "500", "5000"]);
        });
    });

    describe("apply", () => {
        /** A node that answers CONFIG GET and SET of one setting. */
        class FakeNode {
            constructor(public value: string) {}
            async call(...args: string[]): Promise<unknown> {
                if (args[0] === "CONFIG" && args[1] === "GET") return [args[2], this.value];
                if (args[0] === "CONFIG" && args[1] === "SET") {
                    this.value = args[3];
                    return "OK";
                }
                throw new Error(`unexpected ${args.join(" ")}`);
            }
        }

        async function override(values: readonly string[], restore: string | undefined): Promise<string[]> {
            const fakes = values.map((v) => new FakeNode(v));
            const restores: Array<() => Promise<void>> = [];
            const names = fakes.map((_, i) => `node-${i}`);
            await applyPlan(
                [
                    {
                        kind: "override-config",
                        name: "cluster-allow-replica-migration",
                        value: "no",
                        nodes: names,
                        why: "the test",
                        ...(restore ? { restore } : {}),
                    },
                ],
                {
                    nodes: fakes.map((f, i) => ({ node: loopbackMaster(names[i], 7000 + i), client: f as unknown as RedisClient })),
                    ids: new Map(),
                    deadline: new Deadline(DEFAULT_TIMEOUTS.formationMs),
                    restores,
                },
            );
            assert.deepEqual(
                fakes.map((f) => f.value),
                values.map(() => "no"),
                "overridden while forming",
            );
            for (const r of restores) await r();
            return fakes.map((f) => f.value);
        }

        it("with a declared value, every node goes back to it, also one a killed formation left at the temporary value", async () => {
            assert.deepEqual(await override(["yes", "no"], "yes"), ["yes", "yes"]);
        });

        it("without one, each node goes back to its value before", async () => {
            assert.deepEqual(await override(["yes", "no"], undefined), ["yes", "no"]);
        });
    });
});
