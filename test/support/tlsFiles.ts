// A node's TLS files put into a test's container at the paths the stack uses.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { KeyedCertificate } from "../../components/tls/certificates";
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_DIR, TLS_KEY_PATH } from "../../components/contracts/nodeFiles";
import { docker } from "./dockerCli";

/** Writes a node's CA, certificate and key into the container (docker cp; the key readable by this user only on the host). */
export function putTlsFiles(container: string, ca: string, leaf: KeyedCertificate): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-tlsfiles-"));
    try {
        fs.writeFileSync(path.join(dir, path.basename(TLS_CA_PATH)), ca);
        fs.writeFileSync(path.join(dir, path.basename(TLS_CERT_PATH)), leaf.cert);
        fs.writeFileSync(path.join(dir, path.basename(TLS_KEY_PATH)), leaf.key, { mode: 0o600 });
        docker("cp", `${dir}/.`, `${container}:${TLS_DIR}`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The server's arguments for TLS only on `port`, with the files putTlsFiles writes. */
export function tlsOnlyArgs(port: number): string[] {
    return [
        "--port",
        "0",
        "--tls-port",
        String(port),
        "--tls-cert-file",
        TLS_CERT_PATH,
        "--tls-key-file",
        TLS_KEY_PATH,
        "--tls-ca-cert-file",
        TLS_CA_PATH,
    ];
}
