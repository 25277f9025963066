// The Docker placement of the logical topology: addresses, announced arguments, published ports, volumes,
// labels and the network, as the engine and docker runtimes create them.
import { strict as assert } from "assert";
import { parseSettings } from "../../components/settings/config";
import { containerCreateBody } from "../../components/runtime/containerSpec";
import { dataOwnerBody, dataOwnerTarget } from "../../components/runtime/dockerEngine";
import {
    KIND_LABEL,
    RUNTIME_LABEL,
    STACK_LABEL,
    dockerEndpoint,
    dockerNodes,
    natMap,
    placeOnDocker,
    placedNode,
} from "../../components/runtime/dockerPlacement";
import { withTls } from "../../components/tls/nodeTls";
import { buildTopology } from "../../components/topology/topology";

function argValue(args: readonly string[], flag: string): string | undefined {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args[i + 1];
}

/** The stack of `raw` settings placed on the Docker host (with TLS when the settings ask for it). */
function placed(raw: Record<string, string>, prefix = "rs-dev") {
    const settings = parseSettings(raw);
    return placeOnDocker(withTls(buildTopology(settings, prefix), settings), settings, prefix);
}

describe("Docker placement", () => {
    describe("default bridge network", () => {
        const t = placed({});

        it("announces the gateway with each node's client and bus port, and listens everywhere in its container", () => {
            for (const n of t.clusterNodes) {
                assert.equal(argValue(n.redisArgs, "--cluster-announce-ip"), "172.30.57.1");
                assert.equal(argValue(n.redisArgs, "--cluster-announce-port"), String(n.clientPort));
                assert.equal(argValue(n.redisArgs, "--cluster-announce-bus-port"), String(n.busPort));
                assert.equal(argValue(n.redisArgs, "--bind"), "0.0.0.0");
                assert.equal(n.announceHost, "172.30.57.1");
                assert.deepEqual(n.hostAddress, { host: "127.0.0.1", port: n.clientPort });
            }
            assert.equal(t.standalone.redisArgs.includes("--cluster-announce-ip"), false);
        });

        it("keeps the logical node and adds its placement: the arguments grow only by the address and ports it announces", () => {
            const logical = buildTopology(parseSettings({}), "rs-dev").clusterNodes[0];
            const { redisArgs, announceHost, hostAddress, volume, ports, labels, volumeLabels, ...rest } = t.clusterNodes[0];
            const announced = redisArgs.indexOf("--cluster-announce-ip");
            assert.deepEqual(redisArgs.slice(announced, announced + 6), [
                "--cluster-announce-ip",
                "172.30.57.1",
                "--cluster-announce-port",
                "7000",
                "--cluster-announce-bus-port",
                "17000",
            ]);
            assert.deepEqual([...redisArgs.slice(0, announced), ...redisArgs.slice(announced + 6)], logical.redisArgs);
            assert.deepEqual({ ...rest, redisArgs: logical.redisArgs }, logical);
            assert.deepEqual(
                { announceHost, hostAddress, volume },
                { announceHost: "172.30.57.1", hostAddress: { host: "127.0.0.1", port: 7000 }, volume: "rs-dev-node-0-data" },
            );
            assert.equal(ports.length, 3);
            assert.deepEqual(labels, { [STACK_LABEL]: "rs-dev", [KIND_LABEL]: "cluster-node", [RUNTIME_LABEL]: "engine" });
            assert.deepEqual(volumeLabels, { [STACK_LABEL]: "rs-dev", [KIND_LABEL]: "cluster-node" });
        });

        it("publishes client ports on the gateway and loopback, bus ports on the gateway only, never 0.0.0.0", () => {
            assert.deepEqual(t.clusterNodes[2].ports, [
                { hostIp: "172.30.57.1", hostPort: 7002, containerPort: 7002 },
                { hostIp: "127.0.0.1", hostPort: 7002, containerPort: 7002 },
                { hostIp: "172.30.57.1", hostPort: 17002, containerPort: 17002 },
            ]);
            for (const node of dockerNodes(t))
                assert.ok(
                    node.ports.every((p) => p.hostIp !== "0.0.0.0"),
                    node.name,
                );
        });

        it("gives every node its own volume and the stack label, and the stack a network", () => {
            const volumes = new Set(dockerNodes(t).map((n) => n.volume));
            assert.equal(volumes.size, 7);
            assert.equal(t.clusterNodes[1].volume, "rs-dev-node-1-data");
            assert.equal(t.standalone.volume, "rs-dev-standalone-data");
            for (const n of dockerNodes(t)) assert.equal(n.labels[STACK_LABEL], "rs-dev");
            assert.deepEqual(t.network, {
                name: "rs-dev-net",
                subnet: "172.30.57.0/24",
                gateway: "172.30.57.1",
                labels: { [STACK_LABEL]: "rs-dev" },
            });
        });

        it("labels containers with the runtime that makes them, but never volumes or the network (a changed label would replace them)", () => {
            for (const runtime of ["engine", "docker"]) {
                const r = placed({ runtime });
                for (const n of dockerNodes(r)) {
                    assert.equal(n.labels[RUNTIME_LABEL], runtime);
                    assert.equal(containerCreateBody(n, r).Labels[RUNTIME_LABEL], runtime);
                    // The volume labels are what they were before the runtime label existed.
                    assert.deepEqual(n.volumeLabels, { [STACK_LABEL]: "rs-dev", [KIND_LABEL]: n.labels[KIND_LABEL] });
                }
                assert.deepEqual(r.network?.labels, { [STACK_LABEL]: "rs-dev" });
            }
        });

        it("keeps every node's container the same when the number of masters changes (no restart when scaling)", () => {
            const four = placed({ masters: "4" });
            for (const node of t.clusterNodes) {
                const same = placedNode(four, node);
                assert.deepEqual(containerCreateBody(same, four), containerCreateBody(node, t), node.name);
            }
        });

        it("maps announced addresses to loopback for host clients", () => {
            const map = natMap(t.clusterNodes);
            assert.equal(Object.keys(map).length, 6);
            assert.deepEqual(map["172.30.57.1:7004"], { host: "127.0.0.1", port: 7004 });
            assert.deepEqual(dockerEndpoint(t.clusterNodes[4]), {
                announceHost: "172.30.57.1",
                announcePort: 7004,
                host: "127.0.0.1",
                port: 7004,
            });
        });

        it("maps a placed node to a Docker Engine create body with its ports, volume, network and restart policy", () => {
            const body = containerCreateBody(t.clusterNodes[1], t);
            assert.equal(body.name, "rs-dev-node-1");
            assert.deepEqual(body.HostConfig.PortBindings["7001/tcp"], [
                { HostIp: "172.30.57.1", HostPort: "7001" },
                { HostIp: "127.0.0.1", HostPort: "7001" },
            ]);
            assert.deepEqual(body.HostConfig.PortBindings["17001/tcp"], [{ HostIp: "172.30.57.1", HostPort: "17001" }]);
            assert.deepEqual(body.HostConfig.Mounts, [{ Type: "volume", Source: "rs-dev-node-1-data", Target: "/data" }]);
            assert.equal(body.HostConfig.NetworkMode, "rs-dev-net");
            assert.equal(body.HostConfig.RestartPolicy.Name, "unless-stopped");
            assert.deepEqual(body.NetworkingConfig?.EndpointsConfig["rs-dev-net"].Aliases, ["rs-dev-node-1"]);
        });

        it("runs redis-server as uid 999 with every capability dropped and no privilege to gain", () => {
            for (const node of [...t.clusterNodes, t.standalone]) {
                const body = containerCreateBody(node, t);
                assert.equal(body.User, "999:999");
                assert.deepEqual(body.HostConfig.CapDrop, ["ALL"]);
                assert.deepEqual(body.HostConfig.SecurityOpt, ["no-new-privileges"]);
            }
        });

        it("hands the node's volume to uid 999 first: the node's image as root with CHOWN and DAC_READ_SEARCH alone, on no network", () => {
            const body = containerCreateBody(t.clusterNodes[1], t);
            const owner = dataOwnerBody(dataOwnerTarget(body)!);
            assert.equal(owner.name, "rs-dev-node-1-data-owner");
            assert.equal(owner.Image, body.Image);
            assert.equal(owner.User, "0:0");
            assert.deepEqual([...owner.Entrypoint, ...owner.Cmd], ["chown", "-R", "999:999", "/data"]);
            assert.deepEqual(owner.HostConfig, {
                NetworkMode: "none",
                Mounts: [{ Type: "volume", Source: "rs-dev-node-1-data", Target: "/data" }],
                CapDrop: ["ALL"],
                CapAdd: ["CHOWN", "DAC_READ_SEARCH"],
                SecurityOpt: ["no-new-privileges"],
            });
            assert.deepEqual(owner.Labels, body.Labels, "the node's labels: the stack's own, found by its clean-up");
            assert.equal(dataOwnerTarget({ ...body, User: "" }), undefined, "none for a container that runs as root");
        });

        it("refuses a node that is not the placement's", () => {
            assert.throws(
                () => placedNode(t, { name: "rs-other-node-0" }),
                /rs-other-node-0 is not a node of the stack's Docker placement/,
            );
        });
    });

    describe("other shapes", () => {
        it("host mode listens on loopback, publishes nothing and announces nothing", () => {
            const t = placed({ networkMode: "host" }, "rs-h");
            assert.equal(t.network, undefined);
            for (const n of dockerNodes(t)) {
                assert.deepEqual(n.ports, []);
                assert.equal(argValue(n.redisArgs, "--bind"), "127.0.0.1");
                assert.equal(n.redisArgs.includes("--cluster-announce-ip"), false);
                assert.equal(n.announceHost, "127.0.0.1");
            }
            assert.deepEqual(natMap(t.clusterNodes), {});
            assert.equal(containerCreateBody(t.clusterNodes[0], t).HostConfig.NetworkMode, "host");
        });

        it("publishAddress 0.0.0.0 publishes on every interface once and still announces the gateway", () => {
            const t = placed({ publishAddress: "0.0.0.0", password: "pw-123456" }, "rs-any");
            assert.deepEqual(
                t.clusterNodes[0].ports.map((p) => p.hostIp),
                ["0.0.0.0", "0.0.0.0"],
            );
            assert.equal(argValue(t.clusterNodes[0].redisArgs, "--cluster-announce-ip"), "172.30.57.1");
        });

        it("with TLS and a plain port: announces the plain port and the TLS one, where running containers' commands have them", () => {
            const node = placed({ tls: "true", tlsPlainPort: "true" }).clusterNodes[0];
            const at = (flag: string) => node.redisArgs.indexOf(flag);
            assert.equal(argValue(node.redisArgs, "--cluster-announce-port"), "27000");
            assert.equal(argValue(node.redisArgs, "--cluster-announce-tls-port"), "7000");
            assert.ok(at("--repl-diskless-sync-delay") < at("--cluster-announce-ip"));
            assert.ok(at("--cluster-announce-bus-port") < at("--tls-port"));
            assert.deepEqual(node.redisArgs.slice(-2), ["--cluster-announce-tls-port", "7000"]);
            assert.deepEqual(
                node.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`),
                [
                    "172.30.57.1:7000->7000",
                    "127.0.0.1:7000->7000",
                    "172.30.57.1:17000->17000",
                    "172.30.57.1:27000->27000",
                    "127.0.0.1:27000->27000",
                ],
            );
        });

        it("with TLS and no plain port: announces the TLS port only", () => {
            const node = placed({ tls: "true" }).clusterNodes[0];
            assert.equal(node.redisArgs.includes("--cluster-announce-port"), false);
            assert.equal(argValue(node.redisArgs, "--cluster-announce-tls-port"), "7000");
            assert.equal(node.ports.length, 3);
        });
    });
});
