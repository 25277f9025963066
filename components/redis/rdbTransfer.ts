// Pure: the framing of a full resynchronisation as a master sends it to a replica, which is how a snapshot of
// a running node is taken over the network (what `redis-cli --rdb` does): after `PSYNC ? -1` the master answers
// `+FULLRESYNC <replid> <offset>`, then the RDB, either as `$<length>` and that many bytes (made on its disk
// first) or, diskless, as `$EOF:<40-byte mark>`, the bytes, and the mark again. Newlines before either line are
// the master's keep-alives while it forks. No I/O here: ./snapshot.ts feeds the socket's bytes in.

const MARK_LENGTH = 40;

export interface FullResync {
    readonly replid: string;
    readonly offset: number;
}

/** Takes the bytes a master sends after PSYNC; hands the RDB's bytes on as they come, and says when it has all of them. */
export class RdbTransferParser {
    private pending: Buffer = Buffer.alloc(0);
    private state: "reply" | "header" | "body" | "done" = "reply";
    private remaining = 0;
    private eofMark: Buffer | undefined;
    /** What +FULLRESYNC said, once it came. */
    resync: FullResync | undefined;
    /** The RDB's bytes handed on so far. */
    received = 0;

    constructor(private readonly onRdb: (chunk: Buffer) => void) {}

    get finished(): boolean {
        return this.state === "done";
    }

    /** Feeds what came from the socket; throws on a reply that is not a full resync (the master's error, say). */
    push(chunk: Buffer): void {
        this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
        for (;;) {
            if (this.state === "reply" || this.state === "header") {
                const line = this.takeLine();
                if (line === undefined) return;
                if (line === "") continue; // a keep-alive
                if (this.state === "reply") this.readReply(line);
                else this.readHeader(line);
                continue;
            }
            if (this.state === "body") {
                if (!this.takeBody()) return;
                continue;
            }
            return;
        }
    }

    private takeLine(): string | undefined {
        const end = this.pending.indexOf(0x0a);
        if (end < 0) return undefined;
        const line = this.pending.subarray(0, end).toString("latin1").replace(/\r$/, "");
        this.pending = this.pending.subarray(end + 1);
        return line;
    }

    private readReply(line: string): void {
        const match = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)$/.exec(line);
        if (!match) throw new Error(`the node did not start a full resynchronisation: ${line.slice(0, 200)}`);
        this.resync = { replid: match[1], offset: Number(match[2]) };
        this.state = "header";
    }

    private readHeader(line: string): void {
        const eof = /^\$EOF:(.{40})$/.exec(line);
        if (eof) {
            this.eofMark = Buffer.from(eof[1], "latin1");
        } else {
            const sized = /^\$(\d+)$/.exec(line);
            if (!sized) throw new Error(`the node sent no RDB after FULLRESYNC: ${line.slice(0, 200)}`);
            this.remaining = Number(sized[1]);
        }
        this.state = "body";
    }

    /** Hands on what it can of the body; true when the body is complete. */
    private takeBody(): boolean {
        if (this.eofMark === undefined) {
            const take = Math.min(this.remaining, this.pending.length);
            if (take > 0) this.emit(this.pending.subarray(0, take));
            this.pending = this.pending.subarray(take);
            this.remaining -= take;
            if (this.remaining > 0) return false;
            this.state = "done";
            return true;
        }
        // Diskless: the mark ends it; the last 40 bytes are held back until more comes, as they may be the mark.
        const at = this.pending.indexOf(this.eofMark);
        if (at >= 0) {
            if (at > 0) this.emit(this.pending.subarray(0, at));
            this.pending = this.pending.subarray(at + MARK_LENGTH);
            this.state = "done";
            return true;
        }
        const keep = Math.min(this.pending.length, MARK_LENGTH - 1);
        const ready = this.pending.length - keep;
        if (ready > 0) this.emit(this.pending.subarray(0, ready));
        this.pending = this.pending.subarray(ready);
        return false;
    }

    private emit(chunk: Buffer): void {
        this.received += chunk.length;
        this.onRdb(Buffer.from(chunk));
    }
}
