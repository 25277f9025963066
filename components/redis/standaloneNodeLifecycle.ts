// What the runtime must do around the standalone Redis node (components/contracts/nodeLifecycle.ts): nothing
// to hand over when it stops, its replacement after its stack's cluster nodes'; a new password takes effect at
// once, without a restart.
import type { LifecycleRef, NodeLifecycle } from "../contracts/nodeLifecycle";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import { endpointOf } from "./clusterNodeLifecycle";
import { settlePassword } from "./password";
import { applyUsers, checkUserRules } from "./users";
import { applySettings, readSettings } from "./settings";

/** After every cluster node (replicas 0, masters 1): a change its stack's nodes cannot take stops at a cluster node first. */
const LAST_TURN = 2;

export const lifecycle: NodeLifecycle = {
    // In its stack's turn queue, last: nothing to hand over, but a failed replacement before it halts it too.
    oneAtATime: true,
    cost: async () => LAST_TURN,
    beforeStop: async () => undefined,
    afterStart: async () => undefined,
    changePassword: (node, oldPassword, newPassword) => settlePassword(endpointOf(node), oldPassword, newPassword),
    changeUsers: (node, oldUsers, newUsers) => applyUsers(endpointOf(node), node.password || undefined, oldUsers, newUsers),
    checkUsers: (node, users) => checkUserRules(endpointOf(node), node.password || undefined, users, DEFAULT_TIMEOUTS.probeMs),
    applySettings: (node, set) => applySettings(endpointOf(node), node.password, set),
    readSettings: (node, names) => readSettings(endpointOf(node), node.password, names),
    refuse: () => undefined,
};

/** This module's lifecycle reference, by the name the runtime's provider process loads it with. */
export const standaloneNodeLifecycle: LifecycleRef = { module: "redis-stack/components/redis/standaloneNodeLifecycle", options: {} };
