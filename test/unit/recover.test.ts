// The decisions of the interrupted-run recovery (scripts/lib/recover.ts): which locks may go, what a
// pending create becomes, and a checkpoint left empty restored from the backend's copies (real files).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { OWNER_LABEL } from "../../components/runtime/ownership";
import {
    LockRecord,
    PendingOperation,
    checkpointIntact,
    lockVerdict,
    pendingOperations,
    processGone,
    needsRefresh,
    resolveCreate,
    restoreDamagedCheckpoint,
} from "../../scripts/lib/recover";

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
    const owner = { stackLabel: "redis-stack-dev", ownerId: "ours" };
    const ownLabels = { [STACK_LABEL]: "redis-stack-dev", [OWNER_LABEL]: "ours" };
    const container = op("pulumi-nodejs:dynamic/redis-stack:EngineContainer", { body: { name: "redis-stack-dev-node-1" }, owner });
    const volume = op("pulumi-nodejs:dynamic/redis-stack:EngineVolume", { name: "redis-stack-dev-node-1-data", labels: {}, owner });
    const network = op("pulumi-nodejs:dynamic/redis-stack:EngineNetwork", { spec: { name: "redis-stack-dev-net", labels: {} }, owner });
    const formation = op("pulumi-nodejs:dynamic/redis-stack:ClusterFormation", {});

    it("imports a volume (by name) or a network (by id) that the killed run made", () => {
        assert.deepEqual(resolveCreate(volume, { id: "redis-stack-dev-node-1-data", labels: ownLabels }), {
            kind: "import",
            id: "redis-stack-dev-node-1-data",
        });
        assert.deepEqual(resolveCreate(network, { id: "f00d", labels: ownLabels }), { kind: "import", id: "f00d" });
    });
    it("removes a container the killed run made but never recorded", () => {
        assert.deepEqual(resolveCreate(container, { id: "c0ffee", labels: ownLabels }), {
            kind: "remove-container",
            name: "redis-stack-dev-node-1",
        });
    });
    it("clears what does not exist, and what is no Docker object", () => {
        for (const o of [container, volume, network]) assert.deepEqual(resolveCreate(o, undefined), { kind: "clear" });
        assert.deepEqual(resolveCreate(formation, { id: "anything", labels: {} }), { kind: "clear" });
    });
    it("leaves an object of that name that is not the stack's: another owner id, or none", () => {
        const others: Record<string, string>[] = [{ ...ownLabels, [OWNER_LABEL]: "theirs" }, { [STACK_LABEL]: "redis-stack-dev" }, {}];
        for (const labels of others)
            for (const o of [container, volume, network]) assert.deepEqual(resolveCreate(o, { id: "f00d", labels }), { kind: "clear" });
    });
    it("a run of a release before owner ids: the object with the stack's label is the stack's", () => {
        const old = op("pulumi-nodejs:dynamic/redis-stack:EngineVolume", { name: "v", labels: { [STACK_LABEL]: "redis-stack-dev" } });
        assert.deepEqual(resolveCreate(old, { id: "v", labels: { [STACK_LABEL]: "redis-stack-dev" } }), { kind: "import", id: "v" });
        assert.deepEqual(resolveCreate(old, { id: "v", labels: { [STACK_LABEL]: "other" } }), { kind: "clear" });
    });
});

describe("needsRefresh", () => {
    const pendingCreate: PendingOperation = { type: "creating", urn: "urn:x", resourceType: "t", inputs: {} };
    it("refreshes for pending operations, and after a restored checkpoint even with none (the copy may be a step behind)", () => {
        assert.equal(needsRefresh([pendingCreate], false), true);
        assert.equal(needsRefresh([], true), true);
    });
    it("does not refresh a stack whose last run ended cleanly", () => {
        assert.equal(needsRefresh([], false), false);
    });
});

