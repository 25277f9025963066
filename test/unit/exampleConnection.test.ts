import { strict as assert } from "assert";
import { outputsFromEnvironment, parseOutputs } from "../../examples/service/connection";

describe("example service: reading stack outputs", () => {
    const outputs = {
        clusterSeeds: ["172.30.57.1:7000"],
        loopbackSeeds: ["127.0.0.1:7000"],
        natMap: { "172.30.57.1:7000": { host: "127.0.0.1", port: 7000 } },
        standaloneUrl: "redis://172.30.57.1:6379",
        standaloneLoopbackUrl: "redis://127.0.0.1:6379",
        redisPassword: "pw-12345678",
    };

    it("takes seeds, natMap, standalone URL and password", () => {
        assert.deepEqual(parseOutputs(JSON.stringify(outputs)), outputs);
    });

    it("explains a hidden secret instead of failing to authenticate later", () => {
        assert.throws(() => parseOutputs(JSON.stringify({ ...outputs, redisPassword: "[secret]" })), /--show-secrets/);
    });

    it("takes the TLS CA, client certificate and key when the stack has TLS, and explains a hidden key", () => {
        const tls = { tlsCaCert: "CA", tlsClientCert: "CERT", tlsClientKey: "KEY" };
        assert.deepEqual(parseOutputs(JSON.stringify({ ...outputs, ...tls })).tls, { ca: "CA", cert: "CERT", key: "KEY" });
        assert.throws(
            () => parseOutputs(JSON.stringify({ ...outputs, ...tls, tlsClientKey: "[secret]" })),
            /TLS client key is hidden.*--show-secrets/,
        );
    });

    it("rejects outputs of another project", () => {
        assert.throws(() => parseOutputs(JSON.stringify({ url: "x" })), /clusterSeeds/);
    });

    describe("in a pod: settings from the environment and a mounted Secret file", () => {
        const files: Record<string, string> = { "/etc/redis-stack-example/password": "pw-12345678\n" };
        const readFile = (file: string) => {
            if (!(file in files)) throw new Error(`ENOENT: ${file}`);
            return files[file];
        };
        const env = {
            REDIS_CLUSTER_SEEDS: "10.213.128.10:7000, 10.213.128.11:7001",
            REDIS_STANDALONE_URL: "redis://10.213.128.20:6379",
            REDIS_PASSWORD_FILE: "/etc/redis-stack-example/password",
        };

        it("takes the seeds, the standalone URL and the password from its file (without the trailing newline)", () => {
            assert.deepEqual(outputsFromEnvironment(env, readFile), {
                clusterSeeds: ["10.213.128.10:7000", "10.213.128.11:7001"],
                loopbackSeeds: ["10.213.128.10:7000", "10.213.128.11:7001"],
                natMap: {},
                standaloneUrl: "redis://10.213.128.20:6379",
                standaloneLoopbackUrl: "redis://10.213.128.20:6379",
                redisPassword: "pw-12345678",
            });
        });

        it("is not used without REDIS_CLUSTER_SEEDS (the service reads the stack outputs then)", () => {
            assert.equal(outputsFromEnvironment({ REDIS_STANDALONE_URL: env.REDIS_STANDALONE_URL }, readFile), undefined);
        });

        it("works without a password file (a stack without a password)", () => {
            const { REDIS_PASSWORD_FILE: _unused, ...withoutPassword } = env;
            assert.equal(outputsFromEnvironment(withoutPassword, readFile)?.redisPassword, undefined);
        });

        it("names the setting and the value it refuses", () => {
            assert.throws(
                () => outputsFromEnvironment({ ...env, REDIS_CLUSTER_SEEDS: "10.213.128.10" }, readFile),
                /REDIS_CLUSTER_SEEDS.*"10.213.128.10"/,
            );
            assert.throws(
                () => outputsFromEnvironment({ ...env, REDIS_STANDALONE_URL: undefined }, readFile),
                /REDIS_STANDALONE_URL must be a redis:\/\/ URL/,
            );
            assert.throws(() => outputsFromEnvironment({ ...env, REDIS_PASSWORD_FILE: "/missing" }, readFile), /ENOENT: \/missing/);
            files["/empty"] = "\n";
            assert.throws(
                () => outputsFromEnvironment({ ...env, REDIS_PASSWORD_FILE: "/empty" }, readFile),
                /REDIS_PASSWORD_FILE \/empty is empty/,
            );
        });
    });
});
