// Pure: what a long slot move tells the user while it runs (slots handed over, keys moved, keys a second),
// at most every REPORT_MS, so a formation that moves a lot of data does not look stuck. Time comes from
// the formation's clock, so tests run it on a fake one.
import type { Clock } from "../common/wait";

/** How often, at most, a line is said while keys move. */
export const REPORT_MS = 2000;

export class MoveProgress {
    private slots = 0;
    private keys = 0;
    private started: number | undefined;
    private lastReport: number | undefined;

    constructor(
        private readonly slotsToMove: number,
        private readonly clock: Clock,
        private readonly say: (line: string) => void,
    ) {}

    /** The moves begin: rates count from here. */
    start(): void {
        this.started ??= this.clock.now();
        this.lastReport ??= this.started;
    }

    /** Keys one MIGRATE moved (a property, so it can be handed on as a callback). */
    readonly onMoved = (keys: number): void => {
        this.start();
        this.keys += keys;
        this.maybeReport();
    };

    /** A slot handed over to its new owner. */
    readonly onSlotMoved = (): void => {
        this.start();
        this.slots++;
        this.maybeReport();
    };

    /** The line as it would be said now. */
    line(): string {
        const seconds = this.started === undefined ? 0 : (this.clock.now() - this.started) / 1000;
        const rate = seconds > 0 ? `, ${Math.round(this.keys / seconds).toLocaleString("en-US")} keys/s` : "";
        const count = (n: number) => n.toLocaleString("en-US");
        return `moving slots: ${count(this.slots)} of ${count(this.slotsToMove)} handed over, ${count(this.keys)} keys moved${rate}`;
    }

    /** The line once every move is done. */
    summary(): string {
        const ms = this.started === undefined ? 0 : this.clock.now() - this.started;
        const rate = ms > 0 ? ` (${Math.round((this.keys * 1000) / ms).toLocaleString("en-US")} keys/s)` : "";
        const count = (n: number) => n.toLocaleString("en-US");
        return `moved ${count(this.slots)} slots with ${count(this.keys)} keys in ${(ms / 1000).toFixed(1)} s${rate}`;
    }

    private maybeReport(): void {
        // The first line comes REPORT_MS after the start: a short move says nothing but its summary.
        const now = this.clock.now();
        if (this.lastReport !== undefined && now - this.lastReport < REPORT_MS) return;
        this.lastReport = now;
        this.say(this.line());
    }
}
