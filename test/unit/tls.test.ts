// TLS, pure parts: issuing (real ECDSA keys and X.509 through @peculiar/x509), checking supplied
// certificates with Node's parser, when certificates are issued again, and what TLS does to node specs.
import { strict as assert } from "assert";
import { X509Certificate, createPrivateKey, generateKeyPairSync } from "crypto";
import { ConfigError, parseSettings } from "../../components/settings/config";
import { buildTopology } from "../../components/topology/topology";
import { containerCreateBody } from "../../components/runtime/containerSpec";
import { ContainerInputs, ContainerOutputs, declaredDiff, recorded, updatePlan } from "../../components/runtime/engine/containerChanges";
import { loadLifecycle } from "../../components/contracts/nodeLifecycle";
import { KeyedCertificate, issueCa, issueLeaf, newLeafTerms, signLeaf } from "../../components/tls/certificates";
import { CertificatesInputs, CertificatesOutputs, provider, reissuePlan } from "../../components/tls/certificatesProvider";
import { NodeTls, TLS_KEY_PATH, neededIps, nodeSubject, plainPortOf, servedPorts, tlsFiles, withTls } from "../../components/tls/nodeTls";
import {
    NodeCertificateInputs,
    NodeCertificateOutputs,
    newTermsDue,
    provider as nodeCertificateProvider,
} from "../../components/tls/nodeCertificateProvider";
import { recordedTerms, selfSigned } from "../../components/tls/nodeCertificateTerms";
import {
    ServedCertificateInputs,
    ServedCertificateOutputs,
    keepsServed,
    provider as servedCertificateProvider,
} from "../../components/tls/servedCertificateProvider";
import { tlsAddressOutputs } from "../../components/tls/outputs";
import { tlsPortProblems } from "../../components/settings/tlsPorts";
import { userCa as makeUserCa } from "../support/userCa";
import { renewalDue, signedBy, signingCa, subjectAltNames, suppliedTlsProblems, trustedCas } from "../../components/tls/validate";
import { placedClusterLifecycle, placedStack } from "../support/placedStack";
import { dockerEndpoint, dockerNodes } from "../../components/runtime/dockerPlacement";

const DAY = 24 * 3600 * 1000;
const now = new Date("2026-06-01T00:00:00Z");
const times = { now, validityMs: 90 * DAY };

function argValue(args: readonly string[], flag: string): string | undefined {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args[i + 1];
}

/** The nodes' announced addresses as the Docker runtimes' endpoints give them. */
const announced = (nodes: readonly { announceHost: string; clientPort: number }[]) =>
    nodes.map((n) => ({ announceHost: n.announceHost, announcePort: n.clientPort }));

