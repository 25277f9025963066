// Pure: Redis's CRC-64 (the Jones polynomial, reflected, initial value 0, no final xor), which ends every DUMP
// payload and RDB file: crc64("123456789") is 0xe9c6d914c4b8d9ca. Two 32-bit halves instead of BigInt, so a
// gigabyte of payloads takes seconds.
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5; // 0xad93d23594c935a9 reflected: 0x95ac9329ac4bc9b5

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
    let hi = 0;
    let lo = n;
    for (let k = 0; k < 8; k++) {
        const carry = lo & 1;
        lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
        hi = hi >>> 1;
        if (carry) {
            hi = (hi ^ POLY_HI) >>> 0;
            lo = (lo ^ POLY_LO) >>> 0;
        }
    }
    TABLE_HI[n] = hi;
    TABLE_LO[n] = lo;
}

/** The CRC of `bytes` as 8 bytes, little-endian, as Redis appends it. */
export function crc64(bytes: Uint8Array): Buffer {
    let hi = 0;
    let lo = 0;
    for (let i = 0; i < bytes.length; i++) {
        const index = (lo ^ bytes[i]) & 0xff;
        lo = ((lo >>> 8) | (hi << 24)) >>> 0;
        hi = hi >>> 8;
        lo = (lo ^ TABLE_LO[index]) >>> 0;
        hi = (hi ^ TABLE_HI[index]) >>> 0;
    }
    const out = Buffer.alloc(8);
    out.writeUInt32LE(lo, 0);
    out.writeUInt32LE(hi, 4);
    return out;
}
