// Which host ports a stack needs and which of them are taken, from /proc/net/tcp text.
import { strict as assert } from "assert";
import { parseSettings } from "../../components/settings/config";
import { describePortConflicts, hostPortsNeeded, parseListeners, portConflicts } from "../../components/runtime/hostPorts";
import { placeOnDocker } from "../../components/runtime/dockerPlacement";
import { buildTopology } from "../../components/topology/topology";

const HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const TCP4 =
    HEADER +
    [
        "   0: 0100007F:1B58 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1", // 127.0.0.1:7000 LISTEN
        "   1: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1", // 0.0.0.0:6379 LISTEN
        "   2: 0100007F:1B59 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1", // 127.0.0.1:7001 ESTABLISHED
    ].join("\n");
const TCP6 =
    HEADER +
    [
        "   0: 00000000000000000000000000000000:1B5A 00000000000000000000000000000000:0000 0A 0 0 0 0 0 4 1", // [::]:7002
        "   1: 0000000000000000FFFF00000100007F:1B5B 00000000000000000000000000000000:0000 0A 0 0 0 0 0 5 1", // ::ffff:127.0.0.1:7003
        "   2: 00000000000000000000000001000000:1B5C 00000000000000000000000000000000:0000 0A 0 0 0 0 0 6 1", // ::1:7004
    ].join("\n");

describe("host ports", () => {
    const placed = (raw: Record<string, string>) => {
        const settings = parseSettings(raw);
        return placeOnDocker(buildTopology(settings, "redis-stack-unit"), settings, "redis-stack-unit");
    };
    const bridge = placed({});
    const host = placed({ networkMode: "host" });

    it("reads listening sockets only, IPv4 and IPv6 (wildcard and IPv4-mapped)", () => {
        assert.deepEqual(parseListeners(TCP4, false), [
            { host: "127.0.0.1", port: 7000 },
            { host: "0.0.0.0", port: 6379 },
        ]);
        assert.deepEqual(parseListeners(TCP6, true), [
            { host: "::", port: 7002 },
            { host: "127.0.0.1", port: 7003 },
        ]);
    });

    it("bridge mode needs every published binding: gateway client and bus ports, loopback client ports", () => {
        const needed = hostPortsNeeded(bridge);
        assert.ok(needed.some((p) => p.host === "172.30.57.1" && p.port === 17000 && p.purpose === "cluster bus port"));
        assert.ok(needed.some((p) => p.host === "127.0.0.1" && p.port === 7005 && p.purpose === "client port"));
        assert.ok(needed.some((p) => p.host === "127.0.0.1" && p.port === 6379 && p.node === "redis-stack-unit-standalone"));
    });

    it("host mode needs loopback client and bus ports, which redis-server binds itself", () => {
        const needed = hostPortsNeeded(host);
        assert.equal(needed.length, 6 * 2 + 1);
        assert.ok(needed.every((p) => p.host === "127.0.0.1"));
    });

    it("finds exact and wildcard conflicts, and ignores the stack's own containers", () => {
        const listeners = [...parseListeners(TCP4, false), ...parseListeners(TCP6, true)];
        const conflicts = portConflicts(hostPortsNeeded(bridge), listeners, new Set());
        const found = conflicts.map((c) => `${c.host}:${c.port}`).sort();
        // 7000 on loopback exactly; 6379 on 0.0.0.0 clashes with both its bindings; [::]:7002 with both of node 2's.
        assert.deepEqual(found, [
            "127.0.0.1:6379",
            "127.0.0.1:7000",
            "127.0.0.1:7002",
            "127.0.0.1:7003",
            "172.30.57.1:6379",
            "172.30.57.1:7002",
        ]);
        const own = new Set([
            "redis-stack-unit-node-0",
            "redis-stack-unit-node-2",
            "redis-stack-unit-node-3",
            "redis-stack-unit-standalone",
        ]);
        assert.deepEqual(portConflicts(hostPortsNeeded(bridge), listeners, own), []);
    });

    it("the message names each port, its node and the settings that move it", () => {
        const message = describePortConflicts(portConflicts(hostPortsNeeded(bridge), parseListeners(TCP4, false), new Set()));
        assert.match(message, /127\.0\.0\.1:7000 \(client port of redis-stack-unit-node-0\)/);
        assert.match(message, /nothing was created or changed/);
        assert.match(message, /redis-stack:basePort, redis-stack:busPortOffset or redis-stack:standalonePort/);
        assert.doesNotMatch(message, /namePrefix/);
    });

    it("points a renamed stack at namePrefix when another stack's containers hold the ports", () => {
        const message = describePortConflicts(portConflicts(hostPortsNeeded(bridge), parseListeners(TCP4, false), new Set()), [
            "redis-stack-old",
        ]);
        assert.match(
            message,
            /\nContainers of another stack, named redis-stack-old-\.\.\., are on this host: if this stack is that one renamed, set redis-stack:namePrefix to "redis-stack-old"/,
        );
    });
});
