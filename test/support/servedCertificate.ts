// The certificate a TLS node serves, as a client that checks it sees it: Node's default checks (signed by
// a CA of `options.ca`, naming the address dialled) pass before it is returned.
import { X509Certificate } from "crypto";
import * as tls from "tls";

/** Connects to `host:port` with `options` (ca, cert, key) and returns the node's certificate. */
export function servedCertificate(address: { host: string; port: number }, options: tls.ConnectionOptions): Promise<X509Certificate> {
    return new Promise<X509Certificate>((resolve, reject) => {
        const socket = tls.connect({ ...address, ...options }, () => {
            const served = socket.getPeerX509Certificate();
            socket.end();
            if (served) resolve(served);
            else reject(new Error(`${address.host}:${address.port} served no certificate`));
        });
        socket.on("error", reject);
    });
}
