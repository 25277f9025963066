// Node contract: the files a node's container gets besides its image, and where the TLS ones live. Shared
// by what writes them (the runtimes), what names them in a node's command (../tls/nodeTls.ts) and what
// reads them inside the container (the health check, probes): so none of those has to import another.

/** A file to put into a node's container before it starts. */
export interface ContainerFile {
    readonly path: string;
    readonly content: string;
}

/** Where a node's TLS files live in its container: its CA bundle, its certificate and its key. */
export const TLS_DIR = "/etc/redis-stack-tls";
export const TLS_CA_PATH = `${TLS_DIR}/ca.crt`;
export const TLS_CERT_PATH = `${TLS_DIR}/node.crt`;
export const TLS_KEY_PATH = `${TLS_DIR}/node.key`;

/** `redis-cli` arguments that connect over TLS from inside a node's container, with its own files. */
export const REDIS_CLI_TLS_ARGS: readonly string[] = ["--tls", "--cacert", TLS_CA_PATH, "--cert", TLS_CERT_PATH, "--key", TLS_KEY_PATH];
