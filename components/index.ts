// The package's public face: `const { RedisStack } = require("redis-stack")`.
export { RedisStack, REDIS_STACK_OUTPUTS } from "./stack/redisStack";
export type { RedisStackArgs } from "./stack/args";
export type { ClusterNodeOutput } from "./stack/outputs";
export type { UserCredentials } from "./nodes/redisUsers";
export type { Toleration } from "./settings/tolerations";
export type { NetworkPeer } from "./settings/allowFrom";
