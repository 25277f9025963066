// One node replacement at a time across the whole deployment, cheapest first (replicas before
// masters), for every runtime whose nodes' lifecycle asks for it (`oneAtATime`): the engine's containers
// and Kubernetes' pods alike, so it lives beside them, in neither. Pulumi sends the updates of all nodes
// at once to the one dynamic-provider process; they queue here. A replacement that fails stops the rest of its
// stack's in the same run: Pulumi would go on updating the other nodes (they do not depend on each other), and a
// change the nodes cannot take (an image their data cannot move to) would take down one node after another. The queue lives on globalThis, not in a module variable, so that it stays
// one queue even if this module is loaded more than once in the process.
import { Clock, Deadline, WaitSettings, done, notYet, pollUntil, waitSettings } from "../common/wait";
import type { Timeouts } from "../common/timeouts";
import { messageOf } from "../common/errorMessage";

// A string key, not a Symbol: readable in a debugger and the same for every copy.
const QUEUE_KEY = "__redisStackReplacementTurns";

/** Whose replacement asks for a turn: its stack (one RedisStack's nodes) and the node. */
export interface TurnOwner {
    readonly group: string;
    readonly node: string;
}

/** Ends a turn: with `failed` when the replacement did not succeed, which refuses the rest of its group's. */
export type ReleaseTurn = (failed?: { readonly error: unknown }) => void;

interface Waiter {
    readonly owner: TurnOwner;
    /** Lower goes first; asked when a turn is handed out, since roles change as nodes fail over. */
    readonly cost: () => Promise<number>;
    readonly grant: (release: ReleaseTurn) => void;
    readonly refuse: (err: Error) => void;
}

/** The refusal of a node's replacement after another of its stack failed in the same run. */
export function haltedMessage(node: string, failed: TurnOwner, error: unknown): string {
    const reason = messageOf(error).split("\n")[0].slice(0, 300);
    return (
        `${node} was not replaced: the replacement of ${failed.node} failed earlier in this run (${reason}). ` +
        `The other nodes are left as they run, so the cluster keeps serving; fix what made it fail (for an image ` +
        `the nodes' data cannot move to, set the previous image again) and run up again.`
    );
}

/**
 * A queue of replacements that hands out one turn at a time. Before the first turn, requests are gathered
 * until none has arrived for `turnQuietMs`; if only masters are waiting then, for `turnMasterQuietMs`;
 * both within `turnGatherMs` (components/common/timeouts.ts).
 */
export class ReplacementTurns {
    private busy = false;
    private waiters: Waiter[] = [];
    /** Groups whose replacement failed in this run, with the node and its error. */
    private readonly halted = new Map<string, { node: TurnOwner; error: unknown }>();
    /** When the last request arrived. */
    private lastArrival = -Infinity;
    /** When the last turn ended: right after one, the others of the deployment are already queued. */
    private lastRelease = -Infinity;
    private readonly timeouts: Timeouts;
    private readonly clock: Clock;

    constructor(settings: WaitSettings = {}) {
        ({ timeouts: this.timeouts, clock: this.clock } = waitSettings(settings));
    }

    /**
     * Resolves when it is this caller's turn; call the returned function when done, saying whether it failed.
     * Rejects when a replacement of the same group failed earlier in this run.
     */
    awaitTurn(cost: () => Promise<number>, owner: TurnOwner = { group: "", node: "a node" }): Promise<ReleaseTurn> {
        return new Promise((grant, refuse) => {
            const halted = this.halted.get(owner.group);
            if (halted) return refuse(new Error(haltedMessage(owner.node, halted.node, halted.error)));
            this.waiters.push({ owner, cost, grant, refuse });
            this.lastArrival = this.clock.now();
            void this.handOut();
        });
    }

    /** No more turns for `failed`'s group in this run: its waiting replacements are refused. */
    private halt(failed: TurnOwner, error: unknown): void {
        this.halted.set(failed.group, { node: failed, error });
        const refused = this.waiters.filter((w) => w.owner.group === failed.group);
        this.waiters = this.waiters.filter((w) => w.owner.group !== failed.group);
        for (const waiter of refused) waiter.refuse(new Error(haltedMessage(waiter.owner.node, failed, error)));
    }

    /** Waits until no request has arrived for `quietMs`, or until `gathering` expires. */
    private async quiet(quietMs: number, gathering: Deadline): Promise<void> {
        await pollUntil(
            async () => (this.clock.now() - this.lastArrival >= quietMs ? done(undefined) : notYet("a request arrived lately")),
            { within: gathering, pollMs: this.timeouts.pollMs },
        );
    }

    private async handOut(): Promise<void> {
        if (this.busy || this.waiters.length === 0) return;
        this.busy = true;
        const { turnQuietMs, turnMasterQuietMs, turnGatherMs } = this.timeouts;
        const askCosts = () => Promise.all(this.waiters.map((w) => w.cost().catch(() => 0)));
        // Right after a turn, the deployment's other requests are already here.
        const firstTurn = this.clock.now() - this.lastRelease > turnQuietMs;
        const gathering = new Deadline(turnGatherMs, this.clock);
        if (firstTurn) await this.quiet(turnQuietMs, gathering);
        let costs = await askCosts();
        if (firstTurn && Math.min(...costs) > 0) {
            await this.quiet(turnMasterQuietMs, gathering);
            costs = await askCosts();
        }
        const next = costs.indexOf(Math.min(...costs));
        const [waiter] = this.waiters.splice(next, 1);
        let released = false;
        waiter.grant((failed) => {
            if (released) return;
            released = true;
            if (failed) this.halt(waiter.owner, failed.error);
            this.busy = false;
            this.lastRelease = this.clock.now();
            void this.handOut();
        });
    }
}

/** The process's one queue, on the real clock and the table's timeouts. */
function processTurns(): ReplacementTurns {
    const holder = globalThis as unknown as Record<string, ReplacementTurns | undefined>;
    return (holder[QUEUE_KEY] ??= new ReplacementTurns());
}

/** Resolves when it is this caller's turn in the process's queue; call the returned function when done. */
export function awaitReplacementTurn(cost: () => Promise<number>, owner: TurnOwner): Promise<ReleaseTurn> {
    return processTurns().awaitTurn(cost, owner);
}

/** Runs `replace` in `release`'s turn, which it ends saying whether `replace` failed. */
export async function inTurn<T>(release: ReleaseTurn, replace: () => Promise<T>): Promise<T> {
    try {
        const result = await replace();
        release();
        return result;
    } catch (error) {
        release({ error });
        throw error;
    }
}
