import type { ContainerRuntime } from "../config";
import type { RuntimeBackend } from "./backend";
import { dockerBackend } from "./dockerBackend";
import { engineBackend } from "./engineBackend";

export type { RuntimeBackend, NodeContext, NodeResources } from "./backend";

export function runtimeBackend(runtime: ContainerRuntime): RuntimeBackend {
    return runtime === "engine" ? engineBackend : dockerBackend;
}
