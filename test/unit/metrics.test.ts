// metrics, metricsPort and metricsImage: the settings, where every exporter listens, what it runs with (its own ACL
// user, the password in a file), and its place on a Docker host beside its node.
import { strict as assert } from "assert";
import { parseSettings, type RawSettings } from "../../components/settings/config";
import { metricsPortProblems } from "../../components/settings/metricsPorts";
import { buildTopology } from "../../components/topology/topology";
import { withTls } from "../../components/tls/nodeTls";
import {
    METRICS_PASSWORD_FILE,
    METRICS_USER,
    METRICS_USER_RULES,
    exporterArgs,
    exporterPasswordFile,
} from "../../components/topology/metricsExporter";
import { EXPORTER_KIND, KIND_LABEL, placeOnDocker } from "../../components/runtime/dockerPlacement";
import { exporterCreateBody } from "../../components/runtime/containerSpec";
import { hostPortsNeeded } from "../../components/runtime/hostPorts";
import { stackObjects } from "../../components/runtime/ownership";
import { settingProblems } from "../support/settingProblems";
import { serviceMonitorProblem } from "../../components/runtime/kubernetes/preflightChecks";

const placed = (raw: RawSettings) => {
    const settings = parseSettings(raw);
    return placeOnDocker(withTls(buildTopology(settings, "rs-dev"), settings), settings, "rs-dev");
};

