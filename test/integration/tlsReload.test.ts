// What the live certificate renewal (components/runtime/engine/containerProvider.ts reloadTls) relies on,
// checked on every version the suite runs: a node's TLS files rewritten in place are not picked up by
// themselves, and a CONFIG SET that names the same paths again makes the running server serve the new
// certificate to new connections, with no restart, while an open connection stays up.
import { strict as assert } from "assert";
import { X509Certificate } from "crypto";
import Redis from "ioredis";
import { issueCa, issueLeaf } from "../../components/tls/certificates";
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from "../../components/contracts/nodeFiles";
import { docker, labelled } from "../support/dockerCli";
import { poll } from "../support/kubernetes";
import { servedCertificate } from "../support/servedCertificate";
import { putTlsFiles, tlsOnlyArgs } from "../support/tlsFiles";
import { OTHER_VERSIONS, SUITE_VERSION, TestedVersion, assertRunsVersion } from "../support/versions";

const LABEL = `redis-stack.test=tlsreload${Date.now().toString(36)}`;
const NETWORK = `redis-stack-tlsreload-${Date.now().toString(36)}`;
const SUBNET = "172.30.183.0/24";
const FIRST_PORT = 6801;
const YEAR_MS = 365 * 24 * 3600 * 1000;

describe("TLS files reloaded by CONFIG SET, on every version the suite runs (real servers)", function () {
    before(() => {
        docker("network", "create", "--subnet", SUBNET, "--label", LABEL, NETWORK);
    });
    after(() => {
        for (const c of labelled("ps", LABEL)) docker("rm", "-f", "-v", c);
        for (const n of labelled("network", LABEL)) docker("network", "rm", n);
    });

    [SUITE_VERSION, ...OTHER_VERSIONS].forEach((version: TestedVersion, i) => {
        it(`${version.title} (${version.image}): new files and CONFIG SET of the same paths: new connections get the new certificate, no restart, an open connection stays`, async () => {
            const port = FIRST_PORT + i;
            const container = `redis-stack-tlsreload-${version.tag}-${Date.now().toString(36)}`;
            const times = { now: new Date(), validityMs: YEAR_MS };
            const ca = await issueCa("tls reload test CA", times);
            const subject = { name: container, ips: ["127.0.0.1"], dnsNames: ["localhost"] };
            const [first, second] = [await issueLeaf(ca, subject, times), await issueLeaf(ca, subject, times)];
            const address = { host: "127.0.0.1", port };
            const trust = { ca: ca.cert, servername: "localhost" };

            // Created, given its files, then started: it reads them at start, as a node of the stack does.
            docker(
                "create",
                "--name",
                container,
                "--label",
                LABEL,
                "--network",
                NETWORK,
                "-p",
                `127.0.0.1:${port}:${port}`,
                version.image,
                version.serverCommand,
                ...tlsOnlyArgs(port),
                "--tls-auth-clients",
                "no",
                // No password: reached through the published port on its own network, which protected mode would refuse.
                "--protected-mode",
                "no",
            );
            putTlsFiles(container, ca.cert, first);
            docker("start", container);
            const firstSerial = (await poll(`${container} serving TLS`, 10000, () => servedCertificate(address, trust))).serialNumber;
            assert.equal(firstSerial, new X509Certificate(first.cert).serialNumber);

            const open = new Redis({ ...address, tls: trust, lazyConnect: true, retryStrategy: () => null });
            try {
                await open.connect();
                const infoBefore = String(await open.call("INFO", "server"));
                assertRunsVersion(infoBefore, version, container);
                const runId = /run_id:(\w+)/.exec(infoBefore)?.[1];

                putTlsFiles(container, ca.cert, second);
                assert.equal(
                    (await servedCertificate(address, trust)).serialNumber,
                    firstSerial,
                    "new files alone change nothing: the server reads them when told to",
                );

                assert.equal(
                    await open.call(
                        "CONFIG",
                        "SET",
                        "tls-cert-file",
                        TLS_CERT_PATH,
                        "tls-key-file",
                        TLS_KEY_PATH,
                        "tls-ca-cert-file",
                        TLS_CA_PATH,
                    ),
                    "OK",
                );
                const served = await servedCertificate(address, trust);
                assert.notEqual(served.serialNumber, firstSerial, "a new connection gets the new certificate");
                assert.equal(served.toString(), new X509Certificate(second.cert).toString());

                assert.equal(await open.ping(), "PONG", "the connection opened before the reload is still up");
                assert.equal(
                    /run_id:(\w+)/.exec(String(await open.call("INFO", "server")))?.[1],
                    runId,
                    "the same server process (no restart)",
                );
            } finally {
                open.disconnect();
                docker("rm", "-f", "-v", container);
            }
        });
    });
});
