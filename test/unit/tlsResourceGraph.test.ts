// The resource graph index.ts declares with `redis-stack:tls true`, under pulumi.runtime.setMocks (no
// engine, no Docker): both runtimes get every node's TLS files as secrets, never on a command line, and
// the formation connects with the client material, a secret too.
import { strict as assert } from "assert";
import Module from "module";
import * as pulumi from "@pulumi/pulumi";
import { type CertificateSubject, type KeyedCertificate, issueCa } from "../../components/tls/certificates";
import { isSecret, outputValue, plaintextStrings } from "../support/mockedSecrets";
import { holdsMockedNodeKey, mockedCertificateState, subjectNameOf } from "../support/mockedCertificates";
import { signedBy } from "../../components/tls/validate";

const fakeKey = (name: string) => `-----BEGIN PRIVATE KEY-----\nKEY-OF-${name}\n-----END PRIVATE KEY-----\n`;
const fakeCert = (name: string) => `-----BEGIN CERTIFICATE-----\nCERT-OF-${name}\n-----END CERTIFICATE-----\n`;

/** The subject name of the client certificate issued from a supplied CA. */
function subjectOfClient(resources: readonly Registered[]): string {
    const client = resources.find(
        (r) => r.type === "pulumi-nodejs:dynamic/redis-stack:NodeCertificate" && r.name === "redis-stack-tls-client",
    );
    return (client?.inputs.subject as CertificateSubject).name;
}

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

const PREFLIGHT_MODULE = require.resolve("../../components/runtime/preflight");

/** index.ts as a fresh program, its Docker host check replaced by one that passes. */
function loadProgram(): () => Promise<Record<string, unknown>> {
    const real = require(PREFLIGHT_MODULE) as Record<string, unknown>;
    const saved = require.cache[PREFLIGHT_MODULE];
    const standIn = new Module(PREFLIGHT_MODULE);
    standIn.filename = PREFLIGHT_MODULE;
    standIn.loaded = true;
    standIn.exports = { ...real, preflightHost: async () => undefined };
    require.cache[PREFLIGHT_MODULE] = standIn;
    delete require.cache[require.resolve("../../index")];
    try {
        return require("../../index") as () => Promise<Record<string, unknown>>;
    } finally {
        require.cache[PREFLIGHT_MODULE] = saved;
    }
}

async function declare(
    runtime: "docker" | "engine",
    config: Record<string, string> = {},
    secretKeys: string[] = [],
): Promise<{ resources: Registered[]; exports: Record<string, unknown> }> {
    const resources: Registered[] = [];
    void pulumi.runtime.setMocks(
        {
            async newResource(args) {
                resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                const state: Record<string, unknown> = { ...args.inputs };
                if (args.type === "pulumi-nodejs:dynamic/redis-stack:TlsCertificates") {
                    // What the provider issues, in shape (./tls.test.ts issues real certificates).
                    const nodes = args.inputs.nodes as CertificateSubject[];
                    state.caCert = fakeCert("ca");
                    state.caKey = fakeKey("ca");
                    state.nodeCerts = Object.fromEntries(nodes.map((n) => [n.name, fakeCert(n.name)]));
                    state.nodeKeys = Object.fromEntries(nodes.map((n) => [n.name, fakeKey(n.name)]));
                    state.clientCert = fakeCert("client");
                    state.clientKey = fakeKey("client");
                }
                Object.assign(state, await mockedCertificateState(args.type, args.inputs));
                if (args.type === "docker:index/container:Container" || args.type === "docker:index/network:Network")
                    state.name = args.inputs.name;
                return { id: `${args.name}-id`, state };
            },
            call: (args) => args.inputs,
        },
        "redis-stack",
        "unit",
        false,
        "organization",
    );
    pulumi.runtime.setAllConfig(
        { "redis-stack:runtime": runtime, "redis-stack:tls": "true", "redis-stack:clusterCheck": "false", ...config },
        secretKeys,
    );
    const exports = await loadProgram()();
    await pulumi.runtime.disconnect();
    return { resources, exports };
}

