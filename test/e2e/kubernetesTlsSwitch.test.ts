// Turning TLS on and off for a running kubernetes stack, on the local single-node Kubernetes, with a
// writer: every cluster node gets its files (its Secret, mounted optional in every pod), switches live,
// and only then is its pod replaced in its turn; node ids and data are kept and no acknowledged write is
// lost (counted by test/support/writer.ts, read back in the new protocol afterwards).
import { strict as assert } from "assert";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import Redis, { Cluster } from "ioredis";
import { parseInfo } from "../../components/redis/clusterView";
import { kubectl } from "../support/kubernetes";
import { kubernetesSuiteStack, timed } from "../support/kubernetesStack";
import { withRawClient } from "../support/rawClient";
import { ClusterWriter } from "../support/writer";

const PASSWORD = `k8s-tlssw-${Math.random().toString(36).slice(2)}-Secret`;

interface NodeOutput {
    name: string;
    id: string;
}

describe("kubernetes runtime: switching a running stack to TLS and back (local single-node Kubernetes)", function () {
    const suite = kubernetesSuiteStack("tlssw", {
        "redis-stack:password": { value: PASSWORD, secret: true },
        "redis-stack:clusterNodeTimeoutMs": { value: "2000" },
    });
    const { namespace, log } = suite;
    let stack: Stack;
    let outputs: OutputMap;

    const toAddress = (seed: string) => ({ host: seed.split(":")[0], port: Number(seed.split(":")[1]) });
    const clientTls = () => ({
        ca: outputs.tlsCaCert.value as string,
        cert: outputs.tlsClientCert.value as string,
        key: outputs.tlsClientKey.value as string,
    });
    const podUids = () =>
        kubectl("get", "pods", "-n", namespace, "-o", "jsonpath={range .items[*]}{.metadata.uid} {end}").trim().split(" ").sort();

    before(async function () {
        stack = suite.stack;
        const result = await timed("up from nothing, plain", () => stack.up({ onOutput: log }));
        assert.equal(result.summary.result, "succeeded");
        outputs = result.outputs;
    });

    /**
     * `up` with a writer in the protocol the nodes speak now; it fails fast once they switch (never
     * acknowledging), and every write it had acknowledged is read back in the new protocol.
     */
    async function switchWithWriter(what: string, tls: boolean): Promise<void> {
        const before = outputs.clusterNodes.value as NodeOutput[];
        const seeds = ((tls ? outputs.clusterSeeds.value : outputs.clusterTlsSeeds.value) as string[]).map(toAddress);
        const client = new Cluster(seeds, {
            enableOfflineQueue: false,
            clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
            redisOptions: { password: PASSWORD, maxRetriesPerRequest: 1, ...(tls ? {} : { tls: clientTls() }) },
        });
        client.on("error", () => undefined);
        const writer = new ClusterWriter(client, tls ? "on" : "off");
        // Writes acknowledged before the switch starts, so there is something to lose.
        const deadline = Date.now() + 30000;
        while (Date.now() < deadline && Number((await client.get(`${tls ? "on" : "off"}:0:50`).catch(() => null)) ?? -1) !== 50)
            await new Promise((r) => setTimeout(r, 20));
        const podsBefore = podUids();
        await stack.setConfig("redis-stack:tls", { value: String(tls) });
        try {
            const up = await timed(what, () => stack.up({ onOutput: log }));
            assert.equal(up.summary.result, "succeeded");
            outputs = up.outputs;
        } finally {
            // Its writes fail once the nodes switched; a failed up must not leave it retrying.
            client.disconnect();
        }
        const reader = new Cluster(((tls ? outputs.clusterTlsSeeds.value : outputs.clusterSeeds.value) as string[]).map(toAddress), {
            redisOptions: { password: PASSWORD, ...(tls ? { tls: clientTls() } : {}) },
        });
        let report;
        try {
            report = await writer.stopAndVerify(reader);
        } finally {
            reader.disconnect();
        }
        console.log(`      writer during ${what}: ${JSON.stringify(report)}`);
        assert.ok(report.acknowledged > 50, "the writer wrote before the switch");
        assert.equal(report.lost, 0, "no acknowledged write was lost");
        assert.equal(
            podUids().filter((p) => podsBefore.includes(p)).length,
            0,
            "every pod was replaced, to start with the switch in its command",
        );
        // A node switched live answers in the new protocol on its old command line until its pod is replaced:
        // the probes must take that as alive, or the kubelet would restart it back into the old protocol.
        const livenessKills = kubectl(
            "get",
            "events",
            "-n",
            namespace,
            "--field-selector",
            "reason=Killing",
            "-o",
            "jsonpath={range .items[*]}{.message}{'\\n'}{end}",
        )
            .split("\n")
            .filter((m) => /liveness/i.test(m));
        assert.deepEqual(livenessKills, [], "no node was restarted by its liveness probe");
        const after = outputs.clusterNodes.value as NodeOutput[];
        for (const node of before)
            assert.equal(after.find((n) => n.name === node.name)?.id, node.id, `${node.name} kept its cluster identity`);
        const preview = await stack.preview({ onOutput: log });
        assert.deepEqual(
            Object.entries(preview.changeSummary ?? {}).filter(([op, n]) => op !== "same" && n > 0),
            [],
            "a preview after the switch reports no changes",
        );
    }

    it("plain -> TLS with a writer: a plain up; every node switches live once its pod has the files, then its pod is replaced in turn; ids and data kept, 0 acknowledged writes lost", async () => {
        await switchWithWriter("switch to TLS", true);
        for (const seed of outputs.clusterTlsSeeds.value as string[]) {
            const node = new Redis({
                ...toAddress(seed),
                password: PASSWORD,
                tls: clientTls(),
                lazyConnect: true,
                retryStrategy: () => null,
            });
            try {
                await node.connect();
                assert.equal(parseInfo(String(await node.call("CLUSTER", "INFO"))).cluster_state, "ok", seed);
            } finally {
                node.disconnect();
            }
            await assert.rejects(
                withRawClient(seed, (c) => c.ping()),
                (err: Error) => !/PONG/.test(err.message),
                `${seed} still answers plain text`,
            );
        }
    });

    it("TLS -> plain with a writer: the same the other way; ids and data kept, 0 acknowledged writes lost", async () => {
        await switchWithWriter("switch back to plain", false);
        for (const seed of outputs.clusterSeeds.value as string[]) {
            const info = await withRawClient(seed, async (c) => {
                await c.auth(PASSWORD);
                return String(await c.call("CLUSTER", "INFO"));
            });
            assert.equal(parseInfo(info).cluster_state, "ok", seed);
        }
    });
});
