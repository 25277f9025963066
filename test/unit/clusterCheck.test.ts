// The `clusterCheck` command line: the image's own CLI, the project's user, TLS files by path only.
import { strict as assert } from "assert";
import { PROJECT_USER } from "../../components/aclUsers";
import { clusterCheckCommand } from "../../components/clusterCheck";
import { parseSettings } from "../../components/config";
import { REDIS_CLI_TLS_ARGS } from "../../components/contracts/nodeFiles";
import { withTls } from "../../components/tls/nodeTls";
import { buildTopology } from "../../components/topology";

/** Node 0 as the stack declares it (TLS arguments added as RedisStack adds them). */
function nodeOf(raw: Record<string, string>) {
    const settings = parseSettings(raw);
    return withTls(buildTopology(settings, "rs-check"), settings).clusterNodes[0];
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
