// One node replacement at a time across the whole deployment, cheapest first (replicas before
// masters), for every runtime whose nodes' lifecycle asks for it (`oneAtATime`): the engine's containers
// and Kubernetes' pods alike, so it lives beside them, in neither. Pulumi sends the updates of all nodes
// at once to the one dynamic-provider process; they queue here. The queue lives on globalThis, not in a module variable, so that it stays
// one queue even if this module is loaded more than once in the process.
// A string key, not a Symbol: readable in a debugger and the same for every copy.
import { DEFAULT_TIMEOUTS } from "../timeouts";

const QUEUE_KEY = "__redisStackReplacementTurns";
/**
 * Before the first turn, requests are gathered until none has arrived for `turnQuietMs`; if only
 * masters are waiting then, for `turnMasterQuietMs`; both within `turnGatherMs` (components/timeouts.ts).
 */
const { turnQuietMs: QUIET_MS, turnMasterQuietMs: MASTER_QUIET_MS, turnGatherMs: GATHER_LIMIT_MS, pollMs: POLL_MS } = DEFAULT_TIMEOUTS;

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

/** Waits until no request has arrived for `quietMs`, or until GATHER_LIMIT_MS have passed since `since`. */
async function quiet(q: Queue, quietMs: number, since: number): Promise<void> {
    while (Date.now() - q.lastArrival < quietMs && Date.now() - since < GATHER_LIMIT_MS) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
}

async function handOut(q: Queue): Promise<void> {
    if (q.busy || q.waiters.length === 0) return;
    q.busy = true;
    const askCosts = () => Promise.all(q.waiters.map((w) => w.cost().catch(() => 0)));
    // Right after a turn, the deployment's other requests are already here.
    const firstTurn = Date.now() - q.lastRelease > QUIET_MS;
    const started = Date.now();
    if (firstTurn) await quiet(q, QUIET_MS, started);
    let costs = await askCosts();
    if (firstTurn && Math.min(...costs) > 0) {
        await quiet(q, MASTER_QUIET_MS, started);
        costs = await askCosts();
    }
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