describe("metrics", () => {
    it("is off by default: no exporter port on any node, none placed", () => {
        const docker = placed({});
        assert.ok([...docker.clusterNodes, docker.standalone].every((n) => n.metricsPort === undefined && n.exporter === undefined));
    });

    it("puts the standalone node's exporter at metricsPort and cluster node i's at metricsPort + 1 + i", () => {
        const docker = placed({ metrics: "true" });
        assert.deepEqual(
            docker.clusterNodes.map((n) => n.metricsPort),
            [9122, 9123, 9124, 9125, 9126, 9127],
        );
        assert.equal(docker.standalone.metricsPort, 9121);
        const moved = placed({ metrics: "true", metricsPort: "19000", masters: "4" });
        assert.deepEqual([moved.standalone.metricsPort, moved.clusterNodes.at(-1)?.metricsPort], [19000, 19008]);
    });

    it("refuses exporter ports over 65535 or on a port a node serves, naming metricsPort and the ports it overlaps", () => {
        assert.deepEqual(settingProblems({ metrics: "true", metricsPort: "65530" }), [
            "metricsPort: got 65530; allowed: a port where the last exporter port is at most 65535 (the standalone node's exporter listens at metricsPort, cluster node i's at metricsPort + 1 + i (65530-65536))",
        ]);
        assert.deepEqual(settingProblems({ metrics: "true", metricsPort: "6375" }), [
            "metricsPort: got 6375; the exporter ports overlap the standalone port 6379; allowed: a port that keeps them apart (the standalone node's exporter listens at metricsPort, cluster node i's at metricsPort + 1 + i (6375-6381))",
        ]);
        const plain = {
            metrics: true,
            metricsPort: 27000,
            basePort: 7000,
            busPortOffset: 10000,
            standalonePort: 6379,
            tls: true,
            tlsPlainPort: true,
        };
        assert.deepEqual(metricsPortProblems(plain, 6), [
            "metricsPort: got 27000; the exporter ports overlap the cluster plain ports 27000-27005; allowed: a port that keeps them apart (the standalone node's exporter listens at metricsPort, cluster node i's at metricsPort + 1 + i (27000-27006))",
        ]);
        // Without metrics the port is not looked at.
        assert.deepEqual(metricsPortProblems({ ...plain, metrics: false }, 6), []);
    });

    it("refuses a metricsImage that is not an image reference, naming it", () => {
        assert.deepEqual(settingProblems({ metricsImage: "Not An Image" }), [
            'metricsImage: got "Not An Image"; allowed: a Docker image reference such as oliver006/redis_exporter:v1.97.0',
        ]);
    });

    it("refuses metricsServiceMonitor without metrics, and with a Docker runtime, naming it", () => {
        assert.deepEqual(settingProblems({ runtime: "kubernetes", metricsServiceMonitor: "true" }), [
            'metricsServiceMonitor: got "true" with metrics false; allowed: false, or metrics true (it selects the exporters\' ports)',
        ]);
        assert.deepEqual(settingProblems({ metrics: "true", metricsServiceMonitor: "true" }), [
            'metricsServiceMonitor: got "true"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
        ]);
        assert.equal(parseSettings({ runtime: "kubernetes", metrics: "true", metricsServiceMonitor: "true" }).metricsServiceMonitor, true);
    });

    it("refuses a ServiceMonitor where the cluster serves none, naming the setting and the CRD", () => {
        assert.equal(serviceMonitorProblem(false, undefined), undefined);
        assert.equal(serviceMonitorProblem(true, ["podmonitors", "servicemonitors"]), undefined);
        for (const served of [undefined, ["podmonitors"]])
            assert.match(
                serviceMonitorProblem(true, served) ?? "",
                /^metricsServiceMonitor: got true, but the cluster has no ServiceMonitor resource \(monitoring\.coreos\.com\/v1/,
            );
    });

    it("runs the exporter as its own user with the password in a file, config metrics off, TLS with the node's files", () => {
        const args = exporterArgs({
            address: "rediss://rs-dev-node-0:7000",
            listenAddress: ":9122",
            tlsFiles: { ca: "/c", cert: "/n", key: "/k" },
        });
        assert.deepEqual(args, [
            "-redis.addr=rediss://rs-dev-node-0:7000",
            `-redis.user=${METRICS_USER}`,
            `-redis.password-file=${METRICS_PASSWORD_FILE}`,
            "-web.listen-address=:9122",
            "-config-command=-",
            "-redis-only-metrics",
            "-tls-ca-cert-file=/c",
            "-tls-client-cert-file=/n",
            "-tls-client-key-file=/k",
        ]);
        assert.ok(!args.some((a) => a.includes("password=")), "no password on the command line");
    });

    it("keys the password file by the address with the user in it, as redis_exporter looks it up", () => {
        assert.deepEqual(JSON.parse(exporterPasswordFile("redis://rs-dev-node-0:7000", "s3cret-pw").content), {
            [`redis://${METRICS_USER}@rs-dev-node-0:7000`]: "s3cret-pw",
        });
        assert.deepEqual(JSON.parse(exporterPasswordFile("unix:///run/redis-stack/redis.sock", "s3cret-pw").content), {
            [`unix://${METRICS_USER}@/run/redis-stack/redis.sock`]: "s3cret-pw",
        });
    });

    it("grants the exporter's user no key, no channel, no CONFIG, no write and no admin command", () => {
        assert.deepEqual(METRICS_USER_RULES.slice(0, 3), ["resetkeys", "resetchannels", "-@all"]);
        const commands = METRICS_USER_RULES.filter((r) => r.startsWith("+")).map((r) => r.slice(1).split("|")[0]);
        for (const refused of ["config", "eval", "get", "scan", "keys", "set", "del", "flushall", "acl", "debug", "module", "shutdown"])
            assert.ok(!commands.includes(refused), refused);
        // Of CLIENT only SETNAME (never KILL or PAUSE).
        assert.deepEqual(
            METRICS_USER_RULES.filter((r) => r.startsWith("+client")),
            ["+client|setname"],
        );
        assert.ok(!METRICS_USER_RULES.some((r) => r.startsWith("~") || r.startsWith("%") || r === "allkeys" || r.startsWith("+@")));
    });

    it("places each exporter beside its node on the stack's network, published where the client port is, as the stack's", () => {
        const docker = placed({ metrics: "true" });
        const node = docker.clusterNodes[1];
        const exporter = node.exporter!;
        assert.equal(exporter.name, "rs-dev-node-1-metrics");
        assert.deepEqual(exporter.target, { address: "redis://rs-dev-node-1:7001", listenAddress: ":9123" });
        assert.deepEqual(exporter.ports, [
            { hostIp: "172.30.57.1", hostPort: 9123, containerPort: 9123 },
            { hostIp: "127.0.0.1", hostPort: 9123, containerPort: 9123 },
        ]);
        assert.equal(exporter.scrapeAddress, "172.30.57.1:9123");
        assert.equal(exporter.labels[KIND_LABEL], EXPORTER_KIND);
        const body = exporterCreateBody(exporter, { image: "redis-stack-local/redis-exporter:v1.97.0", network: { name: "rs-dev-net" } });
        assert.equal(body.User, "999:999");
        assert.deepEqual([body.HostConfig.CapDrop, body.HostConfig.SecurityOpt], [["ALL"], ["no-new-privileges"]]);
        assert.deepEqual(body.HostConfig.Mounts, []);
        assert.deepEqual(body.HostConfig.PortBindings["9123/tcp"], [
            { HostIp: "172.30.57.1", HostPort: "9123" },
            { HostIp: "127.0.0.1", HostPort: "9123" },
        ]);
        // The preflight checks its ports and the ownership check its container, with the nodes'.
        assert.ok(hostPortsNeeded(docker).some((p) => p.node === exporter.name && p.port === 9123 && p.purpose === "metrics port"));
        assert.ok(stackObjects(docker).some((o) => o.kind === "container" && o.name === exporter.name));
    });

    it("with TLS scrapes the node's TLS port with the node's files; under host networking both stay on loopback", () => {
        const tls = placed({ metrics: "true", tls: "true" }).standalone.exporter!;
        assert.equal(tls.target.address, "rediss://rs-dev-standalone:6379");
        assert.ok(tls.target.tlsFiles);
        const host = placed({ metrics: "true", networkMode: "host" }).clusterNodes[0].exporter!;
        assert.deepEqual(host.target, { address: "redis://127.0.0.1:7000", listenAddress: "127.0.0.1:9122" });
        assert.deepEqual(host.ports, []);
        assert.equal(host.scrapeAddress, "127.0.0.1:9122");
    });
});
