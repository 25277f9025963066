import { strict as assert } from "assert";
import { parseOutputs } from "../../examples/service/connection";

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
});
