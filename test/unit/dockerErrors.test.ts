import { strict as assert } from "assert";
import { explainDockerError } from "../../components/runtime/dockerEngine";

describe("Docker engine errors", () => {
    it("an unreachable engine says so and how to fix it", () => {
        const err = explainDockerError(
            Object.assign(new Error("connect ENOENT /var/run/docker.sock"), { code: "ENOENT" }),
            "create container x",
        );
        assert.match(err.message, /cannot create container x: the Docker engine is not reachable \(ENOENT\); start Docker/);
    });

    it("a port in use names the address and the settings that move it", () => {
        const fromDocker = {
            statusCode: 500,
            json: {
                message:
                    "driver failed programming external connectivity on endpoint rs-node-0: Bind for 127.0.0.1:7000 failed: port is already allocated",
            },
        };
        assert.match(
            explainDockerError(fromDocker, "start container rs-node-0").message,
            /cannot start container rs-node-0: 127\.0\.0\.1:7000 is already in use on this host; .*redis-stack:basePort \/ redis-stack:standalonePort/,
        );
        const fromKernel = {
            statusCode: 500,
            json: { message: "Error starting userland proxy: listen tcp4 172.30.57.1:6379: bind: address already in use" },
        };
        assert.match(explainDockerError(fromKernel, "start container rs-standalone").message, /172\.30\.57\.1:6379 is already in use/);
    });

    it("anything else passes Docker's own message through", () => {
        assert.equal(
            explainDockerError({ json: { message: "No such image: x" } }, "create container y").message,
            "cannot create container y: No such image: x",
        );
    });
});
