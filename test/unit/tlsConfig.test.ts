// Supplied TLS certificates as the program reads them (pulumi.runtime.setAllConfig): refused at
// preview with the setting named and no key shown, before any resource is declared.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../../components/stack/programConfig";
import { issueCa, issueLeaf } from "../../components/tls/certificates";

const DAY = 24 * 3600 * 1000;

function refusalOf(config: Record<string, string>, secrets: string[] = []): string {
    pulumi.runtime.setAllConfig(config, secrets);
    try {
        readStackConfig("redis-stack");
    } catch (err) {
        assert.ok(err instanceof pulumi.RunError, String(err));
        return err.message;
    }
    assert.fail("expected a refusal");
}

describe("supplied TLS config", () => {
    after(() => pulumi.runtime.setAllConfig({}, []));
    const now = new Date();

    it("is accepted with tls on when the certificate names the announced address and loopback", async () => {
        const ca = await issueCa("ca", { now, validityMs: 10 * DAY });
        const leaf = await issueLeaf(ca, { name: "n", ips: ["172.30.57.1", "127.0.0.1"], dnsNames: [] }, { now, validityMs: 10 * DAY });
        pulumi.runtime.setAllConfig(
            {
                "redis-stack:tls": "true",
                "redis-stack:tlsCaCert": ca.cert,
                "redis-stack:tlsCert": leaf.cert,
                "redis-stack:tlsKey": leaf.key,
            },
            ["redis-stack:tlsKey"],
        );
        const { args } = readStackConfig("redis-stack");
        assert.equal(args.tlsCaCert, ca.cert);
        assert.equal(args.tlsClientCert, undefined);
    });

    it("is refused when the certificate lacks the announced address, and never shows the key", async () => {
        const ca = await issueCa("ca", { now, validityMs: 10 * DAY });
        const leaf = await issueLeaf(ca, { name: "n", ips: ["127.0.0.1"], dnsNames: [] }, { now, validityMs: 10 * DAY });
        const message = refusalOf(
            {
                "redis-stack:tls": "true",
                "redis-stack:tlsCaCert": ca.cert,
                "redis-stack:tlsCert": leaf.cert,
                "redis-stack:tlsKey": leaf.key,
            },
            ["redis-stack:tlsKey"],
        );
        assert.match(message, /^invalid redis-stack configuration:\n {2}- tlsCert: lacks the IP SANs 172\.30\.57\.1 \(has 127\.0\.0\.1\)/);
        assert.ok(!message.includes(leaf.key.split("\n")[1]));
    });

    it("is refused while tls is off", () => {
        const message = refusalOf({ "redis-stack:tlsCert": "x", "redis-stack:tlsKey": "y" });
        assert.match(message, /tlsCert, tlsKey: set while tls is false; allowed: tls true, or leave them unset/);
    });
});