describe("TLS", () => {
    let ca: KeyedCertificate;
    let leaf: KeyedCertificate;
    let otherCa: KeyedCertificate;
    const subject = { name: "rs-node-0", ips: ["172.30.57.1", "127.0.0.1"], dnsNames: ["rs-node-0", "localhost"] };

    before(async () => {
        ca = await issueCa("rs CA", { now, validityMs: 3650 * DAY });
        leaf = await issueLeaf(ca, subject, times);
        otherCa = await issueCa("other CA", { now, validityMs: 3650 * DAY });
    });

    describe("issuing", () => {
        it("issues a CA certificate (CA:TRUE) and a node certificate it signed, for the node's addresses and names", () => {
            const caCert = new X509Certificate(ca.cert);
            const cert = new X509Certificate(leaf.cert);
            assert.equal(caCert.ca, true);
            assert.equal(cert.ca, false);
            assert.ok(cert.verify(caCert.publicKey), "signed by the CA");
            assert.ok(cert.checkPrivateKey(createPrivateKey(leaf.key)), "the key is the certificate's");
            assert.deepEqual(subjectAltNames(leaf.cert), { ips: subject.ips, dnsNames: subject.dnsNames });
            assert.equal(cert.checkIP("127.0.0.1"), "127.0.0.1");
            assert.equal(cert.checkHost("rs-node-0"), "rs-node-0");
            assert.equal(new Date(cert.validTo).getTime(), now.getTime() + 90 * DAY);
            assert.deepEqual(
                cert.keyUsage,
                ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
                "server and client auth: the node presents it to its peers too",
            );
        });

        it("issues ECDSA P-256 keys as PKCS#8 PEM", () => {
            const key = createPrivateKey(leaf.key);
            assert.equal(key.asymmetricKeyType, "ec");
            assert.equal(key.asymmetricKeyDetails?.namedCurve, "prime256v1");
            assert.match(leaf.key, /^-----BEGIN PRIVATE KEY-----\n/);
        });

        it("passes the checks supplied certificates get", () => {
            assert.deepEqual(suppliedTlsProblems({ caCert: ca.cert, cert: leaf.cert, key: leaf.key }, { ips: subject.ips }, now), []);
        });
    });

    describe("supplied certificates", () => {
        const needs = { ips: ["172.30.57.1", "127.0.0.1"] };

        it("are refused when they do not parse, naming the setting", () => {
            const problems = suppliedTlsProblems({ caCert: "not a cert", cert: leaf.cert, key: "nope" }, needs, now);
            assert.ok(
                problems.some((p) => /^tlsCaCert: does not parse/.test(p)),
                problems.join("\n"),
            );
            assert.ok(
                problems.some((p) => /^tlsKey: does not parse as a PEM private key/.test(p)),
                problems.join("\n"),
            );
        });

        it("are refused when the key is not the certificate's, without showing the key", async () => {
            const other = await issueLeaf(ca, subject, times);
            const problems = suppliedTlsProblems({ caCert: ca.cert, cert: leaf.cert, key: other.key }, needs, now);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], /^tlsKey: is not the private key of tlsCert/);
            assert.ok(!problems[0].includes(other.key.split("\n")[1]), "no key material in the message");
        });

        it("are refused when expired or not yet valid", () => {
            const later = new Date(now.getTime() + 91 * DAY);
            assert.ok(
                suppliedTlsProblems({ caCert: ca.cert, cert: leaf.cert, key: leaf.key }, needs, later).some((p) =>
                    /^tlsCert: expired on/.test(p),
                ),
            );
            const earlier = new Date(now.getTime() - DAY);
            assert.ok(
                suppliedTlsProblems({ caCert: ca.cert, cert: leaf.cert, key: leaf.key }, needs, earlier).some((p) =>
                    /^tlsCert: not valid before/.test(p),
                ),
            );
        });

        it("are refused when the node certificate lacks an address the nodes are reached at", () => {
            const problems = suppliedTlsProblems(
                { caCert: ca.cert, cert: leaf.cert, key: leaf.key },
                { ips: ["10.1.2.3", "127.0.0.1"] },
                now,
            );
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(
                problems[0],
                /^tlsCert: lacks the IP SANs 10\.1\.2\.3 \(has 172\.30\.57\.1, 127\.0\.0\.1\); allowed: .*IP:10\.1\.2\.3, IP:127\.0\.0\.1/,
            );
        });

        it("are refused when another CA signed them, or the CA is not a CA", () => {
            const problems = suppliedTlsProblems({ caCert: otherCa.cert, cert: leaf.cert, key: leaf.key }, needs, now);
            assert.deepEqual(
                problems.map((p) => p.split(":")[0] + ":" + p.split(":")[1].split(" (")[0]),
                ["tlsCert: is not signed by tlsCaCert"],
            );
            const notCa = suppliedTlsProblems({ caCert: leaf.cert, cert: leaf.cert, key: leaf.key }, needs, now);
            assert.ok(
                notCa.some((p) => /^tlsCaCert: is not a CA certificate/.test(p)),
                notCa.join("\n"),
            );
        });

        it("need the CA, the certificate and its key together, and a client certificate with its key", () => {
            const problems = suppliedTlsProblems({ cert: leaf.cert, clientCert: leaf.cert }, needs, now);
            assert.ok(
                problems.some((p) => /^tlsCaCert: missing/.test(p)),
                problems.join("\n"),
            );
            assert.ok(
                problems.some((p) => /^tlsKey: missing/.test(p)),
                problems.join("\n"),
            );
            assert.ok(
                problems.some((p) => /^tlsClientCert\/tlsClientKey: only one of them is set/.test(p)),
                problems.join("\n"),
            );
        });
    });

    describe("a supplied CA (tlsCaKey): the stack issues from it", () => {
        const needs = { ips: ["172.30.57.1", "127.0.0.1"] };

        it("takes a CA and its key, with no node certificate and no IP SAN to check", () => {
            assert.deepEqual(suppliedTlsProblems({ caCert: ca.cert, caKey: ca.key }, needs, now), []);
        });

        it("issues node certificates from an RSA or a P-384 CA key (PKCS#1 / SEC1 PEM too), each signed by it", async () => {
            for (const keyType of ["rsa", "P-384"] as const) {
                const userCa = await makeUserCa(keyType, `user ${keyType} CA`, now, 365 * DAY);
                assert.deepEqual(suppliedTlsProblems({ caCert: userCa.cert, caKey: userCa.key }, needs, now), [], keyType);
                const issued = await issueLeaf(userCa, subject, times);
                assert.ok(signedBy(issued.cert, userCa.cert), `${keyType}: the node certificate is signed by the supplied CA`);
                assert.equal(createPrivateKey(issued.key).asymmetricKeyDetails?.namedCurve, "prime256v1", "node keys stay P-256");
            }
        }).timeout(30000); // an RSA 2048 key pair: seconds on a loaded machine (the suites run beside the e2e)

        it("refuses a key it cannot sign with, a key that is not the CA's, and tlsCert next to it, naming the settings", async () => {
            const edKey = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
            assert.deepEqual(suppliedTlsProblems({ caCert: ca.cert, caKey: edKey }, needs, now), [
                "tlsCaKey: a ed25519 key; allowed: an ECDSA P-256, ECDSA P-384 or RSA key",
                "tlsCaKey: is not the private key of tlsCaCert (of none of its certificates); allowed: the key the CA certificate was issued for",
            ]);
            const notCa = suppliedTlsProblems({ caCert: leaf.cert, caKey: leaf.key }, needs, now);
            assert.deepEqual(notCa, [
                "tlsCaCert: is not a CA certificate (basicConstraints CA:FALSE or absent); allowed: a CA certificate",
            ]);
            const both = suppliedTlsProblems({ caCert: ca.cert, caKey: ca.key, cert: leaf.cert, key: leaf.key }, needs, now);
            assert.match(both[0], /^tlsCert\/tlsKey: set with tlsCaKey; allowed: either tlsCaKey .* or tlsCert and tlsKey/);
            assert.match(suppliedTlsProblems({ caKey: ca.key }, needs, now)[0], /^tlsCaCert: missing/);
            assert.ok(suppliedTlsProblems({ caCert: ca.cert, caKey: "nope" }, needs, now).some((p) => /^tlsCaKey: does not parse/.test(p)));
            assert.ok(!JSON.stringify(both).includes(ca.key.split("\n")[1]), "no key material in the messages");
        });

        it("in a bundle of CAs, signs with the one the key belongs to and trusts them all (a CA rotation)", () => {
            const bundle = `${otherCa.cert}${ca.cert}`;
            assert.equal(signingCa(bundle, ca.key), ca.cert);
            assert.equal(signingCa(bundle, otherCa.key), otherCa.cert);
            assert.deepEqual(suppliedTlsProblems({ caCert: bundle, caKey: ca.key }, needs, now), []);
            assert.ok(
                suppliedTlsProblems({ caCert: ca.cert, caKey: ca.key }, needs, new Date(now.getTime() + 3651 * DAY)).some((p) =>
                    /^tlsCaCert: expired on/.test(p),
                ),
            );
        });
    });

    describe("renewal", () => {
        const inputs: CertificatesInputs = {
            caName: "rs CA",
            nodes: [subject, { ...subject, name: "rs-node-1" }],
            client: { name: "rs-client", ips: [], dnsNames: [] },
            caValidityMs: 3650 * DAY,
            validityMs: 90 * DAY,
            renewalMs: 30 * DAY,
        };
        const issued = (): CertificatesOutputs => ({
            ...inputs,
            caCert: ca.cert,
            caKey: ca.key,
            nodeCerts: { "rs-node-0": leaf.cert, "rs-node-1": leaf.cert },
            nodeKeys: { "rs-node-0": leaf.key, "rs-node-1": leaf.key },
            clientCert: leaf.cert,
            clientKey: leaf.key,
        });

        it("issues nothing again while the certificates are far from expiry and name the same addresses", () => {
            assert.deepEqual(reissuePlan(issued(), inputs, new Date(now.getTime() + 10 * DAY)), { ca: false, nodes: [], client: false });
        });

        it("issues a node's certificate again when its addresses change, and only that one", () => {
            const news = { ...inputs, nodes: [subject, { ...subject, name: "rs-node-1", ips: ["10.0.0.1"] }] };
            assert.deepEqual(reissuePlan(issued(), news, now), { ca: false, nodes: ["rs-node-1"], client: false });
        });

        it("issues node and client certificates again within the renewal window, keeping the CA", () => {
            assert.equal(renewalDue(leaf.cert, new Date(now.getTime() + 59 * DAY), 30 * DAY), false);
            assert.equal(renewalDue(leaf.cert, new Date(now.getTime() + 61 * DAY), 30 * DAY), true);
            assert.deepEqual(reissuePlan(issued(), inputs, new Date(now.getTime() + 61 * DAY)), {
                ca: false,
                nodes: ["rs-node-0", "rs-node-1"],
                client: true,
            });
        });

        it("issues everything for a new node set from nothing, and everything again with a CA near its expiry", () => {
            assert.deepEqual(reissuePlan(undefined, inputs, now), { ca: true, nodes: ["rs-node-0", "rs-node-1"], client: true });
            assert.equal(reissuePlan(issued(), inputs, new Date(now.getTime() + 3630 * DAY)).ca, true);
        });

        it("a renewed CA keeps the one it replaced trusted, while valid: nodes and clients get both in one CA file", async () => {
            const soon = await issueCa("rs CA", { now: new Date(), validityMs: 10 * DAY });
            const olds = { ...issued(), caCert: soon.cert, caKey: soon.key };
            const renewed = (await provider.update!("rs CA", olds, inputs)).outs as CertificatesOutputs;
            assert.notEqual(renewed.caCert, soon.cert, "a new CA");
            assert.equal(renewed.previousCaCert, soon.cert, "the old CA kept");
            const bundle = trustedCas(renewed);
            assert.ok(
                bundle.startsWith(renewed.caCert.trimEnd()) && bundle.trimEnd().endsWith(soon.cert.trimEnd()),
                "both, the new one first",
            );
            assert.equal(trustedCas({ caCert: ca.cert }), ca.cert, "one CA without a renewal");
            const again = (await provider.update!("rs CA", renewed, inputs)).outs as CertificatesOutputs;
            assert.equal(again.previousCaCert, soon.cert, "still trusted on the next update while valid");
            const fresh = (await provider.create(inputs)).outs as CertificatesOutputs;
            assert.equal(fresh.previousCaCert, "", "recorded as empty without a renewal, so a preview knows it");
            assert.equal((await provider.diff!("rs CA", fresh, inputs)).changes, false);
            const { previousCaCert: _older, ...older } = fresh;
            assert.equal((await provider.diff!("rs CA", older, inputs)).changes, true, "older state records it once");
        });
    });

    describe("a node certificate for an address the runtime learns (Kubernetes: its Service's ClusterIP)", () => {
        const kubeSubject = { name: "rs-node-0", ips: ["10.213.128.10", "127.0.0.1"], dnsNames: ["node-0", "node-0.ns.svc"] };
        const inputs = (): NodeCertificateInputs => ({ subject: kubeSubject, validityMs: 90 * DAY, renewalMs: 30 * DAY });
        const termsOf = (outs: NodeCertificateOutputs) => recordedTerms(outs)!.terms;
        /** What the program hands ServedCertificate after signing `terms` with `signer`'s key. */
        const servedInputs = async (
            terms: NodeCertificateOutputs,
            signer: KeyedCertificate,
            trusted: string,
        ): Promise<ServedCertificateInputs> => ({
            candidate: await signLeaf(signer, termsOf(terms)),
            ...(recordedTerms(terms)!.carried ? { carried: recordedTerms(terms)!.carried } : {}),
            caCert: signer.cert,
            trusted,
            renewalMs: 30 * DAY,
        });
        const serve = async (olds: ServedCertificateOutputs | undefined, news: ServedCertificateInputs) =>
            (olds
                ? (await servedCertificateProvider.update!("c", olds, news)).outs
                : (await servedCertificateProvider.create(news)).outs) as ServedCertificateOutputs;

        it("holds the node's key and terms and no CA; the program signs them to a certificate of the stack's CA for the subject's addresses", async () => {
            const terms = (await nodeCertificateProvider.create(inputs())).outs as NodeCertificateOutputs;
            assert.deepEqual(Object.keys(terms).sort(), ["cert", "key", "renewalMs", "subject", "validityMs"]);
            assert.ok(selfSigned(terms.cert), "the terms as a certificate their own key signs, which nobody trusts");
            const served = await serve(undefined, await servedInputs(terms, ca, ca.cert));
            const cert = new X509Certificate(served.cert);
            assert.ok(cert.verify(new X509Certificate(ca.cert).publicKey), "signed by the stack's CA");
            assert.deepEqual(subjectAltNames(served.cert).ips, ["10.213.128.10", "127.0.0.1"]);
            assert.ok(cert.checkPrivateKey(createPrivateKey(terms.key)), "the key matches");
            assert.equal(new Date(cert.validTo).toISOString(), termsOf(terms).notAfter);
            assert.equal(cert.serialNumber, new X509Certificate(terms.cert).serialNumber);
        });

        it("signs the same terms to the same certificate at every run, from a P-256, a P-384 or an RSA CA key (RFC 6979 ECDSA)", async () => {
            const terms = await newLeafTerms(kubeSubject, times);
            for (const signer of [
                ca,
                await makeUserCa("P-384", "p384 CA", now, 365 * DAY),
                await makeUserCa("rsa", "rsa CA", now, 365 * DAY),
            ]) {
                const [first, second] = [await signLeaf(signer, terms), await signLeaf(signer, terms)];
                assert.equal(first, second);
                assert.ok(signedBy(first, signer.cert));
            }
        }).timeout(30000); // an RSA 2048 key pair: seconds on a loaded machine (the suites run beside the e2e)

        it("makes new terms only for a new address or within the renewal window; the same ones otherwise", async () => {
            const terms = (await nodeCertificateProvider.create(inputs())).outs as NodeCertificateOutputs;
            const later = (days: number) => new Date(Date.now() + days * DAY);
            assert.equal(newTermsDue(terms, inputs(), later(10)), false);
            assert.equal(
                newTermsDue(terms, { ...inputs(), subject: { ...kubeSubject, ips: ["10.213.128.99", "127.0.0.1"] } }, later(0)),
                true,
            );
            assert.equal(newTermsDue(terms, inputs(), later(61)), true);
            assert.equal((await nodeCertificateProvider.diff!("rs-node-0", terms, inputs())).changes, false);
            const kept = (await nodeCertificateProvider.update!("rs-node-0", terms, inputs())).outs as NodeCertificateOutputs;
            assert.deepEqual(termsOf(kept), termsOf(terms), "unchanged inputs keep the terms");
            const moved = (
                await nodeCertificateProvider.update!("rs-node-0", terms, { ...inputs(), subject: { ...kubeSubject, ips: ["10.0.0.1"] } })
            ).outs as NodeCertificateOutputs;
            assert.notEqual(moved.key, terms.key, "a new address: a new key");
            const served = await serve(undefined, await servedInputs(terms, ca, ca.cert));
            assert.equal(
                (await servedCertificateProvider.diff!("c", served, await servedInputs(terms, ca, ca.cert))).changes,
                false,
                "signed again: the same",
            );
            const reissued = await serve(served, await servedInputs(moved, ca, ca.cert));
            assert.deepEqual(subjectAltNames(reissued.cert).ips, ["10.0.0.1"], "new terms: the new certificate is served");
        });

        it("after a CA renewal, in two steps: kept while the nodes get the new bundle (the old CA still vouches for it), then the new CA's", async () => {
            const terms = (await nodeCertificateProvider.create(inputs())).outs as NodeCertificateOutputs;
            const issued = await serve(undefined, await servedInputs(terms, ca, ca.cert));
            const renewedCa = await issueCa("rs CA", { now: new Date(), validityMs: 3650 * DAY });
            const bundle = trustedCas({ caCert: renewedCa.cert, previousCaCert: ca.cert });
            const firstUp = await servedInputs(terms, renewedCa, bundle);
            assert.equal(
                keepsServed(issued.cert, issued.trusted, firstUp, new Date()),
                true,
                "step 1: the nodes do not trust the new CA yet",
            );
            assert.equal((await servedCertificateProvider.diff!("c", issued, firstUp)).changes, true, "the new bundle is a change");
            const stepOne = await serve(issued, firstUp);
            assert.equal(stepOne.cert, issued.cert, "step 1 keeps the certificate");
            assert.equal(
                keepsServed(stepOne.cert, stepOne.trusted, firstUp, new Date()),
                false,
                "step 2: every node now trusts the new CA",
            );
            const stepTwo = await serve(stepOne, firstUp);
            assert.ok(signedBy(stepTwo.cert, renewedCa.cert), "issued by the new CA");
            assert.equal((await servedCertificateProvider.diff!("c", stepTwo, firstUp)).changes, false, "then nothing more");
            // What a preview hands in while the terms or the CA are still to be made.
            const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
            assert.equal((await servedCertificateProvider.diff!("c", stepTwo, { ...firstUp, candidate: unknown })).changes, true);
            assert.equal((await servedCertificateProvider.diff!("c", stepTwo, { ...firstUp, caCert: unknown })).changes, true);
            const checked = (await servedCertificateProvider.check!(stepOne, firstUp)).inputs as ServedCertificateOutputs;
            assert.equal(checked.cert, stepTwo.cert, "the check chooses too, so a preview knows the node's files");
            const untrusted = await servedInputs(terms, otherCa, otherCa.cert);
            assert.ok(
                signedBy((await serve(issued, untrusted)).cert, otherCa.cert),
                "no trusted CA vouches for the old one: the new one at once",
            );
        });

        it("takes over an earlier release's state (the CA and its key in it): no change at the upgrade, its certificate still served; a refresh or the next renewal drops the CA", async () => {
            const earlier = await issueLeaf(ca, kubeSubject, { now: new Date(), validityMs: 90 * DAY });
            const olds = { ...inputs(), ca, trusted: ca.cert, cert: earlier.cert, key: earlier.key } as unknown as NodeCertificateOutputs;
            assert.equal(
                (await nodeCertificateProvider.diff!("rs-node-0", olds, inputs())).changes,
                false,
                "a preview of the upgrade knows every node's files",
            );
            const { terms, carried } = recordedTerms(olds)!;
            assert.equal(terms.key, earlier.key);
            assert.equal(carried, earlier.cert);
            const served = await serve(undefined, {
                candidate: await signLeaf(ca, terms),
                carried,
                caCert: ca.cert,
                trusted: ca.cert,
                renewalMs: 30 * DAY,
            });
            assert.equal(served.cert, earlier.cert, "the node keeps serving what it served: nothing restarts");
            const caKeyBody = ca.key.split("\n")[1];
            const refreshed = (await nodeCertificateProvider.read!("rs-node-0", olds)).props as Record<string, unknown>;
            assert.ok(!JSON.stringify(refreshed).includes(caKeyBody), "a refresh drops the CA and its key");
            assert.equal(refreshed.cert, earlier.cert);
            const updated = (await nodeCertificateProvider.update!("rs-node-0", olds, { ...inputs(), validityMs: 60 * DAY }))
                .outs as NodeCertificateOutputs;
            assert.ok(!JSON.stringify(updated).includes(caKeyBody), "any update drops them");
            assert.equal(updated.key, earlier.key, "and keeps the key and terms");
            assert.equal(updated.cert, earlier.cert, "the same terms: the earlier certificate still carries them");
        });

        it("is judged from the node's command: TLS on the client port, and the plain port kept", () => {
            assert.deepEqual(servedPorts({ redisArgs: ["--port", "7000"] }), { tls: false });
            assert.deepEqual(servedPorts({ redisArgs: ["--port", "0", "--tls-port", "7000"] }), { tls: true });
            assert.deepEqual(servedPorts({ redisArgs: ["--port", "27000", "--tls-port", "7000"] }), { tls: true, plainPort: 27000 });
        });
    });

    describe("node specs", () => {
        const settingsOf = (raw: Record<string, string>) => parseSettings({ tls: "true", ...raw });

        it("serve TLS on the client ports with the plain port off, the bus and replication over TLS, files by path only", () => {
            const settings = settingsOf({});
            const topology = placedStack(settings, "rs");
            const node = topology.clusterNodes[1];
            assert.equal(argValue(node.redisArgs, "--port"), "0");
            assert.equal(argValue(node.redisArgs, "--tls-port"), "7001");
            assert.equal(argValue(node.redisArgs, "--tls-cluster"), "yes");
            assert.equal(argValue(node.redisArgs, "--tls-replication"), "yes");
            assert.equal(argValue(node.redisArgs, "--tls-auth-clients"), "yes");
            assert.equal(argValue(node.redisArgs, "--tls-key-file"), TLS_KEY_PATH);
            assert.equal(argValue(node.redisArgs, "--cluster-announce-tls-port"), "7001");
            assert.equal(node.redisArgs.includes("--cluster-announce-port"), false);
            assert.equal(argValue(node.redisArgs, "--cluster-announce-bus-port"), "17001");
            assert.deepEqual(
                node.ports.map((p) => p.hostPort),
                [7001, 7001, 17001],
            );
            const standalone = topology.standalone;
            assert.equal(argValue(standalone.redisArgs, "--tls-port"), "6379");
            assert.equal(argValue(standalone.redisArgs, "--port"), "0");
            assert.equal(standalone.redisArgs.includes("--tls-cluster"), false);
        });

        it("keep a plain port at the client port + 2 x busPortOffset with tlsPlainPort, announced and published", () => {
            const settings = settingsOf({ tlsPlainPort: "true" });
            const topology = placedStack(settings, "rs");
            const node = topology.clusterNodes[0];
            assert.equal(plainPortOf(7000, 10000), 27000);
            assert.equal(argValue(node.redisArgs, "--port"), "27000");
            assert.equal(argValue(node.redisArgs, "--cluster-announce-port"), "27000");
            assert.deepEqual(
                node.ports.map((p) => `${p.hostIp}:${p.hostPort}`),
                ["172.30.57.1:7000", "127.0.0.1:7000", "172.30.57.1:17000", "172.30.57.1:27000", "127.0.0.1:27000"],
            );
            assert.equal(argValue(topology.standalone.redisArgs, "--port"), "26379");
            assert.deepEqual(
                tlsAddressOutputs(announced(topology.clusterNodes), announced([topology.standalone])[0], settings).standalonePlainUrl,
                "redis://172.30.57.1:26379",
            );
        });

        it("leave no key or certificate in the container's create body", async () => {
            const settings = settingsOf({});
            const topology = placedStack(settings, "rs");
            const body = JSON.stringify(containerCreateBody(topology.clusterNodes[0], topology));
            const files = tlsFiles({ ca: ca.cert, cert: leaf.cert, key: leaf.key });
            assert.deepEqual(
                files.map((f) => f.path),
                ["/etc/redis-stack-tls/ca.crt", "/etc/redis-stack-tls/node.crt", "/etc/redis-stack-tls/node.key"],
            );
            assert.ok(!body.includes("BEGIN"), body);
        });

        it("are unchanged with TLS off", () => {
            const settings = parseSettings({});
            const topology = buildTopology(settings, "rs");
            assert.equal(withTls(topology, settings), topology);
        });

        it("name the announced address, loopback and the container name in each certificate subject", () => {
            const settings = settingsOf({});
            const topology = placedStack(settings, "rs");
            const addressed = dockerNodes(topology).map((n) => ({ name: n.name, ...dockerEndpoint(n) }));
            assert.deepEqual(nodeSubject(addressed[0]), {
                name: "rs-node-0",
                ips: ["172.30.57.1", "127.0.0.1"],
                dnsNames: ["rs-node-0", "localhost"],
            });
            assert.deepEqual(neededIps(addressed), ["172.30.57.1", "127.0.0.1"]);
        });

        it("give TLS seeds and rediss:// URLs", () => {
            const settings = settingsOf({});
            const topology = placedStack(settings, "rs");
            const outputs = tlsAddressOutputs(announced(topology.clusterNodes), announced([topology.standalone])[0], settings);
            assert.equal(outputs.clusterTlsSeeds[0], "172.30.57.1:7000");
            assert.equal(outputs.clusterTlsUrls[5], "rediss://172.30.57.1:7005");
            assert.equal(outputs.standaloneTlsUrl, "rediss://172.30.57.1:6379");
            assert.equal(outputs.clusterPlainSeeds, undefined);
        });
    });

    describe("a running node's container (engine runtime)", () => {
        const settings = parseSettings({ tls: "true" });
        const topology = placedStack(settings, "rs");
        const node = topology.clusterNodes[0];
        const lifecycleRef = placedClusterLifecycle(topology);
        const inputs = (tls?: NodeTls): ContainerInputs => ({
            body: containerCreateBody(node, topology),
            password: "pw",
            ...(tls ? { tls } : {}),
            endpoint: { name: node.name, ...node.hostAddress },
            dependsOnIds: ["vol", "net"],
            lifecycle: lifecycleRef,
        });
        /** What the state records for a container made from `inputs(tls)`. */
        const state = (tls?: NodeTls): ContainerOutputs => recorded(inputs(tls), "c1");
        const material = (): NodeTls => ({ ca: ca.cert, cert: leaf.cert, key: leaf.key });

        it("reloads a new certificate in the running node, no restart", async () => {
            const renewed = await issueLeaf(ca, subject, times);
            const news = { ...inputs(material()), tls: { ...material(), cert: renewed.cert, key: renewed.key } };
            assert.deepEqual(declaredDiff(state(material()), news, loadLifecycle(lifecycleRef)), { changes: true, replace: false });
            assert.equal(updatePlan(state(material()), news, loadLifecycle(lifecycleRef)), "reload TLS in place");
            const alsoPassword = { ...news, password: "pw2" };
            assert.equal(
                updatePlan(state(material()), alsoPassword, loadLifecycle(lifecycleRef)),
                "recreate with lifecycle",
                "with other changes: a restart",
            );
        });

        it("switches live and then restarts one node at a time when TLS is turned on or off (the bus cannot mix)", () => {
            const plan = "switch TLS live, then recreate with lifecycle";
            assert.equal(updatePlan(state(), inputs(material()), loadLifecycle(lifecycleRef)), plan);
            assert.equal(updatePlan(state(material()), inputs(), loadLifecycle(lifecycleRef)), plan);
        });

        it("changes nothing when the same certificate comes back", () => {
            assert.deepEqual(declaredDiff(state(material()), inputs(material()), loadLifecycle(lifecycleRef)), {
                changes: false,
                replace: false,
            });
        });
    });

    describe("settings", () => {
        it("tls and tlsPlainPort default to false and refuse values other than true or false", () => {
            const defaults = parseSettings({});
            assert.equal(defaults.tls, false);
            assert.equal(defaults.tlsPlainPort, false);
            assert.throws(
                () => parseSettings({ tls: "yes" }),
                (err: ConfigError) => err.problems.includes('tls: got "yes"; allowed: true or false'),
            );
        });

        it("refuse plain ports that would pass 65535 or land on another port", () => {
            const base = { tls: true, tlsPlainPort: true, basePort: 7000, busPortOffset: 10000, standalonePort: 6379 };
            assert.deepEqual(tlsPortProblems(base, 6), []);
            assert.deepEqual(tlsPortProblems({ ...base, tlsPlainPort: false, busPortOffset: 30000 }, 6), []);
            assert.match(
                tlsPortProblems({ ...base, busPortOffset: 30000 }, 6)[0],
                /^tlsPlainPort: got true .* highest 67005\) is at most 65535/,
            );
            assert.match(
                tlsPortProblems({ ...base, standalonePort: 27002 }, 6).join("\n"),
                /standalonePort: got 27002; allowed: a port outside the cluster's plain ports 27000-27005/,
            );
            assert.match(
                tlsPortProblems({ ...base, standalonePort: 6998, busPortOffset: 1 }, 6).join("\n"),
                /standalone node's plain port 7000 .* falls in the cluster client ports 7000-7005/,
            );
            assert.throws(() => parseSettings({ tls: "true", tlsPlainPort: "true", busPortOffset: "30000" }), /tlsPlainPort: got true/);
        });
    });
});
