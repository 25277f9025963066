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

type ComponentClass = ConstructorParameters<typeof ComponentProvider>[0]["components"][number];

/** The provider of `components` and of the thin resources they declare. */
export function componentPackageProvider(components: ComponentClass[]): pulumi.provider.Provider {
    const provider = new ComponentProvider({ name: PACKAGE, version: VERSION, dirname: SCHEMA_SOURCES, components });
    return {
        version: provider.version,
        getSchema: () => provider.getSchema(),
        construct: (name, type, inputs, options) => provider.construct(name, type, inputs, options),
        ...thinResourceOperations(),
    };
}

/** Serves `components` to the engine whose address is among `args` (what the engine passes a plugin). */
export async function servePlugin(components: ComponentClass[], args: string[]): Promise<void> {
    serveFromPlugin(PACKAGE);
    await pulumi.provider.main(componentPackageProvider(components), args);
}
