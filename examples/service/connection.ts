// How a service turns this project's stack outputs into ioredis clients. Copy freely.
import Redis, { Cluster, ClusterOptions, NatMap } from "ioredis";

/** The stack outputs a service needs (`pulumi stack output --json --show-secrets`). */
export interface RedisStackOutputs {
    readonly clusterSeeds: string[];
    readonly loopbackSeeds: string[];
    readonly natMap: NatMap;
    readonly standaloneUrl: string;
    readonly standaloneLoopbackUrl: string;
    readonly redisPassword?: string;
    /** With `redis-stack:tls`: the CA to trust, and the client certificate and key to present. */
    readonly tls?: { readonly ca: string; readonly cert: string; readonly key: string };
}

interface RawTlsOutputs {
    readonly tlsCaCert?: string;
    readonly tlsClientCert?: string;
    readonly tlsClientKey?: string;
}

export function parseOutputs(json: string): RedisStackOutputs {
    const raw = JSON.parse(json) as Partial<RedisStackOutputs> & RawTlsOutputs;
    if (!Array.isArray(raw.clusterSeeds) || raw.clusterSeeds.length === 0) throw new Error("stack outputs lack clusterSeeds");
    if (typeof raw.standaloneUrl !== "string") throw new Error("stack outputs lack standaloneUrl");
    if (raw.redisPassword === "[secret]") throw new Error("the password is hidden: read the outputs with --show-secrets");
    if (raw.tlsClientKey === "[secret]") throw new Error("the TLS client key is hidden: read the outputs with --show-secrets");
    return {
        clusterSeeds: raw.clusterSeeds,
        loopbackSeeds: raw.loopbackSeeds ?? raw.clusterSeeds,
        natMap: raw.natMap ?? {},
        standaloneUrl: raw.standaloneUrl,
        standaloneLoopbackUrl: raw.standaloneLoopbackUrl ?? raw.standaloneUrl,
        redisPassword: raw.redisPassword,
        ...(raw.tlsCaCert && raw.tlsClientCert && raw.tlsClientKey
            ? { tls: { ca: raw.tlsCaCert, cert: raw.tlsClientCert, key: raw.tlsClientKey } }
            : {}),
    };
}

/**
 * The same settings from the environment, as a pod gets them (examples/service/pod.yaml): seeds and
 * URL from a ConfigMap, the password from a file of a mounted Secret (never a literal in the pod spec,
 * and not an environment variable that every child process and crash report would carry).
 *   REDIS_CLUSTER_SEEDS   host:port,host:port,...   (the stack output clusterSeeds)
 *   REDIS_STANDALONE_URL  redis://host:port         (the stack output standaloneUrl)
 *   REDIS_PASSWORD_FILE   path of a file holding the password (optional; trailing newline ignored)
 * Undefined when REDIS_CLUSTER_SEEDS is not set (the service then reads the stack outputs instead).
 */
export function outputsFromEnvironment(
    env: Readonly<Record<string, string | undefined>>,
    readFile: (path: string) => string,
): RedisStackOutputs | undefined {
    const seeds = env.REDIS_CLUSTER_SEEDS?.split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    if (seeds === undefined) return undefined;
    const bad = seeds.filter((s) => !/^[^:\s]+:\d+$/.test(s));
    if (seeds.length === 0 || bad.length > 0) {
        throw new Error(
            `REDIS_CLUSTER_SEEDS must list host:port seeds separated by commas; got ${JSON.stringify(env.REDIS_CLUSTER_SEEDS)}`,
        );
    }
    const standaloneUrl = env.REDIS_STANDALONE_URL;
    if (!standaloneUrl || !/^rediss?:\/\//.test(standaloneUrl)) {
        throw new Error(
            `REDIS_STANDALONE_URL must be a redis:// URL (the stack output standaloneUrl); got ${JSON.stringify(standaloneUrl)}`,
        );
    }
    const passwordFile = env.REDIS_PASSWORD_FILE;
    const redisPassword = passwordFile ? readFile(passwordFile).replace(/\r?\n$/, "") : undefined;
    if (passwordFile && !redisPassword) throw new Error(`REDIS_PASSWORD_FILE ${passwordFile} is empty`);
    return {
        clusterSeeds: seeds,
        loopbackSeeds: seeds,
        natMap: {},
        standaloneUrl,
        standaloneLoopbackUrl: standaloneUrl,
        ...(redisPassword ? { redisPassword } : {}),
    };
}

const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });

/**
 * A cluster client. By default it uses the announced addresses (fastest; reachable from a Linux
 * Docker host and from containers on the stack's network). `viaLoopback` uses 127.0.0.1 and the
 * natMap instead, for hosts that cannot reach the announced address (Docker Desktop).
 */
export function clusterClient(outputs: RedisStackOutputs, viaLoopback = false, options: ClusterOptions = {}): Cluster {
    const seeds = (viaLoopback ? outputs.loopbackSeeds : outputs.clusterSeeds).map(toAddress);
    return new Cluster(seeds, {
        ...(viaLoopback ? { natMap: outputs.natMap } : {}),
        ...options,
        redisOptions: { password: outputs.redisPassword, ...(outputs.tls ? { tls: { ...outputs.tls } } : {}), ...options.redisOptions },
    });
}

export function standaloneClient(outputs: RedisStackOutputs, viaLoopback = false): Redis {
    return new Redis(viaLoopback ? outputs.standaloneLoopbackUrl : outputs.standaloneUrl, {
        password: outputs.redisPassword,
        ...(outputs.tls ? { tls: { ...outputs.tls } } : {}),
    });
}
