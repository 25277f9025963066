// One node replacement at a time across the whole deployment, cheapest first (replicas before
// masters), for every runtime whose nodes' lifecycle asks for it (`oneAtATime`): the engine's containers
// and Kubernetes' pods alike, so it lives beside them, in neither. Pulumi sends the updates of all nodes
// at once to the one dynamic-provider process; they queue here. The queue lives on globalThis, not in a module variable, so that it stays
// one queue even if this module is loaded more than once in the process.
import { Clock, Deadline, WaitSettings, done, notYet, pollUntil, waitSettings } from "../common/wait";
import type { Timeouts } from "../common/timeouts";

// A string key, not a Symbol: readable in a debugger and the same for every copy.
const QUEUE_KEY = "__redisStackReplacementTurns";

interface Waiter {
    /** Lower goes first; asked when a turn is handed out, since roles change as nodes fail over. */
    readonly cost: () => Promise<number>;
    readonly grant: (release: () => void) => void;
}

/**
 * A queue of replacements that hands out one turn at a time. Before the first turn, requests are gathered
 * until none has arrived for `turnQuietMs`; if only masters are waiting then, for `turnMasterQuietMs`;
 * both within `turnGatherMs` (components/common/timeouts.ts).
 */
export class ReplacementTurns {
    private busy = false;
    private waiters: Waiter[] = [];
    /** When the last request arrived. */
    private lastArrival = -Infinity;
    /** When the last turn ended: right after one, the others of the deployment are already queued. */
    private lastRelease = -Infinity;
    private readonly timeouts: Timeouts;
    private readonly clock: Clock;

    constructor(settings: WaitSettings = {}) {
        ({ timeouts: this.timeouts, clock: this.clock } = waitSettings(settings));
    }

    /** Resolves when it is this caller's turn; call the returned function when done. */
    awaitTurn(cost: () => Promise<number>): Promise<() => void> {
        return new Promise((grant) => {
            this.waiters.push({ cost, grant });
            this.lastArrival = this.clock.now();
            void this.handOut();
        });
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
        waiter.grant(() => {
            if (released) return;
            released = true;
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
export function awaitReplacementTurn(cost: () => Promise<number>): Promise<() => void> {
    return processTurns().awaitTurn(cost);
}
