// One node replacement at a time across the whole deployment, cheapest first (replicas before
// masters). Pulumi sends the updates of all node containers at once to the one dynamic-provider
// process; they queue here. The queue lives on globalThis because the provider's functions are
// serialized and loaded once per resource, so a module variable would not be shared between them.
// A string key, not a Symbol: closure serialization cannot carry a Symbol value.
const QUEUE_KEY = "__redisStackReplacementTurns";
/**
 * Before the first turn, requests are gathered until none has arrived for QUIET_MS (at most
 * GATHER_LIMIT_MS): the updates of one deployment arrive close together, but not at once.
 */
const QUIET_MS = 500;
const GATHER_LIMIT_MS = 5000;

interface Waiter {
    /** Lower goes first; asked when a turn is handed out, since roles change as nodes fail over. */
    readonly cost: () => Promise<number>;
    readonly grant: (release: () => void) => void;
}

interface Queue {
    busy: boolean;
    waiters: Waiter[];
    /** When the last request arrived. */
    lastArrival: number;
    /** When the last turn ended: right after one, the others of the deployment are already queued. */
    lastRelease: number;
}

function queue(): Queue {
    const holder = globalThis as unknown as Record<string, Queue | undefined>;
    return (holder[QUEUE_KEY] ??= { busy: false, waiters: [], lastArrival: 0, lastRelease: 0 });
}

async function handOut(q: Queue): Promise<void> {
    if (q.busy || q.waiters.length === 0) return;
    q.busy = true;
    if (Date.now() - q.lastRelease > QUIET_MS) {
        const started = Date.now();
        while (Date.now() - q.lastArrival < QUIET_MS && Date.now() - started < GATHER_LIMIT_MS) {
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }
    const costs = await Promise.all(q.waiters.map((w) => w.cost().catch(() => 0)));
    const next = costs.indexOf(Math.min(...costs));
    const [waiter] = q.waiters.splice(next, 1);
    let released = false;
    waiter.grant(() => {
        if (released) return;
        released = true;
        q.busy = false;
        q.lastRelease = Date.now();
        void handOut(q);
    });
}

/** Resolves when it is this caller's turn; call the returned function when done. */
export function awaitReplacementTurn(cost: () => Promise<number>): Promise<() => void> {
    const q = queue();
    return new Promise((grant) => {
        q.waiters.push({ cost, grant });
        q.lastArrival = Date.now();
        void handOut(q);
    });
}
