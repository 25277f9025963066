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
}

export function parseOutputs(json: string): RedisStackOutputs {
    const raw = JSON.parse(json) as Partial<RedisStackOutputs>;
    if (!Array.isArray(raw.clusterSeeds) || raw.clusterSeeds.length === 0) throw new Error("stack outputs lack clusterSeeds");
    if (typeof raw.standaloneUrl !== "string") throw new Error("stack outputs lack standaloneUrl");
    if (raw.redisPassword === "[secret]") throw new Error("the password is hidden: read the outputs with --show-secrets");
    return {
        clusterSeeds: raw.clusterSeeds,
        loopbackSeeds: raw.loopbackSeeds ?? raw.clusterSeeds,
        natMap: raw.natMap ?? {},
        standaloneUrl: raw.standaloneUrl,
        standaloneLoopbackUrl: raw.standaloneLoopbackUrl ?? raw.standaloneUrl,
        redisPassword: raw.redisPassword,
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
        redisOptions: { password: outputs.redisPassword, ...options.redisOptions },
    });
}

export function standaloneClient(outputs: RedisStackOutputs, viaLoopback = false): Redis {
    return new Redis(viaLoopback ? outputs.standaloneLoopbackUrl : outputs.standaloneUrl, { password: outputs.redisPassword });
}
