// The component package's SDKs for other languages, generated from its schema (what the plugin serves,
// derived from RedisStack's TypeScript types) with the code generators of the pinned Pulumi release
// (scripts/sdk-gen). Pulumi's Python and Go language hosts are not served here, so no program of those
// languages runs for real: the Python SDK installs and, under a pinned `pulumi` from PyPI, declares a
// RedisStack under Pulumi's mocks; the Go SDK builds with the pinned github.com/pulumi/pulumi/sdk/v3 and
// does the same under the Go SDK's mocks. No Docker.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RedisStack } from "../../components/index";
import { componentPackageProvider } from "../../plugin/servePlugin";
import { PROJECT_DIR } from "../support/automation";
import { timed } from "../support/suiteStack";

/** `pulumi` from PyPI: the newest served here; the generated SDK asks for >= 3.269. */
const PYTHON_PULUMI = "3.272.0";
/** setuptools that builds the generated setup.py without a separate `wheel` (and without build isolation). */
const PYTHON_SETUPTOOLS = "80.9.0";
/** Where the venv with them is kept between runs (outside the repository). */
const VENV = path.join(
    process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"),
    "redis-stack",
    `python-sdk-venv-pulumi-${PYTHON_PULUMI}-setuptools-${PYTHON_SETUPTOOLS}`,
);
/** The Go SDK's import path: the generators' default for a schema without one. */
const GO_MODULE = "example.com/pulumi-redis-stack/sdk/go/redis-stack";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

const run = (command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) =>
    execFileSync(command, args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });

/** The github.com/pulumi/pulumi/sdk/v3 version this project's Go code pins (the language host's go.mod). */
function pinnedGoSdk(): string {
    const goMod = fs.readFileSync(path.join(PROJECT_DIR, "scripts/language-host/go.mod"), "utf8");
    return /github\.com\/pulumi\/pulumi\/sdk\/v3 (v\S+)/.exec(goMod)![1];
}

/** pip of `venv` (through its python: the venv's scripts name the directory it was made in, see pythonVenv). */
function pipInstall(venv: string, ...args: string[]): void {
    run(path.join(venv, "bin", "python"), ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...args]);
}

