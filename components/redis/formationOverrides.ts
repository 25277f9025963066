// Pure: the settings formation changes on the nodes while it forms, the value each gets meanwhile, and the
// declared values they go back to. The one list of them: observe reads these, the planner overrides them and
// sets back any node a killed formation left changed, and the stack declares their values.

export const NODE_TIMEOUT = "cluster-node-timeout";
export const REPLICA_MIGRATION = "cluster-allow-replica-migration";

/** Every setting formation overrides. */
export const OVERRIDDEN_SETTINGS = [NODE_TIMEOUT, REPLICA_MIGRATION] as const;
export type OverriddenSetting = (typeof OVERRIDDEN_SETTINGS)[number];

/** The value of each overridden setting outside formation, as CONFIG GET answers it. */
export type DeclaredSettings = Readonly<Record<OverriddenSetting, string>>;

/**
 * The declared values: the node timeout every cluster node starts with (its `--cluster-node-timeout`), and
 * Redis's default for replica migration, which the stack never sets (redisConfig refuses it).
 */
export function declaredSettings(nodeTimeoutMs: number): DeclaredSettings {
    return { [NODE_TIMEOUT]: String(nodeTimeoutMs), [REPLICA_MIGRATION]: "yes" };
}

/**
 * cluster-node-timeout while fresh nodes are formed: Redis clamps the rejoin delay to at least 500 ms,
 * and every node pings each peer every timeout/2, so larger clusters need more (60 nodes on 2 cores
 * flap between ok and fail at 500 ms). Never longer than the node's own setting.
 */
export function formingNodeTimeoutMs(nodeCount: number): number {
    return Math.max(500, 50 * nodeCount);
}

/** cluster-allow-replica-migration while slots move. */
export const REPLICA_MIGRATION_WHILE_MOVING = "no";
