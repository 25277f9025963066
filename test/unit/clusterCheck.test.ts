// The `clusterCheck` command line: the image's own CLI, the project's user, TLS files by path only.
import { strict as assert } from "assert";
import { clusterCheckCommand } from "../../components/nodes/clusterCheck";
import { REDIS_CLI_TLS_ARGS } from "../../components/contracts/nodeFiles";
import { PROJECT_USER } from "../../components/settings/aclUsers";
import { parseSettings } from "../../components/settings/config";
import { placedStack } from "../support/placedStack";

/** Node 0 as the stack places it on Docker (TLS arguments added as RedisStack adds them). */
function nodeOf(raw: Record<string, string>) {
    return placedStack(parseSettings(raw), "rs-check").clusterNodes[0];
}

describe("clusterCheckCommand", () => {
    it("runs redis-cli --cluster check in the node's container at its announced address, as the project's user", () => {
        const node = nodeOf({});
        assert.equal(
            clusterCheckCommand(node, true),
            `docker exec -e REDISCLI_AUTH rs-check-node-0 redis-cli --user ${PROJECT_USER} --cluster check ${node.announceHost}:7000`,
        );
        assert.equal(
            clusterCheckCommand(node, false),
            `docker exec -e REDISCLI_AUTH rs-check-node-0 redis-cli --cluster check ${node.announceHost}:7000`,
        );
    });

    it("runs the image's own CLI (cliCommand): valkey-cli on a Valkey image, which may have no redis-cli", () => {
        const command = clusterCheckCommand(nodeOf({ serverCommand: "valkey-server", cliCommand: "valkey-cli" }), true);
        assert.match(command, /^docker exec -e REDISCLI_AUTH rs-check-node-0 valkey-cli --user /);
        assert.ok(!command.includes("redis-cli"), command);
    });

    it("with TLS, names the node's own files by path", () => {
        const command = clusterCheckCommand(nodeOf({ tls: "true" }), true);
        assert.ok(command.includes(` ${REDIS_CLI_TLS_ARGS.join(" ")} --cluster check `), command);
    });
});
