// Pure: what the formation planner knows of each node as it plays the steps forward (its id, role, master
// and the peers it knows, from what it answered or, when it did not, from its peers), who owns each slot,
// and which nodes must still meet.
import { ClusterNodeLine, isMaster, isPending } from "./clusterView";
import { FormationNode, announcedAddress } from "./formationTypes";
import type { NodeView } from "./observation";

/** What the planner tracks of each node while it plays the steps forward. */
export interface Sim {
    readonly v: NodeView;
    readonly name: string;
    readonly id: string;
    readonly leaving: boolean;
    /** Node id -> the address this node knows it at (handshakes excluded). */
    known: Map<string, string>;
    master: boolean;
    masterId?: string;
    readonly configEpoch: number;
}

interface NodeLike {
    readonly node: FormationNode;
    readonly id: string;
    readonly view: readonly ClusterNodeLine[];
}

/**
 * The meetings that make every node know every other at its announced address (nodes.conf may hold an
 * old address, after a subnet change say; meeting the node at the new one makes Redis update it). Only
 * one side of a pair meets the other, the side that does not know it: two handshakes per pair would
 * race. All pairs meet at once: the handshakes carry ids and slots directly, where meeting one node and
 * waiting for gossip takes seconds.
 */
export function meetsNeeded(nodes: readonly NodeLike[]): Array<{ node: string; peer: string }> {
    const knows = (a: NodeLike, b: NodeLike) =>
        a.view.some((l) => l.id === b.id && !isPending(l) && l.address === announcedAddress(b.node));
    return meetsBetween(
        nodes.map((n) => ({ name: n.node.name, node: n.node, id: n.id })),
        (a, b) => knows(nodes[a], nodes[b]),
    );
}

export function meetsBetween(
    nodes: ReadonlyArray<{ name: string }>,
    knows: (a: number, b: number) => boolean,
): Array<{ node: string; peer: string }> {
    const meets: Array<{ node: string; peer: string }> = [];
    nodes.forEach((a, i) =>
        nodes.forEach((b, j) => {
            if (j <= i) return;
            if (!knows(i, j)) meets.push({ node: a.name, peer: b.name });
            else if (!knows(j, i)) meets.push({ node: b.name, peer: a.name });
        }),
    );
    return meets;
}

/** A node that did not answer (only when previewing): as its peers see it, or as a fresh node if none knows it. */
export function peerLine(v: NodeView, all: readonly NodeView[]): ClusterNodeLine | undefined {
    return all.flatMap((o) => o.view).find((l) => !l.flags.includes("myself") && !isPending(l) && l.address === announcedAddress(v.node));
}

export function simulate(v: NodeView, all: readonly NodeView[], leaving: boolean): Sim {
    const line = v.me ?? peerLine(v, all);
    const known = new Map<string, string>();
    if (v.me) {
        for (const l of v.view) if (l !== v.me && !isPending(l)) known.set(l.id, l.address);
    } else if (line) {
        // Known to its peers but not answering: assume it knows them as they know it.
        for (const o of all) if (o.me) known.set(o.id, announcedAddress(o.node));
    }
    return {
        v,
        name: v.node.name,
        id: line?.id ?? "",
        leaving,
        known,
        master: line ? isMaster(line) : true,
        masterId: line?.masterId,
        configEpoch: line?.configEpoch ?? 0,
    };
}

/** Each slot's owner (node name): the claim with the highest config epoch wins, as in Redis itself. */
export function slotOwners(sims: readonly Sim[], all: readonly NodeView[]): Map<number, string> {
    const owner = new Map<number, { name: string; epoch: number }>();
    const claim = (name: string, line: ClusterNodeLine) => {
        for (const slot of line.slots) {
            const current = owner.get(slot);
            if (!current || line.configEpoch > current.epoch) owner.set(slot, { name, epoch: line.configEpoch });
        }
    };
    for (const s of sims) if (s.v.me) claim(s.name, s.v.me);
    for (const s of sims) {
        if (s.v.me) continue;
        const line = peerLine(s.v, all);
        if (line) for (const slot of line.slots) if (!owner.has(slot)) owner.set(slot, { name: s.name, epoch: line.configEpoch });
    }
    return new Map([...owner].map(([slot, o]) => [slot, o.name]));
}
