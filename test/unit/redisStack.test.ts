// RedisStack as other programs declare it (setMocks): several in one program, each with names of its own;
// arguments checked before anything is registered, with the argument named; secrets kept secret.
import { strict as assert } from "assert";
import Module from "module";
import * as pulumi from "@pulumi/pulumi";
import type { RedisStackArgs } from "../../components/stack/args";
import type * as redisStackModule from "../../components/stack/redisStack";
import { isSecret, plaintextStrings, settledExports } from "../support/mockedSecrets";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

const PREFLIGHT_MODULE = require.resolve("../../components/runtime/preflight");
const REDIS_STACK_MODULE = require.resolve("../../components/stack/redisStack");

/** RedisStack loaded with a stand-in for the Docker host check (the one part that needs Docker), which passes. */
function loadRedisStack(): typeof redisStackModule {
    const real = require(PREFLIGHT_MODULE) as Record<string, unknown>;
    const saved = require.cache[PREFLIGHT_MODULE];
    const standIn = new Module(PREFLIGHT_MODULE);
    standIn.filename = PREFLIGHT_MODULE;
    standIn.loaded = true;
    standIn.exports = { ...real, preflightHost: async () => undefined };
    require.cache[PREFLIGHT_MODULE] = standIn;
    delete require.cache[REDIS_STACK_MODULE];
    try {
        return require(REDIS_STACK_MODULE) as typeof redisStackModule;
    } finally {
        require.cache[PREFLIGHT_MODULE] = saved;
    }
}

/** A program of project `shop`, stack `dev`, that declares what `declare` does, under mocks. */
async function program(declare: (mod: typeof redisStackModule) => Record<string, unknown>): Promise<Registered[]> {
    const resources: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                const state: Record<string, unknown> = { ...args.inputs };
                if (args.type.endsWith(":ClusterFormation")) state.nodeStates = [];
                return { id: `${args.name}-id`, state };
            },
            call: (args) => args.inputs,
        },
        "shop",
        "dev",
        false,
        "organization",
    );
    try {
        await settledExports(declare(loadRedisStack()));
    } finally {
        await pulumi.runtime.disconnect();
    }
    return resources;
}

/** The message a declaration is refused with, before anything is registered. */
function refusal(declare: (mod: typeof redisStackModule) => unknown): string {
    const mod = loadRedisStack();
    try {
        declare(mod);
    } catch (err) {
        assert.ok(err instanceof pulumi.RunError, String(err));
        return err.message;
    }
    assert.fail("expected a refusal");
}

const QUEUE: RedisStackArgs = { basePort: 7100, standalonePort: 6380, subnet: "172.30.58.0/24" };

describe("RedisStack (setMocks)", function () {
    this.timeout(30000);
    before(() =>
        pulumi.runtime.setMocks(
            { newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs },
            "shop",
            "dev",
            false,
            "organization",
        ),
    );

    it("lets two stacks live side by side: every container, volume and network named after its component", async () => {
        const resources = await program(({ RedisStack, outputsOf }) => {
            const cache = new RedisStack("cache", {});
            const queue = new RedisStack("queue", QUEUE);
            return { ...outputsOf(cache), queueSeeds: queue.clusterSeeds };
        });
        // A container's name is in the Docker API body it is created with; a network's in its spec.
        const nameOf = (r: Registered) =>
            (r.inputs.name ??
                (r.inputs.spec as { name?: string } | undefined)?.name ??
                (r.inputs.body as { name?: string }).name) as string;
        const named = (type: string) => resources.filter((r) => r.type.endsWith(type)).map(nameOf);
        const containers = named(":EngineContainer");
        assert.equal(containers.length, 14);
        assert.ok(containers.includes("shop-dev-cache-node-0") && containers.includes("shop-dev-queue-standalone"), containers.join());
        assert.deepEqual(named(":EngineNetwork").sort(), ["shop-dev-cache-net", "shop-dev-queue-net"]);
        assert.ok(named(":EngineVolume").every((v) => /^shop-dev-(cache|queue)-(node-\d|standalone)-data$/.test(v)));
        const components = resources.filter((r) => r.type === "redis-stack:index:RedisStack").map((r) => r.name);
        assert.deepEqual(components.sort(), ["cache", "queue"]);
    });

    it("refuses a second stack on the same ports and subnet, naming the settings, before it registers anything", () => {
        const message = refusal(({ RedisStack }) => {
            new RedisStack("cache", {});
            new RedisStack("queue", { standalonePort: 6380 });
        });
        assert.match(
            message,
            /^invalid RedisStack queue configuration:\n {2}- basePort: 172\.30\.57\.1:7000 \(client port of shop-dev-queue-node-0\)/,
        );
        assert.match(
            message,
            /- subnet: got "172\.30\.57\.0\/24", which overlaps 172\.30\.57\.0\/24 of RedisStack "cache" of this program/,
        );
    });

    it("refuses bad arguments all at once, naming each, without repeating a secret", () => {
        const message = refusal(
            ({ RedisStack }) => new RedisStack("cache", { masters: 2, runtime: "swarm" as "engine", password: "short 1" }),
        );
        assert.match(message, /^invalid RedisStack cache configuration:/);
        assert.match(message, /- masters: got "2"; allowed: a whole number from 3 to 100/);
        assert.match(message, /- runtime: got "swarm"; allowed: docker or engine or kubernetes/);
        assert.match(message, /- password: got a value of 7 characters; allowed: 8 to 512 characters/);
        assert.ok(!message.includes("short 1"));
    });

    it("refuses an ownerId no Docker label takes, or one on Kubernetes (its objects are on no Docker host)", () => {
        assert.match(
            refusal(({ RedisStack }) => new RedisStack("cache", { ownerId: "not an id" })),
            /- ownerId: got "not an id"; allowed: 1-64 letters, digits, '_', '\.' or '-', starting with a letter or digit/,
        );
        assert.match(
            refusal(({ RedisStack }) => new RedisStack("cache", { ownerId: "0b5e", runtime: "kubernetes" })),
            /- ownerId: got "0b5e"; allowed: unset with runtime kubernetes/,
        );
    });

    it("keeps a plain-string password a secret in every input and output", async () => {
        const password = "plain-Secret-4242";
        let exported: Record<string, unknown> = {};
        const resources = await program(({ RedisStack, outputsOf }) => (exported = outputsOf(new RedisStack("cache", { password }))));
        const leaks = resources.filter((r) => plaintextStrings(r.inputs).some((s) => s.includes(password)));
        assert.deepEqual(
            leaks.map((r) => r.name),
            [],
        );
        assert.ok(await pulumi.isSecret(exported.redisPassword as pulumi.Output<string>));
        const containers = resources.filter((r) => r.type.endsWith(":EngineContainer"));
        assert.ok(containers.every((c) => isSecret(c.inputs.password)));
    });

    it("refuses a password known only later (another resource's output) when it is known, with the same message", async () => {
        const late = pulumi.output(Promise.resolve("tiny"));
        await assert.rejects(
            program(({ RedisStack, outputsOf }) => outputsOf(new RedisStack("cache", { password: late }))),
            /invalid RedisStack cache configuration:\n {2}- password: got a value of 4 characters/,
        );
    });
});
