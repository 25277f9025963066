// A snapshot of one running node, taken over the network as a replica's full resynchronisation (what
// `redis-cli --rdb` does): the node forks and sends an RDB of that instant, which is written to a file as it
// comes. It changes nothing on the node (`REPLCONF rdb-only 1`: no replication stream follows, the node keeps no
// replica; `capa eof`: a diskless node streams the RDB without writing it to its own disk first). The deadline is
// about progress: the transfer fails when nothing came for `idleMs` (a master sends newlines while it forks).
import { messageOf } from "../common/errorMessage";
import { createHash } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as tls from "tls";
import type { Endpoint } from "./connect";
import { type FullResync, RdbTransferParser } from "./rdbTransfer";

export interface SnapshotSource extends Endpoint {
    /** ACL user and password; no username: the default user; neither: no AUTH. */
    readonly username?: string;
    readonly password?: string;
}

export interface SnapshotFile extends FullResync {
    readonly bytes: number;
    readonly sha256: string;
}

export interface SnapshotTimeouts {
    readonly connectMs: number;
    /** Longest wait for the next bytes. */
    readonly idleMs: number;
}

export const SNAPSHOT_TIMEOUTS: SnapshotTimeouts = { connectMs: 10000, idleMs: 60000 };

/** A command as RESP. */
function resp(...args: string[]): Buffer {
    return Buffer.from(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`);
}

function connect(source: SnapshotSource, timeoutMs: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
        const socket = source.tls
            ? tls.connect({
                  host: source.host,
                  port: source.port,
                  ca: source.tls.ca,
                  cert: source.tls.cert,
                  key: source.tls.key,
                  // The certificate names the address the node is reached at (nodeTls.ts nodeSubject).
                  servername: net.isIP(source.host) ? undefined : source.host,
              })
            : net.connect({ host: source.host, port: source.port });
        const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
        socket.once(source.tls ? "secureConnect" : "connect", () => {
            clearTimeout(timer);
            resolve(socket);
        });
        socket.once("error", (err: Error) => {
            clearTimeout(timer);
            reject(err);
        });
    });
}

/** Takes the RDB of `source` into `file`; what the node said of it, its size and its SHA-256. */
export async function takeSnapshot(source: SnapshotSource, file: string, timeouts = SNAPSHOT_TIMEOUTS): Promise<SnapshotFile> {
    const where = `node ${source.name} at ${source.host}:${source.port}`;
    const socket = await connect(source, timeouts.connectMs).catch((err: Error) => {
        throw new Error(`snapshot of ${where}: cannot connect: ${err.message}`);
    });
    const out = fs.createWriteStream(file, { mode: 0o600 });
    const hash = createHash("sha256");
    const parser = new RdbTransferParser((chunk) => {
        hash.update(chunk);
        out.write(chunk);
    });
    // The simple replies before PSYNC (AUTH, REPLCONF), then the transfer.
    const setup: string[][] = [];
    if (source.password !== undefined) setup.push(source.username ? ["AUTH", source.username, source.password] : ["AUTH", source.password]);
    setup.push(["REPLCONF", "rdb-only", "1"], ["REPLCONF", "capa", "eof"]);
    try {
        await new Promise<void>((resolve, reject) => {
            let answered = 0;
            let lines = "";
            const fail = (err: Error) => {
                socket.destroy();
                reject(err);
            };
            socket.setTimeout(timeouts.idleMs, () =>
                fail(new Error(`nothing came for ${timeouts.idleMs} ms (${parser.received} bytes of the RDB so far)`)),
            );
            socket.on("error", fail);
            socket.on("close", () =>
                parser.finished ? resolve() : fail(new Error(`the node closed the connection after ${parser.received} bytes`)),
            );
            socket.on("data", (chunk: Buffer) => {
                try {
                    if (answered < setup.length) {
                        lines += chunk.toString("latin1");
                        let end: number;
                        while (answered < setup.length && (end = lines.indexOf("\r\n")) >= 0) {
                            const line = lines.slice(0, end);
                            lines = lines.slice(end + 2);
                            // Never the command itself: AUTH's carries the password.
                            if (!line.startsWith("+")) {
                                const command = setup[answered][0] === "AUTH" ? "AUTH" : setup[answered].slice(0, 2).join(" ");
                                throw new Error(`${command} refused: ${line.slice(0, 200)}`);
                            }
                            answered++;
                            if (answered === setup.length) socket.write(resp("PSYNC", "?", "-1"));
                        }
                        if (answered < setup.length || lines.length === 0) return;
                        chunk = Buffer.from(lines, "latin1");
                    }
                    parser.push(chunk);
                    if (parser.finished) socket.end();
                } catch (err) {
                    fail(err as Error);
                }
            });
            for (const command of setup) socket.write(resp(...command));
        });
    } catch (err) {
        out.destroy();
        fs.rmSync(file, { force: true });
        // eslint-disable-next-line preserve-caught-error -- the message says it all; a cause adds nothing a user can use
        throw new Error(`snapshot of ${where}: ${messageOf(err)}`);
    } finally {
        socket.destroy();
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return { ...parser.resync!, bytes: parser.received, sha256: hash.digest("hex") };
}
