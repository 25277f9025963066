// The component package's plugin serving the thin resources itself (plugin/thinResources.ts): the same
// implementation modules as Pulumi's dynamic-provider host runs, and secrets kept secrets although a plugin,
// unlike that host, takes them from the engine wrapped and must hand them back wrapped.
import { strict as assert } from "assert";
import { implementationOf, providerText, serveFromPlugin, thinResourceType } from "../../components/providers/dynamicResource";
import { PROVIDER_KEY } from "../../components/providers/implementation";
import { thinResourceOperations, unwrapSecrets, wrapSecrets } from "../../plugin/thinResources";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const secret = (value: unknown) => ({ [SIG_KEY]: "1b47061264138c4ac30d75fd1eb44270", value });
const USER_PASSWORD = "redis-stack/components/providers/userPasswordProvider";
const URN = "urn:pulumi:dev::yaml::redis-stack:index:RedisStack$redis-stack:index:UserPassword::app";

describe("the component plugin's thin resources", function () {
    this.timeout(20000);

    it("are the plugin's own resources only while a plugin serves them", () => {
        assert.equal(thinResourceType("EngineContainer"), "pulumi-nodejs:dynamic/redis-stack:EngineContainer");
        serveFromPlugin("redis-stack");
        try {
            assert.equal(thinResourceType("EngineContainer"), "redis-stack:index:EngineContainer");
        } finally {
            serveFromPlugin(undefined);
        }
        assert.equal(thinResourceType("EngineContainer"), "pulumi-nodejs:dynamic/redis-stack:EngineContainer");
    });

    it("find their implementation from the provider text stored with them", () => {
        for (const name of [USER_PASSWORD, 'redis-stack/components/x "quoted" \\ name'])
            assert.equal(implementationOf(providerText(name)), name);
        assert.throws(() => implementationOf("exports.handler = () => 1;\n"), /not a provider text of redis-stack/);
    });

    it("unwrap secrets at any depth and remember which properties held one", () => {
        const { plain, secretKeys } = unwrapSecrets({ user: secret("app"), hosts: ["a", secret("b")], port: 7000 });
        assert.deepEqual(plain, { user: "app", hosts: ["a", "b"], port: 7000 });
        assert.deepEqual([...secretKeys].sort(), ["hosts", "user"]);
        assert.deepEqual(wrapSecrets({ user: "app", port: 7000 }, secretKeys), { user: secret("app"), port: 7000 });
    });

    it("create, read, diff, update and delete through the stored implementation, secret inputs secret in the outputs", async () => {
        const ops = thinResourceOperations();
        const text = providerText(USER_PASSWORD);
        const inputs = { user: secret("app"), [PROVIDER_KEY]: text };

        const created = await ops.create(URN, inputs);
        assert.equal(created.id, "app");
        const outs = created.outs as Record<string, unknown>;
        assert.deepEqual(outs.user, secret("app"), "the secret input comes back a secret");
        assert.match(String(outs.password), /^[A-Za-z0-9_-]{43}$/, "the implementation ran: a generated password");
        assert.equal(outs[PROVIDER_KEY], text, "the provider text stays in the outputs, as the dynamic-provider host keeps it");

        const read = await ops.read("app", URN, outs);
        assert.deepEqual(read, { id: "app", props: outs });

        const same = await ops.diff("app", URN, outs, inputs);
        assert.equal(same.changes, false);
        const renamed = await ops.diff("app", URN, outs, { ...inputs, user: secret("other") });
        assert.deepEqual(renamed.replaces, ["user"]);

        const updated = await ops.update("app", URN, outs, inputs);
        assert.equal((updated.outs as Record<string, unknown>).password, outs.password, "the implementation's update keeps the password");
        assert.deepEqual((updated.outs as Record<string, unknown>).user, secret("app"));

        const checked = await ops.check(URN, {}, inputs);
        assert.deepEqual(checked.inputs, inputs, "no check method: the inputs as given");
        await ops.delete("app", URN, outs);
    });

    it("refuse a resource without a provider text, naming it", async () => {
        await assert.rejects(thinResourceOperations().create(URN, { user: "app" }), /UserPassword::app: no __provider input/);
    });
});
