// A clock for unit tests of code that waits (components/common/wait.ts Clock): time moves only when the test
// says so, from one sleeper's wake-up to the next, so a wait of minutes runs in microseconds and no test
// sleeps for real.
import type { Clock } from "../../components/common/wait";

interface Sleeper {
    readonly at: number;
    readonly order: number;
    readonly wake: () => void;
}

/** Lets every promise callback that is ready run (all of them run before the event loop's next phase). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeClock implements Clock {
    private time = 0;
    private made = 0;
    private sleepers: Sleeper[] = [];
    /** Every sleep asked for, in order, in ms: a wait's cadence. */
    readonly sleeps: number[] = [];

    now(): number {
        return this.time;
    }

    sleep(ms: number): Promise<void> {
        this.sleeps.push(ms);
        return new Promise((wake) => this.sleepers.push({ at: this.time + ms, order: this.made++, wake }));
    }

    /** Lets `ms` pass: each sleeper due wakes at its time, in order, and runs until it sleeps again. */
    async advance(ms: number): Promise<void> {
        const until = this.time + ms;
        for (;;) {
            await settle();
            const next = this.next();
            if (!next || next.at > until) break;
            this.wake(next);
        }
        this.time = until;
        await settle();
    }

    /** Moves time from one sleeper to the next until `work` settles; fails if it waits for anything but this clock. */
    async run<T>(work: Promise<T>): Promise<T> {
        let finished = false;
        work.then(
            () => (finished = true),
            () => (finished = true),
        );
        for (;;) {
            await settle();
            if (finished) return work;
            const next = this.next();
            if (!next) throw new Error("FakeClock.run: the work waits for something other than the clock");
            this.wake(next);
        }
    }

    private next(): Sleeper | undefined {
        return [...this.sleepers].sort((a, b) => a.at - b.at || a.order - b.order)[0];
    }

    private wake(sleeper: Sleeper): void {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        this.time = Math.max(this.time, sleeper.at);
        sleeper.wake();
    }
}
