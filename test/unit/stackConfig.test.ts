// readStackConfig on the config map the language host hands the program (pulumi.runtime.setAllConfig).
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../../components/settings/config";
import { readMachineDefaults } from "../../components/settings/machineDefaults";
import { readStackConfig } from "../../components/stack/programConfig";
import { issueCa } from "../../components/tls/certificates";

function refusalOf(config: Record<string, string>): string {
    pulumi.runtime.setAllConfig(config, []);
    try {
        readStackConfig("redis-stack");
    } catch (err) {
        assert.ok(err instanceof pulumi.RunError, String(err));
        return err.message;
    }
    assert.fail("expected a refusal");
}

describe("stack config", () => {
    after(() => pulumi.runtime.setAllConfig({}, []));

    it("refuses an unknown key of the namespace with the closest known key, and every other problem at once", () => {
        const message = refusalOf({ "redis-stack:mastrs": "4", "redis-stack:sentinel": "true", "redis-stack:masters": "2" });
        assert.match(
            message,
            /^invalid redis-stack configuration:\n {2}- `mastrs`: unknown setting; did you mean `masters`\?\n {2}- `sentinel`: unknown setting; known settings: masters, /,
        );
        assert.match(message, /\n {2}- masters: got "2"; allowed: a whole number from 3 to 100$/);
    });

    it("never repeats the value of an unknown key (it may be a secret)", () => {
        const message = refusalOf({ "redis-stack:passwd": "hunter2-secret" });
        assert.match(message, /`passwd`: unknown setting; did you mean `password`\?/);
        assert.ok(!message.includes("hunter2-secret"));
    });

    it("refuses a password or key set in plaintext (without --secret), naming the key and the command, never the value", () => {
        pulumi.runtime.setAllConfig({ "redis-stack:password": "plaintext-Secret-1", "redis-stack:tls": "true" }, []);
        let message = "";
        try {
            readStackConfig("redis-stack");
        } catch (err) {
            message = (err as Error).message;
        }
        assert.match(
            message,
            /- password: set in plaintext in the stack's config file; allowed: a secret, set with pulumi config set --secret redis-stack:password/,
        );
        assert.ok(!message.includes("plaintext-Secret-1"));
        pulumi.runtime.setAllConfig({ "redis-stack:password": "plaintext-Secret-1" }, ["redis-stack:password"]);
        assert.ok(pulumi.Output.isInstance(readStackConfig("redis-stack").args.password));
    });

    it("refuses publishAddress 0.0.0.0 without a password (every network would reach the nodes), and takes it with one", () => {
        const message = refusalOf({ "redis-stack:publishAddress": "0.0.0.0" });
        assert.match(message, /- publishAddress: got "0\.0\.0\.0" without a password, which would open the nodes to every network/);
        pulumi.runtime.setAllConfig({ "redis-stack:publishAddress": "0.0.0.0", "redis-stack:password": "pw-12345678" }, [
            "redis-stack:password",
        ]);
        assert.equal(readStackConfig("redis-stack").settings.publishAddress, "0.0.0.0");
    });

    it("refuses defaultUser off without users or a password, with the other problems, before anything is declared", () => {
        const message = refusalOf({ "redis-stack:defaultUser": "off" });
        assert.match(message, /- defaultUser: got "off" but redis-stack:password is not set; allowed: on, off; off only with /);
        const typo = refusalOf({ "redis-stack:defaultUser": "no", "redis-stack:masters": "2" });
        assert.match(typo, /- defaultUser: got "no"; allowed: on, off;/);
        assert.match(typo, /- masters: got "2"/);
    });

    it("takes defaultUser off with a password and a user; on by default", () => {
        pulumi.runtime.setAllConfig(
            { "redis-stack:defaultUser": "off", "redis-stack:password": "pw-123456", "redis-stack:users": '{"app":"~app:* +@all"}' },
            ["redis-stack:password"],
        );
        assert.equal(readStackConfig("redis-stack").args.defaultUser, "off");
        pulumi.runtime.setAllConfig({}, []);
        assert.equal(readStackConfig("redis-stack").args.defaultUser ?? "on", "on");
    });

    it("refuses supplied certificates with runtime kubernetes, naming them and what to do (a node's certificate must name a ClusterIP assigned later)", () => {
        const message = refusalOf({
            "redis-stack:runtime": "kubernetes",
            "redis-stack:tls": "true",
            "redis-stack:tlsCaCert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "redis-stack:tlsKey": "not-shown-key-material",
        });
        assert.match(
            message,
            /- tlsCaCert, tlsKey: set with runtime kubernetes; allowed there: tlsCaCert and tlsCaKey \(your CA; the stack issues each node/,
        );
        assert.ok(!message.includes("not-shown-key-material"));
    });

    it("takes a supplied CA (tlsCaCert, tlsCaKey) with runtime kubernetes, the key a secret", async () => {
        const ca = await issueCa("user CA", { now: new Date(), validityMs: 10 * 24 * 3600 * 1000 });
        pulumi.runtime.setAllConfig(
            {
                "redis-stack:runtime": "kubernetes",
                "redis-stack:tls": "true",
                "redis-stack:tlsCaCert": ca.cert,
                "redis-stack:tlsCaKey": ca.key,
            },
            ["redis-stack:tlsCaKey"],
        );
        const { args } = readStackConfig("redis-stack");
        assert.equal(args.tlsCaCert, ca.cert);
        assert.equal(args.tlsCert, undefined);
        assert.ok(
            pulumi.Output.isInstance(args.tlsCaKey) && (await pulumi.isSecret(pulumi.output(args.tlsCaKey))),
            "tlsCaKey is a secret output",
        );
    });

    it("ignores other namespaces", () => {
        pulumi.runtime.setAllConfig({ "docker:host": "unix:///var/run/docker.sock", "redis-stack:masters": "4" }, []);
        assert.equal(readStackConfig("redis-stack").settings.masters, 4);
    });

    it("reads Pulumi.yaml's declared defaults as the defaults (with this machine's image, if setup chose one), '' as unset", () => {
        pulumi.runtime.setAllConfig(
            {
                "redis-stack:masters": "3",
                "redis-stack:image": "",
                "redis-stack:publishAddress": "",
                "redis-stack:clusterCheck": "",
                "redis-stack:password": "",
                "redis-stack:runtime": "engine",
                "redis-stack:retainData": "false",
            },
            [],
        );
        const { settings, args } = readStackConfig("redis-stack");
        const machine = readMachineDefaults();
        assert.deepEqual(settings, {
            ...DEFAULTS,
            image: machine.image ?? DEFAULTS.image,
            metricsImage: machine.metricsImage ?? DEFAULTS.metricsImage,
        });
        assert.equal(args.password, undefined);
    });

    it("takes the settings a stack sets", () => {
        pulumi.runtime.setAllConfig(
            { "redis-stack:runtime": "docker", "redis-stack:retainData": "true", "redis-stack:subnet": "10.9.0.0/16" },
            [],
        );
        const { settings } = readStackConfig("redis-stack");
        assert.equal(settings.runtime, "docker");
        assert.equal(settings.clusterCheck, true);
        assert.equal(settings.retainData, true);
        assert.equal(settings.subnet, "10.9.0.0/16");
    });
});
