// The decisions of the interrupted-run recovery (scripts/lib/recover.ts): which locks may go, what a
// pending create becomes.
import { strict as assert } from "assert";
import { LockRecord, PendingOperation, lockVerdict, processGone, resolveCreate } from "../../scripts/lib/recover";

const lock: LockRecord = {
    file: "/b/.pulumi/locks/organization/redis-stack/dev/x.json",
    pid: 4242,
    username: "ci",
    hostname: "runner-1",
    timestamp: "2026-11-26T12:00:00Z",
};

describe("lockVerdict", () => {
    it("removes a lock of this host whose process is gone, saying whose it was", () => {
        const verdict = lockVerdict(lock, "runner-1", () => true);
        assert.equal(verdict.remove, true);
        assert.match(verdict.reason, /pulumi \(pid 4242, ci@runner-1, since 2026-11-26T12:00:00Z\) is gone/);
    });
    it("keeps a lock whose process still runs", () => {
        const verdict = lockVerdict(lock, "runner-1", () => false);
        assert.equal(verdict.remove, false);
        assert.match(verdict.reason, /is still running/);
    });
    it("keeps a lock of another host without asking about the process (a PID there means nothing here)", () => {
        const verdict = lockVerdict(lock, "laptop", () => {
            throw new Error("must not be asked");
        });
        assert.equal(verdict.remove, false);
        assert.match(verdict.reason, /on another host/);
    });
});

describe("processGone", () => {
    it("a live process that started before the lock is not gone; a PID whose process started after the lock was reused, so the lock's is gone", () => {
        assert.equal(processGone(process.pid, new Date()), false);
        assert.equal(processGone(process.pid, new Date(0)), true);
    });
});

describe("resolveCreate", () => {
    const op = (resourceType: string, inputs: Record<string, unknown>): PendingOperation => ({
        type: "creating",
        urn: "urn:pulumi:dev::redis-stack::x",
        resourceType,
        inputs,
    });
    const container = op("pulumi-nodejs:dynamic/redis-stack:EngineContainer", { body: { name: "redis-stack-dev-node-1" } });
    const volume = op("pulumi-nodejs:dynamic/redis-stack:EngineVolume", { name: "redis-stack-dev-node-1-data" });
    const network = op("pulumi-nodejs:dynamic/redis-stack:EngineNetwork", { spec: { name: "redis-stack-dev-net" } });
    const formation = op("pulumi-nodejs:dynamic/redis-stack:ClusterFormation", {});

    it("imports a volume (by name) or a network (by id) that the killed run made", () => {
        assert.deepEqual(resolveCreate(volume, "redis-stack-dev-node-1-data"), { kind: "import", id: "redis-stack-dev-node-1-data" });
        assert.deepEqual(resolveCreate(network, "f00d"), { kind: "import", id: "f00d" });
    });
    it("removes a container the killed run made but never recorded", () => {
        assert.deepEqual(resolveCreate(container, "c0ffee"), { kind: "remove-container", name: "redis-stack-dev-node-1" });
    });
    it("clears what does not exist, and what is no Docker object", () => {
        for (const o of [container, volume, network]) assert.deepEqual(resolveCreate(o, undefined), { kind: "clear" });
        assert.deepEqual(resolveCreate(formation, "anything"), { kind: "clear" });
    });
});
