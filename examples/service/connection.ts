// How a service turns this project's stack outputs into ioredis clients. Copy freely.
import Redis, { Cluster, ClusterOptions, NatMap } from "ioredis";

/** The stack outputs a service needs (`pulumi stack output --json --show-secrets`). */
export interface RedisStackOutputs {
    readonly clusterSeeds: string[];
    readonly natMap: NatMap;
    readonly standaloneUrl: string;
    readonly redisPassword?: string;
}

export function parseOutputs(json: string): RedisStackOutputs {
    const raw = JSON.parse(json) as Partial<RedisStackOutputs>;
    if (!Array.isArray(raw.clusterSeeds) || raw.clusterSeeds.length === 0) throw new Error("stack outputs lack clusterSeeds");
    if (typeof raw.standaloneUrl !== "string") throw new Error("stack outputs lack standaloneUrl");
    if (raw.redisPassword === "[secret]") throw new Error("the password is hidden: read the outputs with --show-secrets");
    return { clusterSeeds: raw.clusterSeeds, natMap: raw.natMap ?? {}, standaloneUrl: raw.standaloneUrl, redisPassword: raw.redisPassword };
}

/** A cluster client for a process on the Docker host: seeds from the outputs, natMap for redirects. */
export function clusterClient(outputs: RedisStackOutputs, options: ClusterOptions = {}): Cluster {
    const seeds = outputs.clusterSeeds.map((seed) => {
        const [host, port] = seed.split(":");
        return { host, port: Number(port) };
    });
    return new Cluster(seeds, {
        natMap: outputs.natMap,
        ...options,
        redisOptions: { password: outputs.redisPassword, ...options.redisOptions },
    });
}

export function standaloneClient(outputs: RedisStackOutputs): Redis {
    return new Redis(outputs.standaloneUrl, { password: outputs.redisPassword });
}
