// This machine's defaults (.redis-stack/machine.json): read from a file, applied by parseSettings where
// a stack's config leaves a setting unset.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, DEFAULTS, parseSettings } from "../../components/settings/config";
import { readMachineDefaults } from "../../components/settings/machineDefaults";

describe("machine defaults", () => {
    let dir: string;
    const file = () => path.join(dir, "machine.json");
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-machine-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("are none when the file does not exist", () => {
        assert.deepEqual(readMachineDefaults(file()), {});
    });

    it("read the image setup recorded", () => {
        fs.writeFileSync(file(), JSON.stringify({ image: "redis-stack-local/redis:7" }));
        assert.deepEqual(readMachineDefaults(file()), { image: "redis-stack-local/redis:7" });
    });

    it("refuse a file that is not a JSON object with a string image, naming the file", () => {
        for (const text of ["not json", "[]", JSON.stringify({ image: 7 })]) {
            fs.writeFileSync(file(), text);
            assert.throws(
                () => readMachineDefaults(file()),
                (err: Error) => {
                    assert.ok(err.message.startsWith(`${file()}: expected a JSON object`), err.message);
                    return true;
                },
                text,
            );
        }
    });

    it("give the image of a stack that sets none; the stack's own image wins", () => {
        const machine = { image: "redis-stack-local/redis:7" };
        assert.equal(parseSettings({}, "redis-stack", machine).image, "redis-stack-local/redis:7");
        assert.equal(parseSettings({ image: " " }, "redis-stack", machine).image, "redis-stack-local/redis:7");
        assert.equal(parseSettings({ image: "redis:7.4" }, "redis-stack", machine).image, "redis:7.4");
        assert.equal(parseSettings({}, "redis-stack", {}).image, DEFAULTS.image);
    });

    it("that are not an image reference are refused, saying they are this machine's", () => {
        assert.throws(
            () => parseSettings({}, "redis-stack", { image: "Not An Image" }),
            (err: unknown) => {
                assert.ok(err instanceof ConfigError);
                assert.deepEqual(err.problems, [
                    'image: got "Not An Image" (this machine\'s default, from .redis-stack/machine.json); ' +
                        "allowed: a Docker image reference such as redis:8.0.2",
                ]);
                return true;
            },
        );
    });
});
