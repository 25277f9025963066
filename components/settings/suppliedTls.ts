// The TLS material a stack may be given as config (or RedisStack arguments) instead of issuing its own, and the
// setting each field comes from. Checked by ../tls/validate.ts.

/** The certificates a stack may be given as config instead of generating its own (PEM text). */
export interface SuppliedTls {
    /** `tlsCaCert`: the CA that signed the node and client certificates. */
    readonly caCert?: string;
    /** `tlsCert`: the certificate every node serves and presents to its peers. */
    readonly cert?: string;
    /** `tlsKey` (secret): its private key. */
    readonly key?: string;
    /** `tlsClientCert`: the certificate clients present; default: `tlsCert`. */
    readonly clientCert?: string;
    /** `tlsClientKey` (secret): its private key; default: `tlsKey`. */
    readonly clientKey?: string;
    /** `tlsCaKey` (secret): the key of tlsCaCert; the stack then issues every node and client certificate from that CA. */
    readonly caKey?: string;
}

/** The config key of each supplied field. */
export const SUPPLIED_TLS_KEYS: Readonly<Record<keyof SuppliedTls, string>> = {
    caCert: "tlsCaCert",
    cert: "tlsCert",
    key: "tlsKey",
    clientCert: "tlsClientCert",
    clientKey: "tlsClientKey",
    caKey: "tlsCaKey",
};
