// An engine-runtime stack per e2e suite, on this machine's Docker engine (see suiteStack.ts).
import { ConfigMap } from "@pulumi/pulumi/automation";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { docker, labelled } from "./dockerCli";
import { TEST_IMAGE } from "./fixture";
import { SuiteStack, suiteStack } from "./suiteStack";

export interface EngineSuiteStack extends SuiteStack {
    /** What the stack's Docker objects are named after (`redis-stack-<name>`). */
    readonly prefix: string;
    /** The label filter of its Docker objects (`redis-stack.stack=<prefix>`). */
    readonly label: string;
}

/**
 * Registers, in the calling `describe`: before: a stack `<tag><time>` with the engine runtime, the
 * test image and `config` (ports and subnet of its own, so suites never collide; it may override the
 * rest); after: destroy, the stack removed, and whatever a failed run left of its containers, volumes
 * and network removed by their stack label (nothing else on the host).
 */
export function engineSuiteStack(tag: string, config: ConfigMap): EngineSuiteStack {
    const name = `${tag}${Date.now().toString(36)}`;
    const prefix = `redis-stack-${name}`;
    const label = `${STACK_LABEL}=${prefix}`;
    return suiteStack(
        {
            name,
            config: () => ({ "redis-stack:runtime": { value: "engine" }, "redis-stack:image": { value: TEST_IMAGE }, ...config }),
            cleanup: () => {
                for (const c of labelled("ps", label)) docker("rm", "-f", "-v", c);
                for (const v of labelled("volume", label)) docker("volume", "rm", "-f", v);
                for (const n of labelled("network", label)) docker("network", "rm", n);
            },
        },
        { prefix, label },
    );
}