describe("resource graph with TLS (setMocks)", function () {
    this.timeout(30000);

    describe("docker runtime", () => {
        let resources: Registered[];
        let exports: Record<string, unknown>;
        before(async () => ({ resources, exports } = await declare("docker")));
        const containers = () => resources.filter((r) => r.type === "docker:index/container:Container");

        it("declares one TlsCertificates resource for the 7 nodes and a client", () => {
            const certs = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:TlsCertificates");
            assert.equal(certs.length, 1);
            assert.equal((certs[0].inputs.nodes as CertificateSubject[]).length, 7);
        });

        it("uploads each node's own CA, certificate and key as secret files, and starts it with TLS on its client port", () => {
            assert.equal(containers().length, 7);
            for (const c of containers()) {
                // The SDK may mark the whole list secret, since its entries are.
                const raw = c.inputs.uploads as Record<string, unknown>;
                const uploads = (isSecret(raw) ? raw.value : raw) as { file: string; content: unknown }[];
                assert.deepEqual(
                    uploads.map((u) => u.file),
                    [
                        "/etc/redis-stack-auth.conf",
                        "/etc/redis-stack-settings.conf",
                        "/etc/redis-stack-tls/ca.crt",
                        "/etc/redis-stack-tls/node.crt",
                        "/etc/redis-stack-tls/node.key",
                    ],
                );
                assert.ok(isSecret(raw) || uploads.every((u) => isSecret(u.content)), `${c.name}: every upload is a secret`);
                assert.ok(
                    JSON.stringify(uploads.find((u) => u.file.endsWith("node.key"))).includes(`KEY-OF-${c.inputs.name as string}`),
                    `${c.name} gets its own key`,
                );
                const command = c.inputs.command as string[];
                assert.equal(command[command.indexOf("--port") + 1], "0");
                assert.ok(command.includes("--tls-port"));
            }
        });

        it("never passes a private key in plaintext in any resource input", () => {
            const leaks = resources.filter((r) => plaintextStrings(r.inputs).some((s) => s.includes("KEY-OF-")));
            assert.deepEqual(
                leaks.map((r) => `${r.type} ${r.name}`),
                [],
            );
        });

        it("gives the formation the client certificate and key, as a secret", () => {
            const [formation] = resources.filter((r) => r.type.endsWith("ClusterFormation"));
            assert.ok(isSecret(formation.inputs.tls));
            assert.ok(JSON.stringify(formation.inputs.tls).includes("KEY-OF-client"));
        });

        it("exports the CA, the client certificate and key, TLS seeds and rediss:// URLs", async () => {
            assert.equal(await outputValue(exports.tlsCaCert as pulumi.Output<string>), fakeCert("ca"));
            assert.equal(await outputValue(exports.tlsClientKey as pulumi.Output<string>), fakeKey("client"));
            assert.equal(await pulumi.isSecret(exports.tlsClientKey as pulumi.Output<string>), true);
            assert.equal(await outputValue(exports.standaloneTlsUrl as pulumi.Output<string>), "rediss://172.30.57.1:6379");
            assert.deepEqual(await outputValue(exports.clusterTlsSeeds as pulumi.Output<string[]>), [
                "172.30.57.1:7000",
                "172.30.57.1:7001",
                "172.30.57.1:7002",
                "172.30.57.1:7003",
                "172.30.57.1:7004",
                "172.30.57.1:7005",
            ]);
            assert.equal(await outputValue(exports.standaloneUrl as pulumi.Output<string>), "rediss://172.30.57.1:6379");
        });
    });

    describe("engine runtime with a supplied CA (tlsCaCert, tlsCaKey)", () => {
        let resources: Registered[];
        let exports: Record<string, unknown>;
        let ca: KeyedCertificate;
        before(async () => {
            ca = await issueCa("user CA", { now: new Date(), validityMs: 30 * 24 * 3600 * 1000 });
            ({ resources, exports } = await declare("engine", { "redis-stack:tlsCaCert": ca.cert, "redis-stack:tlsCaKey": ca.key }, [
                "redis-stack:tlsCaKey",
            ]));
        });

        it("issues a certificate per node and one for clients from the supplied CA, and no CA of its own", () => {
            assert.equal(resources.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:TlsCertificates").length, 0);
            const issued = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:NodeCertificate");
            assert.equal(issued.length, 8, issued.map((r) => r.name).join(", "));
            for (const r of issued) assert.ok(!("ca" in r.inputs), `${r.name}: no CA and no CA key: the program signs`);
            const served = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:ServedCertificate");
            assert.equal(served.length, 8);
            for (const r of served) {
                assert.equal(r.inputs.trusted, ca.cert);
                assert.ok(signedBy(String(r.inputs.candidate), ca.cert), `${r.name}: signed by the supplied CA`);
            }
            const subjects = issued.map((r) => (r.inputs.subject as CertificateSubject).name);
            assert.ok(
                subjects.every((n) => /-(node-\d|standalone|client)$/.test(n)),
                subjects.join(", "),
            );
        });

        it("hands each container its own certificate as a secret, and the CA's key to no resource, not even as a secret (the program signs with it), and exports the supplied CA", async () => {
            const containers = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:EngineContainer");
            assert.equal(containers.length, 7);
            for (const c of containers) assert.ok(isSecret(c.inputs.tls), c.name);
            const caKeyBody = ca.key.split("\n")[1];
            assert.deepEqual(
                plaintextStrings(resources.map((r) => r.inputs)).filter(
                    (s) => s.includes(caKeyBody) || s.includes("KEY-OF-") || holdsMockedNodeKey(s),
                ),
                [],
            );
            // Not even as a secret: what a resource gets is what the state records (issue 21: once per node before).
            const holding = resources.filter((r) => JSON.stringify(r.inputs).includes(caKeyBody)).map((r) => `${r.type} ${r.name}`);
            assert.deepEqual(holding, [], "the CA's key in a resource's inputs");
            assert.equal(await outputValue(exports.tlsCaCert as pulumi.Output<string>), ca.cert);
            assert.equal(subjectNameOf(await outputValue(exports.tlsClientCert as pulumi.Output<string>)), subjectOfClient(resources));
        });
    });

    describe("engine runtime", () => {
        let resources: Registered[];
        before(async () => ({ resources } = await declare("engine")));

        it("passes each node's TLS files to its container as a secret property, outside the create body", () => {
            const containers = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/redis-stack:EngineContainer");
            assert.equal(containers.length, 7);
            for (const c of containers) {
                assert.ok(isSecret(c.inputs.tls), c.name);
                assert.ok(!JSON.stringify(c.inputs.body).includes("KEY-OF-"), c.name);
            }
            assert.deepEqual(
                plaintextStrings(resources.map((r) => r.inputs)).filter((s) => s.includes("KEY-OF-")),
                [],
            );
        });
    });
});
