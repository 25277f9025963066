// Pure parsing of `CLUSTER NODES` and `CLUSTER INFO` replies, and the questions formation asks of them.

export interface ClusterNodeLine {
    readonly id: string;
    /** `ip:port` the node is known by (bus port and hostname stripped). */
    readonly address: string;
    readonly flags: readonly string[];
    /** Master id for replicas, `undefined` for masters. */
    readonly masterId?: string;
    readonly configEpoch: number;
    readonly connected: boolean;
    /** Slot numbers owned, expanded from ranges. */
    readonly slots: readonly number[];
    /** Open slots (shown on the `myself` line only): `[slot->-id]`, being moved from this node to `peer`. */
    readonly migrating: readonly OpenSlot[];
    /** Open slots: `[slot-<-id]`, being moved to this node from `peer`. */
    readonly importing: readonly OpenSlot[];
}

/** A slot left half-moved by CLUSTER SETSLOT IMPORTING/MIGRATING; `peer` is the other side's node id. */
export interface OpenSlot {
    readonly slot: number;
    readonly peer: string;
}

const MIGRATING = /^\[(\d+)->-([0-9a-f]+)\]$/;
const IMPORTING = /^\[(\d+)-<-([0-9a-f]+)\]$/;

export function parseClusterNodes(text: string): ClusterNodeLine[] {
    return text
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "")
        .map((line) => {
            const [id, addr, flags, master, , , epoch, link, ...slotTokens] = line.split(" ");
            const slots: number[] = [];
            const migrating: OpenSlot[] = [];
            const importing: OpenSlot[] = [];
            for (const token of slotTokens) {
                const out = MIGRATING.exec(token);
                const into = IMPORTING.exec(token);
                if (out) migrating.push({ slot: Number(out[1]), peer: out[2] });
                if (into) importing.push({ slot: Number(into[1]), peer: into[2] });
                if (token.startsWith("[")) continue;
                const [start, end] = token.split("-").map(Number);
                for (let s = start; s <= (end ?? start); s++) slots.push(s);
            }
            return {
                id,
                address: addr.split("@")[0],
                flags: flags.split(","),
                masterId: master === "-" ? undefined : master,
                configEpoch: Number(epoch),
                connected: link === "connected",
                slots,
                migrating,
                importing,
            };
        });
}

export function myself(lines: readonly ClusterNodeLine[]): ClusterNodeLine {
    const me = lines.find((l) => l.flags.includes("myself"));
    if (!me) throw new Error("CLUSTER NODES reply has no 'myself' line");
    return me;
}

export function isMaster(line: ClusterNodeLine): boolean {
    return line.flags.includes("master");
}

/** Still meeting: a handshake or an address not yet learned. */
export function isPending(line: ClusterNodeLine): boolean {
    return line.flags.includes("handshake") || line.flags.includes("noaddr");
}

export function parseInfo(text: string): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const i = line.indexOf(":");
        if (i > 0 && !line.startsWith("#")) fields[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    return fields;
}

/** Compresses sorted slot numbers to `start-end` strings, as redis-cli prints them. */
export function slotRangesOf(slots: readonly number[]): string[] {
    const sorted = [...slots].sort((a, b) => a - b);
    const out: string[] = [];
    let i = 0;
    while (i < sorted.length) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
        out.push(sorted[i] === sorted[j] ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
        i = j + 1;
    }
    return out;
}
