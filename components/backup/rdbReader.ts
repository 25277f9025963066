// Pure: the keys of an RDB file as RESTORE takes them. Each entry of an RDB is a type byte, the key and the value
// in the same serialisation DUMP uses, so a key's DUMP payload is its type byte and value bytes, sliced from the
// file as they are, followed by the file's RDB version and the CRC-64 of both (./crc64.ts). Reading a value means
// only finding where it ends. Types a module defines, and hashes with per-field TTLs (Redis 7.4+), are refused by
// name: their layout is not read here. Functions (FUNCTION2) and module data outside keys are skipped.
import { messageOf } from "../common/errorMessage";
import { crc64 } from "./crc64";

export interface RdbKey {
    readonly db: number;
    readonly key: Buffer;
    /** The DUMP payload RESTORE takes. */
    readonly payload: Buffer;
    /** Absolute expiry in Unix milliseconds; absent without one. */
    readonly expiresAtMs?: number;
}

const OP = { SLOT_INFO: 244, FUNCTION2: 245, FUNCTION_PRE_GA: 246, MODULE_AUX: 247, IDLE: 248, FREQ: 249, AUX: 250 } as const;
const OP_RESIZEDB = 251;
const OP_EXPIRETIME_MS = 252;
const OP_EXPIRETIME = 253;
const OP_SELECTDB = 254;
const OP_EOF = 255;

const TYPE_NAMES: Record<number, string> = {
    6: "module (pre-GA)",
    7: "module",
    22: "hash with field TTLs (pre-GA)",
    23: "hash with field TTLs (pre-GA)",
    24: "hash with field TTLs",
    25: "hash with field TTLs",
};

class Cursor {
    constructor(
        readonly buf: Buffer,
        public at: number,
    ) {}

    byte(): number {
        if (this.at >= this.buf.length) throw new Error("the RDB file ends in the middle of an entry");
        return this.buf[this.at++];
    }

    skip(n: number): void {
        if (this.at + n > this.buf.length) throw new Error("the RDB file ends in the middle of an entry");
        this.at += n;
    }

    /** A length, or for a string's first byte an encoding (`encoded`). */
    length(): { value: number; encoded: boolean } {
        const first = this.byte();
        const kind = first >> 6;
        if (kind === 0) return { value: first & 0x3f, encoded: false };
        if (kind === 1) return { value: ((first & 0x3f) << 8) | this.byte(), encoded: false };
        if (kind === 3) return { value: first & 0x3f, encoded: true };
        if (first === 0x80) {
            const v = this.buf.readUInt32BE(this.at);
            this.skip(4);
            return { value: v, encoded: false };
        }
        if (first === 0x81) {
            const v = Number(this.buf.readBigUInt64BE(this.at));
            this.skip(8);
            return { value: v, encoded: false };
        }
        throw new Error(`unknown length encoding 0x${first.toString(16)} at byte ${this.at - 1}`);
    }

    len(): number {
        const l = this.length();
        if (l.encoded) throw new Error(`a string encoding where a length belongs, at byte ${this.at - 1}`);
        return l.value;
    }

    /** A string: its bytes (integers as their decimal text, LZF decompressed). */
    string(): Buffer {
        const l = this.length();
        if (!l.encoded) {
            const out = this.buf.subarray(this.at, this.at + l.value);
            this.skip(l.value);
            return out;
        }
        if (l.value === 0) return Buffer.from(String(this.buf.readInt8(this.at++)));
        if (l.value === 1) {
            const v = this.buf.readInt16LE(this.at);
            this.skip(2);
            return Buffer.from(String(v));
        }
        if (l.value === 2) {
            const v = this.buf.readInt32LE(this.at);
            this.skip(4);
            return Buffer.from(String(v));
        }
        if (l.value === 3) {
            const compressed = this.len();
            const length = this.len();
            const out = lzfDecompress(this.buf.subarray(this.at, this.at + compressed), length);
            this.skip(compressed);
            return out;
        }
        throw new Error(`unknown string encoding ${l.value} at byte ${this.at - 1}`);
    }

    /** Skips a string without decoding it. */
    skipString(): void {
        const l = this.length();
        if (!l.encoded) return this.skip(l.value);
        if (l.value === 0) return this.skip(1);
        if (l.value === 1) return this.skip(2);
        if (l.value === 2) return this.skip(4);
        if (l.value === 3) {
            const compressed = this.len();
            this.len();
            return this.skip(compressed);
        }
        throw new Error(`unknown string encoding ${l.value} at byte ${this.at - 1}`);
    }

    /** An old-style double: a length byte, or 253 NaN, 254 +inf, 255 -inf. */
    skipDoubleString(): void {
        const n = this.byte();
        if (n < 253) this.skip(n);
    }
}

/** LZF, as Redis compresses long strings. */
function lzfDecompress(input: Buffer, length: number): Buffer {
    const out = Buffer.alloc(length);
    let i = 0;
    let o = 0;
    while (i < input.length) {
        const ctrl = input[i++];
        if (ctrl < 32) {
            input.copy(out, o, i, i + ctrl + 1);
            i += ctrl + 1;
            o += ctrl + 1;
            continue;
        }
        let len = ctrl >> 5;
        let ref = o - ((ctrl & 0x1f) << 8) - 1;
        if (len === 7) len += input[i++];
        ref -= input[i++];
        for (let k = 0; k < len + 2; k++) out[o++] = out[ref++];
    }
    if (o !== length) throw new Error(`an LZF string decompressed to ${o} bytes, not ${length}`);
    return out;
}

