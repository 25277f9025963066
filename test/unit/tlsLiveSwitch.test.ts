// What turning TLS on or off live sends to a node: derived from its new command line, in the order
// Redis 7.0 must apply it (the setting that frees the client port first), and the update plan that uses it.
import { strict as assert } from "assert";
import { parseSettings } from "../../components/settings/config";
import { containerCreateBody } from "../../components/runtime/containerSpec";
import { ContainerInputs, recorded, updatePlan } from "../../components/runtime/engine/containerChanges";
import { loadLifecycle } from "../../components/contracts/nodeLifecycle";
import { standaloneNodeLifecycle } from "../../components/redis/standaloneNodeLifecycle";
import { commandSettings, declaresTls, liveTlsSwitch } from "../../components/tls/liveSwitch";
import { redisCommand } from "../../components/topology/topology";
import { placedClusterLifecycle, placedStack } from "../support/placedStack";

const plain = placedStack(parseSettings({}), "redis-stack-unit");
const tls = (tlsPlainPort: boolean) => placedStack(parseSettings({ tls: "true", tlsPlainPort: String(tlsPlainPort) }), "redis-stack-unit");
const names = (s: readonly (readonly [string, string])[]) => s.map(([n]) => n);
const value = (s: readonly (readonly [string, string])[], name: string) => s.find(([n]) => n === name)?.[1];

describe("TLS switched live (CONFIG SET)", () => {
    const node = plain.clusterNodes[0];
    const port = String(node.clientPort);

    it("reads --name value pairs of a command line, and TLS from its tls-port", () => {
        assert.equal(commandSettings(["redis-server", "/etc/a.conf", "--port", "7000", "--tls-port", "0"]).get("port"), "7000");
        assert.equal(declaresTls(redisCommand(node)), false);
        assert.equal(declaresTls(redisCommand(tls(false).clusterNodes[0])), true);
    });

    it("on: certificate files first, then the plain port freed (0) before the TLS port takes the client port, then the bus and replication", () => {
        const { on, settings } = liveTlsSwitch(redisCommand(tls(false).clusterNodes[0]));
        assert.equal(on, true);
        assert.ok(names(settings).indexOf("tls-cert-file") < names(settings).indexOf("tls-port"));
        assert.ok(names(settings).indexOf("port") < names(settings).indexOf("tls-port"), "port before tls-port");
        assert.equal(value(settings, "port"), "0");
        assert.equal(value(settings, "tls-port"), port);
        assert.equal(value(settings, "tls-cluster"), "yes");
        assert.equal(value(settings, "tls-replication"), "yes");
        assert.equal(value(settings, "cluster-announce-tls-port"), port, "the announced client port stays the same");
        assert.equal(value(settings, "cluster-announce-port"), "0");
    });

    it("on with the plain port kept: the plain port moves to client port + 2 x busPortOffset and is announced for plain clients", () => {
        const { settings } = liveTlsSwitch(redisCommand(tls(true).clusterNodes[0]));
        assert.equal(value(settings, "port"), String(node.clientPort + 20000));
        assert.equal(value(settings, "cluster-announce-port"), String(node.clientPort + 20000));
    });

    it("off: the TLS port freed (0) before the plain port takes the client port back, bus and replication plain", () => {
        const { on, settings } = liveTlsSwitch(redisCommand(node));
        assert.equal(on, false);
        assert.deepEqual(names(settings).slice(0, 2), ["tls-port", "port"]);
        assert.equal(value(settings, "tls-port"), "0");
        assert.equal(value(settings, "port"), port);
        assert.equal(value(settings, "tls-cluster"), "no");
        assert.equal(value(settings, "tls-replication"), "no");
        assert.equal(value(settings, "cluster-announce-tls-port"), "0");
        assert.ok(!names(settings).some((n) => n.endsWith("-file")), "certificate paths are left as they are");
    });

    describe("update plan", () => {
        const material = { ca: "CA", cert: "CERT", key: "KEY" };
        const inputsOf = (spec: typeof node, withMaterial: boolean, lifecycle = placedClusterLifecycle(plain)): ContainerInputs => ({
            body: containerCreateBody(spec, { image: "redis:7", network: plain.network }),
            password: "pw",
            ...(withMaterial ? { tls: material } : {}),
            endpoint: { name: spec.name, ...spec.hostAddress },
            dependsOnIds: ["vol", "net"],
            lifecycle,
        });

        it("a cluster node switches live, then restarts in its turn, both ways (never all at once)", () => {
            const ref = placedClusterLifecycle(plain);
            const off = inputsOf(node, false);
            const on = inputsOf(tls(false).clusterNodes[0], true);
            assert.equal(updatePlan(recorded(off, "c1"), on, loadLifecycle(ref)), "switch TLS live, then recreate with lifecycle");
            assert.equal(updatePlan(recorded(on, "c1"), off, loadLifecycle(ref)), "switch TLS live, then recreate with lifecycle");
        });

        it("a new certificate is not a switch: the node reloads it live", () => {
            const ref = placedClusterLifecycle(plain);
            const on = inputsOf(tls(false).clusterNodes[0], true);
            const renewed = { ...on, tls: { ...material, cert: "CERT2" } };
            assert.equal(updatePlan(recorded(on, "c1"), renewed, loadLifecycle(ref)), "reload TLS in place");
        });

        it("the standalone node, which has no peers, restarts with the switch", () => {
            const ref = standaloneNodeLifecycle;
            const off = inputsOf(plain.standalone, false, ref);
            const on = inputsOf(tls(false).standalone, true, ref);
            assert.equal(updatePlan(recorded(off, "c1"), on, loadLifecycle(ref)), "recreate with lifecycle");
        });
    });
});
