// One node replacement at a time across the whole deployment, cheapest first (replicas before
// masters). Pulumi sends the updates of all node containers at once to the one dynamic-provider
// process; they queue here. The queue lives on globalThis because the provider's functions are
// serialized and loaded once per resource, so a module variable would not be shared between them.
// A string key, not a Symbol: closure serialization cannot carry a Symbol value.
const QUEUE_KEY = "__redisStackReplacementTurns";
/** How long the first request waits for the others of the same deployment to arrive. */
const GATHER_MS = 300;

interface Waiter {
    /** Lower goes first; asked when a turn is handed out, since roles change as nodes fail over. */
    readonly cost: () => Promise<number>;
    readonly grant: (release: () => void) => void;
}

interface Queue {
    busy: boolean;
    waiters: Waiter[];
    /** When the last turn ended: right after one, the others of the deployment are already queued. */
    lastRelease: number;
}

function queue(): Queue {
    const holder = globalThis as unknown as Record<string, Queue | undefined>;
    return (holder[QUEUE_KEY] ??= { busy: false, waiters: [], lastRelease: 0 });
}

async function handOut(q: Queue): Promise<void> {
    if (q.busy || q.waiters.length === 0) return;
    q.busy = true;
    if (Date.now() - q.lastRelease > GATHER_MS) await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
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
        void handOut(q);
    });
}
