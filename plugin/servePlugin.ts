// The component package's provider: RedisStack for programs of any language (construct, and the schema
// Pulumi's analyzer derives from RedisStack's TypeScript types), and the thin resources RedisStack declares
// inside it (./thinResources.ts), served to the engine by @pulumi/pulumi's provider host.
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import * as path from "path";
import { serveFromPlugin } from "../components/providers/dynamicResource";
import { thinResourceOperations } from "./thinResources";

/** The package name: the first part of every type token the plugin serves (`redis-stack:index:RedisStack`). */
export const PACKAGE = "redis-stack";

/**
 * What Pulumi's analyzer reads to write the schema from the TypeScript sources (it needs them: the compiled
 * package's declarations are not enough): a package.json whose `main` is the package root module
 * (components/index.ts), and a tsconfig.json of the library alone (a smaller program than the project's).
 */
const SCHEMA_SOURCES = path.join(__dirname, "schema");

/** The package's version (package.json), the plugin's and the schema's. */
const VERSION = (require("../package.json") as { version: string }).version;

/**
 * RedisStack's arguments and outputs that hold a secret. The analyzer cannot tell them (a secret is a value,
 * not a type), so the schema says it: every language's SDK then sends them, and the engine keeps them, as
 * secrets, even a plain string a program passes (it would otherwise sit in the component's inputs in the state).
 */
export const SECRET_PROPERTIES = {
    inputs: ["password", "tlsCaKey", "tlsKey", "tlsClientKey"],
    outputs: ["redisPassword", "redisUsers", "tlsClientKey"],
} as const;

interface SchemaProperty {
    secret?: boolean;
}
interface SchemaResource {
    inputProperties?: Record<string, SchemaProperty>;
    properties?: Record<string, SchemaProperty>;
}

/** The schema (JSON) with SECRET_PROPERTIES of resource `type` marked secret; throws for one it does not have. */
export function withSecretsMarked(schema: string, type: string): string {
    const parsed = JSON.parse(schema) as { resources: Record<string, SchemaResource> };
    const resource = parsed.resources[type];
    const mark = (properties: Record<string, SchemaProperty> | undefined, names: readonly string[], what: string) => {
        for (const name of names) {
            if (!properties?.[name]) throw new Error(`${type} has no ${what} ${name} to mark secret`);
            properties[name].secret = true;
        }
    };
    mark(resource?.inputProperties, SECRET_PROPERTIES.inputs, "input");
    mark(resource?.properties, SECRET_PROPERTIES.outputs, "output");
    return JSON.stringify(parsed);
}

/**
 * The schema (JSON) with Go's input types (`...Args`) generated for every object type. Go's generator leaves them
 * out for an object type that only a plain list argument holds unless a plain object argument comes before it in
 * name order (a flag that runs on from one property to the next): `tolerations` got `TolerationArgs` after
 * `resources`, `allowFrom` got none, and the generated SDK referred to `NetworkPeerArgs` all the same.
 */
export function withGoInputTypes(schema: string): string {
    const parsed = JSON.parse(schema) as { language?: Record<string, Record<string, unknown>> };
    parsed.language = { ...parsed.language, go: { ...parsed.language?.go, generateExtraInputTypes: true } };
    return JSON.stringify(parsed);
}

type ComponentClass = ConstructorParameters<typeof ComponentProvider>[0]["components"][number];

/** The provider of `components` and of the thin resources they declare. */
export function componentPackageProvider(components: ComponentClass[]): pulumi.provider.Provider {
    const provider = new ComponentProvider({ name: PACKAGE, version: VERSION, dirname: SCHEMA_SOURCES, components });
    return {
        version: provider.version,
        getSchema: async () => withGoInputTypes(withSecretsMarked(await provider.getSchema(), `${PACKAGE}:index:RedisStack`)),
        construct: (name, type, inputs, options) => provider.construct(name, type, inputs, options),
        ...thinResourceOperations(),
    };
}

/** Serves `components` to the engine whose address is among `args` (what the engine passes a plugin). */
export async function servePlugin(components: ComponentClass[], args: string[]): Promise<void> {
    serveFromPlugin(PACKAGE);
    await pulumi.provider.main(componentPackageProvider(components), args);
}
