import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_USER } from "../settings/aclUsers";
import { REDIS_CLI_TLS_ARGS } from "../tls/nodeTls";
import type { DockerNode } from "../runtime/dockerPlacement";

export interface ClusterCheckArgs {
    /** The node whose container runs the image's CLI (`cliCommand`: `redis-cli`, `valkey-cli`), as placed on Docker. */
    readonly node: DockerNode;
    readonly password?: pulumi.Input<string>;
    /** Re-run the check when any of these change (container ids, live roles). */
    readonly triggers: pulumi.Input<unknown>[];
}

/**
 * `docker exec <node> redis-cli --cluster check <its announced address>`, as the redis-cli recipe would,
 * with the image's own CLI (a Valkey image may have no `redis-cli`).
 */
export function clusterCheckCommand(node: DockerNode, withPassword: boolean): string {
    // With TLS, redis-cli uses the node's own files in its container (paths only on the command line).
    const tls = node.redisArgs.includes("--tls-port") ? ` ${REDIS_CLI_TLS_ARGS.join(" ")}` : "";
    // REDISCLI_AUTH is forwarded from the environment by name, so the password is never on a command line.
    // With a password, as the project's own user (aclUsers.ts): the default user may be off.
    const user = withPassword ? ` --user ${PROJECT_USER}` : "";
    return `docker exec -e REDISCLI_AUTH ${node.name} ${node.cliCommand}${user}${tls} --cluster check ${node.announceHost}:${node.clientPort}`;
}

/**
 * The `redis-cli --cluster check` report as a resource: re-run whenever the topology changes, its
 * stdout exported so `pulumi stack output` shows what an operator would check by hand.
 */
export class ClusterCheck extends pulumi.ComponentResource {
    readonly report: pulumi.Output<string>;

    constructor(name: string, args: ClusterCheckArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("redis-stack:index:ClusterCheck", name, {}, opts);
        const check = new command.local.Command(
            `${name}-redis-cli`,
            {
                create: clusterCheckCommand(args.node, args.password !== undefined),
                environment: { REDISCLI_AUTH: args.password ?? "" },
                triggers: args.triggers,
            },
            { parent: this },
        );
        this.report = check.stdout;
        this.registerOutputs({ report: this.report });
    }
}
