// One rule for what a rejection says, in every layer: messageOf. A rejection without a message (an Error
// with an empty one, an object, undefined) still says something, and an object's fields, which may hold
// a password, are never written out.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { implementation } from "../../components/providers/implementation";
import { maskSecrets } from "../../components/redis/connect";
import { stoppedAnswering } from "../../components/redis/observe";
import { explainDockerError } from "../../components/runtime/dockerEngine";

const ROOT = path.resolve(__dirname, "../..");
const node = { name: "node-1", host: "127.0.0.1", port: 7001, announceHost: "127.0.0.1", announcePort: 7001, busPort: 17001, shard: 0 };
const secretObject = () => ({ command: "AUTH", args: ["s3cret-Pass"] });

function sourceFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) =>
            e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : /\.(ts|cjs|js)$/.test(e.name) ? [path.join(dir, e.name)] : [],
        );
}

describe("messageOf in every layer", () => {
    it("the Redis layer's messages: a node that stopped answering, a masked error, with no message of their own", () => {
        assert.equal(
            stoppedAnswering({ ...node, role: "master" }, secretObject()).message,
            "node node-1 at 127.0.0.1:7001 stopped answering while forming: an object without a message",
        );
        assert.equal(maskSecrets(new Error(""), "s3cret-Pass"), "Error without a message");
        assert.equal(maskSecrets(undefined), "a rejection with undefined and no message");
    });

    it("the provider wrapper: a method rejecting with an object says so, without the object's fields", async () => {
        const wrapped = implementation("Thing", {
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
            create: () => Promise.reject(secretObject()),
        });
        await assert.rejects(wrapped.create({}), (err: unknown) => {
            assert.ok(err instanceof Error);
            assert.equal(err.message, "Thing create: an object without a message");
            return true;
        });
    });

    it("the runtime layer: a Docker error without a message still says something", () => {
        assert.equal(explainDockerError(new Error(""), "create node-1").message, "cannot create node-1: Error without a message");
        assert.equal(
            explainDockerError({ json: { message: "no such image" } }, "create node-1").message,
            "cannot create node-1: no such image",
        );
    });

    it("no component or script writes `instanceof Error ? ... : String(...)` or `(err as Error).message` by hand", () => {
        const offenders = [...sourceFiles(path.join(ROOT, "components")), ...sourceFiles(path.join(ROOT, "scripts"))]
            .filter((f) => !f.endsWith(path.join("components", "common", "errorMessage.ts")))
            .filter((f) => /instanceof Error \? [^:]*\.message : String\(|as Error\)\.message/.test(fs.readFileSync(f, "utf8")))
            .map((f) => path.relative(ROOT, f));
        assert.deepEqual(offenders, []);
    });
});