describe("a checkpoint left empty by a killed write", () => {
    const checkpoint = (resources: number) =>
        JSON.stringify({
            version: 3,
            checkpoint: { latest: { resources: Array.from({ length: resources }, (_, i) => ({ urn: `u${i}` })) } },
        });
    let backend: string;
    let stacks: string;
    let backups: string;
    beforeEach(() => {
        backend = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-recover-"));
        stacks = path.join(backend, ".pulumi", "stacks", "redis-stack");
        backups = path.join(backend, ".pulumi", "backups", "redis-stack", "dev");
        fs.mkdirSync(stacks, { recursive: true });
        fs.mkdirSync(backups, { recursive: true });
    });
    afterEach(() => fs.rmSync(backend, { recursive: true, force: true }));
    const file = () => path.join(stacks, "dev.json");
    const resourcesIn = (f: string) =>
        (JSON.parse(fs.readFileSync(f, "utf8")) as { checkpoint: { latest: { resources: unknown[] } } }).checkpoint.latest.resources.length;

    it("judges empty, cut-off and non-object text as damaged", () => {
        assert.equal(checkpointIntact(checkpoint(1)), true);
        for (const bad of [undefined, "", "  \n", checkpoint(1).slice(0, 20), "null", "42"])
            assert.equal(checkpointIntact(bad), false, String(bad));
    });

    it("leaves an intact checkpoint, and a stack without one, alone", () => {
        assert.equal(restoreDamagedCheckpoint(backend, "redis-stack", "dev"), undefined);
        fs.writeFileSync(file(), checkpoint(3));
        fs.writeFileSync(`${file()}.bak`, checkpoint(2));
        assert.equal(restoreDamagedCheckpoint(backend, "redis-stack", "dev"), undefined);
        assert.equal(resourcesIn(file()), 3);
    });

    it("restores an empty checkpoint from <stack>.json.bak with its metadata, keeping the damaged file aside, and says so", () => {
        fs.writeFileSync(file(), "");
        fs.writeFileSync(`${file()}.attrs`, '{"md5":"of-the-empty-file"}');
        fs.writeFileSync(`${file()}.bak`, checkpoint(2));
        fs.writeFileSync(`${file()}.bak.attrs`, '{"md5":"of-the-backup"}');
        const said = restoreDamagedCheckpoint(backend, "redis-stack", "dev", new Date("2026-11-27T01:02:03Z"));
        assert.match(
            said ?? "",
            /^its checkpoint dev\.json was empty or damaged .*; restored it from \.pulumi\/stacks\/redis-stack\/dev\.json\.bak, kept the damaged one as dev\.json\.damaged-2026-11-27T01-02-03-000Z$/,
        );
        assert.equal(resourcesIn(file()), 2);
        assert.equal(fs.readFileSync(`${file()}.attrs`, "utf8"), '{"md5":"of-the-backup"}');
        assert.equal(fs.readFileSync(`${file()}.damaged-2026-11-27T01-02-03-000Z`, "utf8"), "");
        assert.deepEqual(pendingOperations(backend, "redis-stack", "dev"), []);
    });

    it("takes the newest timestamped backup that loads when the .bak copy is damaged too; gzipped checkpoints alike", () => {
        const gz = `${file()}.gz`;
        fs.writeFileSync(gz, zlib.gzipSync(checkpoint(5)).subarray(0, 10)); // cut off mid-write
        fs.writeFileSync(`${gz}.bak`, "");
        const older = path.join(backups, "dev.100.json.gz");
        const newer = path.join(backups, "dev.200.json.gz");
        const newest = path.join(backups, "dev.300.json.gz");
        fs.writeFileSync(older, zlib.gzipSync(checkpoint(1)));
        fs.writeFileSync(newer, zlib.gzipSync(checkpoint(4)));
        fs.writeFileSync(newest, zlib.gzipSync(checkpoint(9)).subarray(0, 5));
        fs.utimesSync(older, new Date(1000), new Date(1000));
        fs.utimesSync(newer, new Date(2000), new Date(2000));
        fs.utimesSync(newest, new Date(3000), new Date(3000));
        assert.match(
            restoreDamagedCheckpoint(backend, "redis-stack", "dev") ?? "",
            /restored it from \.pulumi\/backups\/redis-stack\/dev\/dev\.200\.json\.gz/,
        );
        assert.equal(
            (JSON.parse(zlib.gunzipSync(fs.readFileSync(gz)).toString()) as { checkpoint: { latest: { resources: unknown[] } } }).checkpoint
                .latest.resources.length,
            4,
        );
    });

    it("fails naming the file and what to do when no copy loads, changing nothing", () => {
        fs.writeFileSync(file(), "");
        assert.throws(
            () => restoreDamagedCheckpoint(backend, "redis-stack", "dev"),
            /^Error: stack dev: its checkpoint \S+dev\.json is empty or damaged and no copy of it loads; import a good one with `pulumi stack import`/,
        );
        assert.equal(fs.readFileSync(file(), "utf8"), "");
    });
});
