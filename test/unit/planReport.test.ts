// What the formation's diff prints for `pulumi preview` and `up`: the plan, numbered, under one header.
import { strict as assert } from "assert";
import { PLAN_PREFIX, planReport } from "../../components/formation/planReport";

describe("planReport", () => {
    it("a healthy cluster with nothing planned prints nothing", () => {
        assert.deepEqual(planReport({ lines: [], unreachable: [] }), []);
    });

    it("a plan prints a header with the step count, then each step numbered, then the nodes that did not answer", () => {
        const lines = planReport({
            lines: ["node-6 meets node-0", "move 1365 slots (0-1364) with their keys from node-0 to node-6"],
            unreachable: ["node-6", "node-7"],
        });
        assert.deepEqual(lines, [
            `${PLAN_PREFIX}: up will take 2 steps:`,
            "  1. node-6 meets node-0",
            "  2. move 1365 slots (0-1364) with their keys from node-0 to node-6",
            "  (not answering, so planned as their peers see them, or as new nodes: node-6, node-7)",
        ]);
    });

    it("says why the live cluster needs an up, with or without steps", () => {
        assert.deepEqual(planReport({ lines: ["node-3 replicates node-0"], unreachable: [] }, "node-3 has no master"), [
            `${PLAN_PREFIX}: up will take 1 step (the live cluster: node-3 has no master):`,
            "  1. node-3 replicates node-0",
        ]);
        assert.deepEqual(planReport({ lines: [], unreachable: ["node-2"] }, "unreachable: node-2"), [
            `${PLAN_PREFIX}: no step planned; up re-checks the cluster (the live cluster: unreachable: node-2)`,
        ]);
    });
});
