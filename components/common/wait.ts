// The one place the project waits: look at something until it is as wanted, at a cadence, within a
// bound that is either fixed or about progress (nothing moved for that long), on a clock that a test
// replaces. Free of Pulumi and of any I/O but the clock's: the Redis protocol layer, the runtimes and
// the providers all wait through it. Every bound comes from components/common/timeouts.ts.
import { DEFAULT_TIMEOUTS, Timeouts } from "./timeouts";

/** Where a wait reads the time and sleeps: the real one, or a test's fake (test/support/fakeClock.ts). */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/** How a function that waits does so, for a caller or a test to set. */
export interface WaitSettings {
    /**
     * The bounds and cadences.
     * @default DEFAULT_TIMEOUTS
     */
    readonly timeouts?: Timeouts;
    /**
     * @default systemClock
     */
    readonly clock?: Clock;
}

/** The settings with every default filled in. */
export function waitSettings(settings: WaitSettings = {}): Required<WaitSettings> {
    return { timeouts: settings.timeouts ?? DEFAULT_TIMEOUTS, clock: settings.clock ?? systemClock };
}

/**
 * A bound on work that may take long but must keep moving: it expires once `ms` have passed since it
 * was made or since the work last `progressed()`. A deadline never told of progress is a fixed one.
 */
export class Deadline {
    private last: number;

    constructor(
        readonly ms: number,
        readonly clock: Clock = systemClock,
    ) {
        this.last = clock.now();
    }

    /** The work moved on: the bound counts from now. */
    progressed(): void {
        this.last = this.clock.now();
    }

    /** How long nothing has moved. */
    idleMs(): number {
        return this.clock.now() - this.last;
    }

    expired(): boolean {
        return this.idleMs() >= this.ms;
    }
}

/** What one look found: done (with a value), or not yet and why not (a timeout quotes the last why). */
export type Look<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly problem: string };

export const done = <T>(value: T): Look<T> => ({ done: true, value });
export const notYet = (problem: string): Look<never> => ({ done: false, problem });

export interface PollOptions {
    /**
     * Bound on this wait: from its start, or (with `progress`) from the last change of the progress
     * measure. A wait needs this or `within`, or both.
     */
    readonly timeoutMs?: number;
    /** A bound this wait shares with others (a formation's): the wait ends when it expires too. */
    readonly within?: Deadline;
    /**
     * A measure of what the looks get done (keys moved so far): while it changes, `timeoutMs` counts from
     * its last change and the next look follows at once. A wait that keeps moving is never cut off for
     * its length; one where nothing moved for `timeoutMs` is.
     */
    readonly progress?: () => number;
    /**
     * Pause between two looks (none after a look that made progress).
     * @default DEFAULT_TIMEOUTS.pollMs
     */
    readonly pollMs?: number;
    /**
     * @default the clock of `within`, else systemClock
     */
    readonly clock?: Clock;
}

export interface WaitOptions extends PollOptions {
    /** What is waited for, for the default error: `timed out waiting for <what>: <last problem>`. */
    readonly what: string;
    /**
     * The error when the bound is reached, from the last look's problem and how long nothing moved; it
     * names what was waited for and the node at fault.
     */
    readonly error?: (problem: string, waitedMs: number) => Error;
}

/** The last look when the bound was reached, and how long nothing had moved then. */
export type PollResult<T> = Look<T> & { readonly waitedMs: number };

/**
 * Looks until `look` is done or the bound is reached, whichever comes first; there is always at least one
 * look. Returns the last look; throws only what `look` throws (it decides which failures to look again after).
 */
export async function pollUntil<T>(look: () => Promise<Look<T>>, options: PollOptions): Promise<PollResult<T>> {
    if (options.timeoutMs === undefined && options.within === undefined) throw new TypeError("a wait needs a bound: timeoutMs or within");
    const clock = options.clock ?? options.within?.clock ?? systemClock;
    const pollMs = options.pollMs ?? DEFAULT_TIMEOUTS.pollMs;
    const own = new Deadline(options.timeoutMs ?? Infinity, clock);
    let measure = options.progress?.();
    for (;;) {
        const last = await look();
        if (last.done) return { ...last, waitedMs: own.idleMs() };
        const now = options.progress?.();
        const moved = now !== measure;
        if (moved) {
            measure = now;
            own.progressed();
        }
        if (own.expired()) return { ...last, waitedMs: own.idleMs() };
        if (options.within?.expired()) return { ...last, waitedMs: options.within.idleMs() };
        if (!moved) await clock.sleep(pollMs);
    }
}

export class WaitTimeoutError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WaitTimeoutError";
    }
}

/** As pollUntil, and the value of the look that was done; reaching the bound throws `options.error`'s error. */
export async function waitFor<T>(look: () => Promise<Look<T>>, options: WaitOptions): Promise<T> {
    const result = await pollUntil(look, options);
    if (result.done) return result.value;
    const error = options.error ?? ((problem: string) => new WaitTimeoutError(`timed out waiting for ${options.what}: ${problem}`));
    throw error(result.problem, result.waitedMs);
}

/**
 * Runs `send` again (after `pollMs`) while it fails with an error that `retryable` accepts, within the
 * bound; reaching it throws that last error as it is. Any other error is thrown at once.
 */
export async function retrying<T>(send: () => Promise<T>, retryable: (err: unknown) => boolean, options: PollOptions): Promise<T> {
    let refusal: unknown;
    const sent = await pollUntil(async (): Promise<Look<T>> => {
        try {
            return done(await send());
        } catch (err) {
            if (!retryable(err)) throw err;
            refusal = err;
            return notYet("refused for now");
        }
    }, options);
    if (sent.done) return sent.value;
    throw refusal;
}