/** The cached venv with the pinned `pulumi`, made (aside, then moved into place) when missing. */
function pythonVenv(): string {
    if (fs.existsSync(path.join(VENV, "bin", "python"))) return VENV;
    const staging = `${VENV}.${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    run("python3", ["-m", "venv", staging]);
    pipInstall(staging, `pulumi==${PYTHON_PULUMI}`, `setuptools==${PYTHON_SETUPTOOLS}`);
    fs.mkdirSync(path.dirname(VENV), { recursive: true });
    fs.renameSync(staging, VENV);
    return VENV;
}

describe("SDKs for Python and Go generated from the component package's schema", function () {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "redis-stack-sdk-"));
    const schemaFile = path.join(work, "schema.json");
    let schema: {
        resources: Record<
            string,
            { inputProperties: Record<string, { secret?: boolean; type?: string }>; properties: Record<string, { secret?: boolean }> }
        >;
        types: Record<string, { properties: Record<string, unknown> }>;
    };

    before(async function () {
        const text = await timed("schema from RedisStack's types (Pulumi's analyzer)", () =>
            componentPackageProvider([RedisStack]).getSchema!(),
        );
        fs.writeFileSync(schemaFile, text);
        schema = JSON.parse(text);
        await timed("build scripts/sdk-gen", async () =>
            run("go", ["build", "-mod=readonly", "-o", path.join(work, "sdk-gen"), "."], {
                cwd: path.join(PROJECT_DIR, "scripts/sdk-gen"),
            }),
        );
    });

    after(() => fs.rmSync(work, { recursive: true, force: true }));

    it("the schema declares redis-stack:index:RedisStack with its arguments and outputs, secrets marked", () => {
        const stack = schema.resources["redis-stack:index:RedisStack"];
        for (const input of [
            "masters",
            "replicasPerMaster",
            "basePort",
            "standalonePort",
            "subnet",
            "image",
            "password",
            "users",
            "tls",
            "runtime",
            "namespace",
            "nodeSelector",
            "tolerations",
            "zoneSpread",
            "networkPolicy",
            "allowFrom",
            "externalAccess",
            "externalHost",
            "loadBalancerSourceRanges",
            "loadBalancerAnnotations",
        ])
            assert.ok(stack.inputProperties[input], `input ${input}`);
        // A list of Kubernetes Tolerations, typed, in every language's SDK.
        assert.equal(stack.inputProperties.tolerations.type, "array");
        assert.ok(schema.types["redis-stack:index:Toleration"]?.properties.operator, "the Toleration type");
        assert.equal(stack.inputProperties.allowFrom.type, "array");
        assert.ok(schema.types["redis-stack:index:NetworkPeer"]?.properties.cidr, "the NetworkPeer type");
        for (const output of [
            "clusterSeeds",
            "natMap",
            "clusterNodes",
            "standaloneUrl",
            "redisPassword",
            "clusterExternalSeeds",
            "standaloneExternalUrl",
        ])
            assert.ok(stack.properties[output], `output ${output}`);
        assert.equal(stack.inputProperties.password.secret, true);
        assert.equal(stack.properties.redisPassword.secret, true);
        assert.equal(stack.inputProperties.basePort.secret, undefined);
    });

    it("Python: the SDK installs and declares a RedisStack under a pinned pulumi from PyPI (mocks)", async () => {
        const sdk = path.join(work, "python");
        run(path.join(work, "sdk-gen"), ["python", schemaFile, sdk]);
        const venv = await timed("the cached venv (made when missing)", async () => pythonVenv());
        const site = path.join(work, "python-site");
        pipInstall(venv, "--no-deps", "--no-build-isolation", "--target", site, sdk);
        const out = run(path.join(venv, "bin", "python"), [path.join(__dirname, "sdk", "declare.py")], {
            cwd: work,
            env: { PYTHONPATH: site },
        });
        const { urn, registered } = JSON.parse(out.trim().split("\n").pop()!) as { urn: string; registered: Registered[] };
        assert.match(urn, /\$redis-stack:index:RedisStack::cache$/);
        assert.deepEqual(
            registered.map((r) => [r.type, r.name]),
            [["redis-stack:index:RedisStack", "cache"]],
        );
        assert.equal(registered[0].inputs.basePort, 7000, "snake_case in Python, the component's names on the wire");
        assert.equal(registered[0].inputs.networkMode, "bridge");
    });

    it("Go: the SDK builds with the pinned Pulumi Go SDK and declares a RedisStack (mocks)", async () => {
        const sdk = path.join(work, "go");
        run(path.join(work, "sdk-gen"), ["go", schemaFile, sdk]);
        const module = path.join(sdk, "redisstack");
        const goEnv = { GOFLAGS: "-mod=mod" };
        fs.writeFileSync(
            path.join(module, "go.mod"),
            `module ${GO_MODULE}\n\ngo 1.26\n\nrequire github.com/pulumi/pulumi/sdk/v3 ${pinnedGoSdk()}\n`,
        );
        await timed("go mod tidy and go build ./... of the SDK", async () => {
            run("go", ["mod", "tidy"], { cwd: module, env: goEnv });
            run("go", ["build", "./..."], { cwd: module, env: goEnv });
        });
        const check = path.join(work, "go-check");
        fs.mkdirSync(check);
        fs.copyFileSync(path.join(__dirname, "sdk", "declare_test.go"), path.join(check, "declare_test.go"));
        fs.writeFileSync(
            path.join(check, "go.mod"),
            `module sdkcheck\n\ngo 1.26\n\nrequire ${GO_MODULE} v0.0.0\n\nreplace ${GO_MODULE} => ${module}\n`,
        );
        const registeredFile = path.join(work, "go-registered.json");
        await timed("go test of a declaration under mocks", async () => {
            run("go", ["mod", "tidy"], { cwd: check, env: goEnv });
            run("go", ["test", "-count=1", "."], { cwd: check, env: { ...goEnv, REGISTERED_JSON: registeredFile } });
        });
        const registered = JSON.parse(fs.readFileSync(registeredFile, "utf8")) as Registered[];
        assert.deepEqual(
            registered.map((r) => [r.type, r.name]),
            [["redis-stack:index:RedisStack", "cache"]],
        );
        assert.equal(registered[0].inputs.basePort, 7000);
        assert.equal(registered[0].inputs.networkMode, "bridge");
        assert.deepEqual(registered[0].inputs.allowFrom, [{ namespaceSelector: { team: "payments" } }, { cidr: "10.20.0.0/16" }]);
    });
});
