import type { ContainerRuntime } from "../config";
import type { RuntimeBackend } from "./backend";

export type { RuntimeBackend, RuntimeCapabilities, NodeContext, NodeResources } from "./backend";
export type { LifecycleRef } from "./lifecycle";

export function runtimeBackend(runtime: ContainerRuntime): RuntimeBackend {
    // Loaded on demand: @pulumi/docker takes about half a second to load, and the engine runtime
    // (meant for hosts without its plugin) never uses it.
    if (runtime === "engine") return (require("./engineBackend") as typeof import("./engineBackend")).engineBackend;
    return (require("./dockerBackend") as typeof import("./dockerBackend")).dockerBackend;
}
