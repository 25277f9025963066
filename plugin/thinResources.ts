// The thin dynamic resources' operations, served by the component package's plugin itself. In a program
// of another language, Pulumi would start its Node.js dynamic-provider host in that program's directory,
// where neither @pulumi/pulumi nor this package can be loaded (pulumi/pulumi#5455); so inside the plugin
// the component declares them as the plugin's own resources (components/providers/dynamicResource.ts
// serveFromPlugin) and they run here, through the implementation modules their provider text names, as
// @pulumi/pulumi's dynamic-provider host runs them (cmd/dynamic-provider): the same methods, the same
// `__provider` input kept in the outputs.
// One difference needs care: the dynamic-provider host tells the engine it takes no secrets, so it gets
// plain values and the engine marks an output secret where its input was; a provider plugin takes secrets,
// so this module unwraps them for the implementation and marks those outputs itself.
import type * as pulumi from "@pulumi/pulumi";
import { implementationOf } from "../components/providers/dynamicResource";
import { PROVIDER_KEY } from "../components/providers/implementation";

type Props = Record<string, unknown>;
type DynamicProvider = pulumi.dynamic.ResourceProvider;

// How the engine wraps a secret value in a provider's inputs and outputs (@pulumi/pulumi runtime/rpc).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const isSecret = (value: unknown): value is { value?: unknown } =>
    typeof value === "object" && value !== null && (value as Props)[SIG_KEY] === SECRET_SIG;

/** `value` with every secret in it replaced by its plain value. */
function revealed(value: unknown): unknown {
    if (isSecret(value)) return revealed(value.value);
    if (Array.isArray(value)) return value.map(revealed);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v)]));
    return value;
}

function holdsSecret(value: unknown): boolean {
    if (isSecret(value)) return true;
    if (Array.isArray(value)) return value.some(holdsSecret);
    if (typeof value === "object" && value !== null) return Object.values(value).some(holdsSecret);
    return false;
}

/** Properties as the implementation takes them (no secret wrappers), and which top-level ones held a secret. */
export function unwrapSecrets(props: Props): { plain: Props; secretKeys: Set<string> } {
    return {
        plain: revealed(props) as Props,
        secretKeys: new Set(Object.keys(props).filter((key) => holdsSecret(props[key]))),
    };
}

/** `props` with each of `secretKeys` that it has wrapped as a secret for the engine. */
export function wrapSecrets(props: Props, secretKeys: ReadonlySet<string>): Props {
    return Object.fromEntries(
        Object.entries(props).map(([key, value]) => [
            key,
            secretKeys.has(key) && !isSecret(value) ? { [SIG_KEY]: SECRET_SIG, value } : value,
        ]),
    );
}

/** The implementation that a resource's provider text names, loaded as Pulumi's provider process loads it. */
function implementationFor(props: Props, urn: string): DynamicProvider {
    const text = props[PROVIDER_KEY];
    if (typeof text !== "string") throw new Error(`${urn}: no ${PROVIDER_KEY} input: not a thin resource of redis-stack`);
    const { load } = require("redis-stack/providers/load") as { load: (name: string) => DynamicProvider };
    return load(implementationOf(text));
}

/** The resource operations of a pulumi.provider.Provider, for the thin resources. */
export function thinResourceOperations(): Required<
    Pick<pulumi.provider.Provider, "check" | "diff" | "create" | "read" | "update" | "delete">
> {
    return {
        async check(urn, olds: Props, news: Props) {
            const provider = implementationFor(news, urn);
            const { plain, secretKeys } = unwrapSecrets(news);
            if (!provider.check) return { inputs: news };
            const result = await provider.check(unwrapSecrets(olds).plain, plain);
            return {
                inputs: wrapSecrets({ ...((result.inputs as Props | undefined) ?? plain), [PROVIDER_KEY]: news[PROVIDER_KEY] }, secretKeys),
                failures: result.failures ?? [],
            };
        },
        async diff(id, urn, olds: Props, news: Props) {
            const provider = implementationFor(news, urn);
            if (!provider.diff) return {};
            return provider.diff(id, unwrapSecrets(olds).plain, unwrapSecrets(news).plain);
        },
        async create(urn, inputs: Props) {
            const { plain, secretKeys } = unwrapSecrets(inputs);
            const result = await implementationFor(inputs, urn).create(plain);
            return { id: result.id, outs: wrapSecrets({ ...(result.outs as Props), [PROVIDER_KEY]: inputs[PROVIDER_KEY] }, secretKeys) };
        },
        async read(id, urn, props: Props) {
            const provider = implementationFor(props, urn);
            if (!provider.read) return { id, props };
            const { plain, secretKeys } = unwrapSecrets(props);
            const result = await provider.read(id, plain);
            const withProvider = (p: Props) => wrapSecrets({ ...p, [PROVIDER_KEY]: props[PROVIDER_KEY] }, secretKeys);
            return {
                id: result.id ?? id,
                props: withProvider((result.props as Props | undefined) ?? {}),
                ...(result.inputs ? { inputs: withProvider(result.inputs as Props) } : {}),
            };
        },
        async update(id, urn, olds: Props, news: Props) {
            const provider = implementationFor(news, urn);
            const { plain, secretKeys } = unwrapSecrets(news);
            const result = provider.update ? await provider.update(id, unwrapSecrets(olds).plain, plain) : {};
            return { outs: wrapSecrets({ ...(result.outs as Props | undefined), [PROVIDER_KEY]: news[PROVIDER_KEY] }, secretKeys) };
        },
        async delete(id, urn, props: Props) {
            const provider = implementationFor(props, urn);
            if (provider.delete) await provider.delete(id, unwrapSecrets(props).plain);
        },
    };
}
