// Pure: a formation plan as lines a person reads (`pulumi preview`).
import { slotRangesOf } from "./clusterView";
import type { Step } from "./planSteps";

function nodeList(names: readonly string[]): string {
    return names.join(", ");
}

/** The plan as lines a person reads (`pulumi preview`); consecutive meetings of one node share a line. */
export function describePlan(steps: readonly Step[]): string[] {
    const lines: string[] = [];
    for (let i = 0; i < steps.length; i++) {
        const step = steps[i];
        switch (step.kind) {
            case "forget":
                lines.push(
                    step.retired
                        ? `every node forgets ${step.id.slice(0, 8)} (${step.why})`
                        : `${nodeList(step.on)} forget ${step.id.slice(0, 8)}: ${step.why}`,
                );
                break;
            case "reset":
                lines.push(`${step.node} is reset to an empty master (CLUSTER RESET SOFT): ${step.why}`);
                break;
            case "add-slots":
                lines.push(`${step.node} takes free slots ${slotRangesOf(step.slots).join(",")}`);
                break;
            case "set-epoch":
                lines.push(`${step.node} gets config epoch ${step.epoch}`);
                break;
            case "meet": {
                const peers = [step.peer];
                while (steps[i + 1]?.kind === "meet" && (steps[i + 1] as { node: string }).node === step.node)
                    peers.push((steps[++i] as { peer: string }).peer);
                lines.push(`${step.node} meets ${nodeList(peers)}`);
                break;
            }
            case "await-meet":
                lines.push("wait until every node knows every other at its announced address");
                break;
            case "override-config":
                lines.push(`set ${step.name} to ${step.value} on ${nodeList(step.nodes)} while forming, then restore it (${step.why})`);
                break;
            case "replicate":
                lines.push(`${step.node} replicates ${step.master}`);
                break;
            case "await-ok":
                lines.push(`wait for cluster_state:ok on every node (${step.why})`);
                break;
            case "failover":
                lines.push(`${step.node} takes over the slots of ${step.from}, which leaves (CLUSTER FAILOVER)`);
                break;
            case "close-slot": {
                const a = step.action;
                lines.push(
                    a.kind === "finish"
                        ? `open slot ${step.slot}: finish its move from ${a.from} to ${a.to}`
                        : a.kind === "stable"
                          ? `open slot ${step.slot}: mark it stable on ${nodeList(a.nodes)}`
                          : `open slot ${step.slot}: move its keys from ${nodeList(a.from)} back to its owner ${a.to}`,
                );
                break;
            }
            case "move-slots":
                lines.push(
                    `move ${step.slots.length} slots (${slotRangesOf(step.slots).join(",")}) with their keys from ${step.from} to ${step.to}`,
                );
                break;
            case "retire":
                lines.push(`${step.node} leaves the cluster (CLUSTER RESET SOFT)`);
                break;
        }
    }
    return lines;
}
