// What the runtime must do around the standalone Redis node (components/runtime/lifecycle.ts): nothing
// to hand over when it stops; a new password takes effect at once, without a restart.
import type { LifecycleRef, NodeLifecycle } from "../runtime/lifecycle";
import { settlePassword } from "./password";
import { applySettings, readSettings } from "./settings";

export const lifecycle: NodeLifecycle = {
    oneAtATime: false,
    cost: async () => 0,
    beforeStop: async () => undefined,
    afterStart: async () => undefined,
    changePassword: (node, oldPassword, newPassword) => settlePassword(node.address, oldPassword, newPassword),
    applySettings: (node, set) => applySettings(node.address, node.password, set),
    readSettings: (node, names) => readSettings(node.address, node.password, names),
    refuse: () => undefined,
};

/** This module's lifecycle reference, by the name the runtime's provider process loads it with. */
export const standaloneNodeLifecycle: LifecycleRef = { module: "redis-stack/components/redis/standaloneNodeLifecycle", options: {} };
