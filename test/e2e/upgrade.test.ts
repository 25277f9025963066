// A stack made by the program as it was before RedisStack existed (its last commit, in a git worktree) is taken
// over in place by today's program: nothing is created but the new component, nothing replaced or deleted, no
// node restarts and the cluster keeps its node ids. Users and TLS make every former top-level resource (cluster,
// standalone, users, tls) take part. And a TLS stack from a supplied CA, made before one issuer held the CA's
// key: its node certificates give the key up, and no node restarts or gets another certificate.
import { strict as assert } from "assert";
import { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { docker, labelled } from "../support/dockerCli";
import { TEST_IMAGE } from "../support/fixture";
import { BEFORE_ONE_ISSUER, noChangeAfter, nodeIds, previousReleaseStack, upgradeInPlace } from "../support/previousRelease";
import { servedCertificate } from "../support/servedCertificate";
import { keyLine, secretsHolding } from "../support/stateSecrets";
import { userCa } from "../support/userCa";
import type { KeyedCertificate } from "../../components/tls/certificates";

describe("upgrade: a Docker stack of the program before RedisStack is taken over in place", function () {
    this.timeout(900000);
    const name = `upgrade${Date.now().toString(36)}`;
    const label = `${STACK_LABEL}=redis-stack-${name}`;
    const identities = () =>
        Object.fromEntries(labelled("ps", label).map((c) => [c, docker("inspect", "-f", "{{.Id}} {{.State.StartedAt}}", c)]));
    const volumes = () => labelled("volume", label).map((v) => `${v} ${docker("volume", "inspect", "-f", "{{.CreatedAt}}", v)}`);
    let previousState: { containers: Record<string, string>; volumes: string[]; nodeIds: string[] };
    const previous = previousReleaseStack(
        name,
        {
            "redis-stack:runtime": { value: "engine" },
            "redis-stack:image": { value: TEST_IMAGE },
            "redis-stack:basePort": { value: "7750" },
            "redis-stack:standalonePort": { value: "6750" },
            "redis-stack:subnet": { value: "172.30.171.0/24" },
            "redis-stack:password": { value: "upgrade-Secret-42", secret: true },
            "redis-stack:tls": { value: "true" },
        },
        {},
        async (stack) => {
            previousState = { containers: identities(), volumes: volumes(), nodeIds: await nodeIds(stack) };
        },
    );
    after(() => {
        for (const c of labelled("ps", label)) docker("rm", "-f", c);
        for (const v of labelled("volume", label)) docker("volume", "rm", "-f", v);
        for (const n of labelled("network", label)) docker("network", "rm", n);
    });
    let stack: Stack;

    it("previews no replacement or deletion, and the up after it changes no container, volume or node id", async () => {
        assert.equal(
            Object.keys(previousState.containers).length,
            7,
            `the previous release made 7 containers: ${Object.keys(previousState.containers).join(", ")}`,
        );
        stack = await previous.takeOver();
        // The data guard and the stack's owner are new: they record where the data lives and the stack's owner id. The
        // objects the previous release made carry no owner id: recorded in this stack's state, they are its own.
        await upgradeInPlace(stack, ["pulumi-nodejs:dynamic/redis-stack:DataGuard", "pulumi-nodejs:dynamic/redis-stack:StackOwner"]);
        assert.deepEqual(identities(), previousState.containers, "every container kept its id and was not restarted");
        assert.deepEqual(volumes(), previousState.volumes);
        assert.deepEqual(await nodeIds(stack), previousState.nodeIds);
    });

    it("then previews no change at all", async () => noChangeAfter(stack));

    it("and destroy removes every container, volume and the network the previous release made (no owner id; its state records them)", async () => {
        assert.equal((await stack.destroy()).summary.result, "succeeded");
        assert.deepEqual([...labelled("ps", label), ...labelled("volume", label), ...labelled("network", label)], []);
    });
});

describe("upgrade: a TLS stack from a supplied CA, made when each node certificate took the CA's key, keeps its certificates", function () {
    this.timeout(900000);
    const name = `upgradeca${Date.now().toString(36)}`;
    const label = `${STACK_LABEL}=redis-stack-${name}`;
    const ISSUER = "pulumi-nodejs:dynamic/redis-stack:TlsCertificates";
    const NODE_CERTIFICATE = "pulumi-nodejs:dynamic/redis-stack:NodeCertificate";
    const started = () =>
        Object.fromEntries(labelled("ps", label).map((c) => [c, docker("inspect", "-f", "{{.Id}} {{.State.StartedAt}}", c)]));
    let ca: KeyedCertificate;
    /** The serial of the certificate every node serves, by address. */
    const servedSerials = async (stack: Stack) => {
        const outputs = await stack.outputs();
        const clientTls = { ca: ca.cert, cert: outputs.tlsClientCert.value as string, key: outputs.tlsClientKey.value as string };
        const addresses = [
            ...(outputs.clusterTlsSeeds.value as string[]),
            (outputs.standaloneTlsUrl.value as string).slice("rediss://".length),
        ];
        const serials: Record<string, string> = {};
        for (const address of addresses) {
            const [host, port] = address.split(":");
            serials[address] = (await servedCertificate({ host, port: Number(port) }, clientTls)).serialNumber;
        }
        return serials;
    };
    const caKeySecrets = async (stack: Stack) => secretsHolding(JSON.stringify(await stack.exportStack()), keyLine(ca.key));
    const config: ConfigMap = {
        "redis-stack:runtime": { value: "engine" },
        "redis-stack:image": { value: TEST_IMAGE },
        "redis-stack:basePort": { value: "7790" },
        "redis-stack:standalonePort": { value: "6790" },
        "redis-stack:subnet": { value: "172.30.172.0/24" },
        "redis-stack:password": { value: "upgrade-Secret-44", secret: true },
        "redis-stack:tls": { value: "true" },
    };
    before(async () => {
        // Before the stack is made (the next before): the CA goes into its config.
        ca = await userCa("P-384", "upgrade CA", new Date(), 30 * 24 * 3600 * 1000);
        config["redis-stack:tlsCaCert"] = { value: ca.cert };
        config["redis-stack:tlsCaKey"] = { value: ca.key, secret: true };
    });
    let previousState: { containers: Record<string, string>; serials: Record<string, string>; nodeIds: string[]; caKeySecrets: string[] };
    const previous = previousReleaseStack(
        name,
        config,
        {},
        async (stack) => {
            previousState = {
                containers: started(),
                serials: await servedSerials(stack),
                nodeIds: await nodeIds(stack),
                caKeySecrets: await caKeySecrets(stack),
            };
        },
        BEFORE_ONE_ISSUER,
    );
    after(() => {
        for (const c of labelled("ps", label)) docker("rm", "-f", c);
        for (const v of labelled("volume", label)) docker("volume", "rm", "-f", v);
        for (const n of labelled("network", label)) docker("network", "rm", n);
    });
    let stack: Stack;

    it("the up moves the CA's key to one issuer (its 16 secrets in 8 node certificates become 1) and changes no container, certificate or node id", async () => {
        assert.equal(Object.keys(previousState.containers).length, 7);
        assert.equal(
            previousState.caKeySecrets.length,
            16,
            `before: in each NodeCertificate's inputs and outputs\n${previousState.caKeySecrets.join("\n")}`,
        );
        stack = await previous.takeOver();
        // The preview cannot know the rewritten node certificates' outputs: what reads them may show as an update,
        // but nothing is replaced, deleted or created besides the issuer.
        const previewed: string[] = [];
        await stack.preview({
            onEvent: (event) => {
                const step = event.resourcePreEvent?.metadata;
                if (step && !["same", "read", "update"].includes(step.op)) previewed.push(`${step.op} ${step.type}`);
            },
        });
        assert.deepEqual(previewed, [`create ${ISSUER}`]);
        const steps: string[] = [];
        const up = await stack.up({
            onEvent: (event) => {
                const step = event.resourcePreEvent?.metadata;
                if (step && step.op !== "same" && step.op !== "read" && !step.type.startsWith("pulumi:providers:"))
                    steps.push(`${step.op} ${step.type}`);
            },
        });
        assert.equal(up.summary.result, "succeeded");
        // The node certificates are rewritten (the CA's key leaves them, each keeps its key); the issuer is new.
        assert.deepEqual(steps.sort(), [`create ${ISSUER}`, ...Array<string>(8).fill(`update ${NODE_CERTIFICATE}`)], steps.join("\n"));
        assert.deepEqual(await caKeySecrets(stack), [`${ISSUER} redis-stack-tls inputs`]);
        assert.deepEqual(started(), previousState.containers, "every container kept its id and was not restarted");
        assert.deepEqual(await servedSerials(stack), previousState.serials, "every node serves the certificate it had");
        assert.deepEqual(await nodeIds(stack), previousState.nodeIds);
    });

    it("then previews no change at all", async () => noChangeAfter(stack));
});