/** Skips a value of `type` (everything after the key). */
function skipValue(c: Cursor, type: number): void {
    switch (type) {
        case 0: // string
        case 9: // hash zipmap
        case 10: // list ziplist
        case 11: // set intset
        case 12: // zset ziplist
        case 13: // hash ziplist
        case 16: // hash listpack
        case 17: // zset listpack
        case 20: // set listpack
            return c.skipString();
        case 1: // list (linked list)
        case 2: // set
        case 14: {
            // list quicklist (of ziplists)
            for (let n = c.len(); n > 0; n--) c.skipString();
            return;
        }
        case 3: // zset: member, double as text
            for (let n = c.len(); n > 0; n--) {
                c.skipString();
                c.skipDoubleString();
            }
            return;
        case 4: // hash: field, value
            for (let n = c.len() * 2; n > 0; n--) c.skipString();
            return;
        case 5: // zset: member, binary double
            for (let n = c.len(); n > 0; n--) {
                c.skipString();
                c.skip(8);
            }
            return;
        case 18: // list quicklist 2: container kind, node
            for (let n = c.len(); n > 0; n--) {
                c.len();
                c.skipString();
            }
            return;
        case 15:
        case 19:
        case 21:
            return skipStream(c, type);
        default:
            throw new Error(`a key of type ${TYPE_NAMES[type] ?? type}, which a restore cannot read yet`);
    }
}

/** A stream: its listpacks, its length and ids, its consumer groups with their pending entries and consumers. */
function skipStream(c: Cursor, type: number): void {
    for (let n = c.len(); n > 0; n--) {
        c.skipString(); // master id
        c.skipString(); // listpack
    }
    c.len(); // length
    c.len(); // last id: ms
    c.len(); // last id: seq
    if (type >= 19) for (let k = 0; k < 5; k++) c.len(); // first id, max deleted id, entries added
    for (let groups = c.len(); groups > 0; groups--) {
        c.skipString(); // name
        c.len(); // last id: ms
        c.len(); // last id: seq
        if (type >= 19) c.len(); // entries read
        for (let pending = c.len(); pending > 0; pending--) {
            c.skip(16 + 8); // id, delivery time
            c.len(); // delivery count
        }
        for (let consumers = c.len(); consumers > 0; consumers--) {
            c.skipString(); // name
            c.skip(8); // seen time
            if (type >= 21) c.skip(8); // active time
            c.skip(16 * c.len()); // its pending ids
        }
    }
}

/** Module data outside keys (MODULE_AUX): the module id, when, then typed fields until the module's own EOF. */
function skipModuleAux(c: Cursor): void {
    c.len(); // module id
    c.len(); // when
    for (;;) {
        const opcode = c.len();
        if (opcode === 0) return; // EOF
        if (opcode === 1 || opcode === 2) c.len();
        else if (opcode === 3) c.skip(4);
        else if (opcode === 4) c.skip(8);
        else if (opcode === 5) c.skipString();
        else throw new Error(`unknown module data field ${opcode}`);
    }
}

/** The RDB version a file was written in (its header `REDIS0012`). */
export function rdbVersion(file: Buffer): number {
    const header = file.subarray(0, 9).toString("latin1");
    if (!/^REDIS\d{4}$/.test(header)) throw new Error("not an RDB file (no REDISnnnn header)");
    return Number(header.slice(5));
}

/** Every key of an RDB file, in file order, with its DUMP payload and its expiry. */
export function* rdbKeys(file: Buffer): Generator<RdbKey> {
    const version = rdbVersion(file);
    const versionBytes = Buffer.alloc(2);
    versionBytes.writeUInt16LE(version);
    const c = new Cursor(file, 9);
    let db = 0;
    let expiresAtMs: number | undefined;
    for (;;) {
        const op = c.byte();
        if (op === OP_EOF) return;
        if (op === OP.AUX) {
            c.skipString();
            c.skipString();
        } else if (op === OP_SELECTDB) db = c.len();
        else if (op === OP_RESIZEDB) {
            c.len();
            c.len();
        } else if (op === OP.SLOT_INFO) {
            c.len();
            c.len();
            c.len();
        } else if (op === OP_EXPIRETIME_MS) {
            expiresAtMs = Number(file.readBigUInt64LE(c.at));
            c.skip(8);
        } else if (op === OP_EXPIRETIME) {
            expiresAtMs = file.readUInt32LE(c.at) * 1000;
            c.skip(4);
        } else if (op === OP.IDLE) c.len();
        else if (op === OP.FREQ) c.skip(1);
        else if (op === OP.FUNCTION2) c.skipString();
        else if (op === OP.FUNCTION_PRE_GA) throw new Error("the RDB file holds functions in a pre-release format");
        else if (op === OP.MODULE_AUX) skipModuleAux(c);
        else {
            // A key: its type byte (op), the key, the value.
            const start = c.at - 1;
            const key = Buffer.from(c.string());
            const valueStart = c.at;
            try {
                skipValue(c, op);
            } catch (err) {
                // eslint-disable-next-line preserve-caught-error -- the message names the key and what could not be read
                throw new Error(`key ${JSON.stringify(key.toString("utf8").slice(0, 100))}: ${messageOf(err)}`);
            }
            const body = Buffer.concat([file.subarray(start, start + 1), file.subarray(valueStart, c.at), versionBytes]);
            yield { db, key, payload: Buffer.concat([body, crc64(body)]), ...(expiresAtMs !== undefined ? { expiresAtMs } : {}) };
            expiresAtMs = undefined;
        }
    }
}
