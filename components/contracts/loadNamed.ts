// Node contract: loading, in Pulumi's provider process, a module that a resource's inputs name (its node
// lifecycle, its node access). The code that calls it imports nothing of the module it loads, so a runtime
// never imports Redis code, the providers never import a runtime, and a provider process loads only what
// its resources ask for. The names are stored in stacks' state: a module they name keeps that name (or
// the name keeps loading it; test/unit/storedModuleNames.test.ts lists every name ever stored).

/**
 * Export `exported` of `module`, a name this package resolves itself (such as
 * `redis-stack/components/redis/clusterNodeLifecycle`: components/providers/load.cjs loads the sources in a
 * checkout, the compiled modules in an installed package); throws, naming both, when the module lacks it.
 */
export function loadNamed<T>(module: string, exported: string): T {
    const { loadModule } = require("redis-stack/providers/load") as { loadModule: (name: string) => Record<string, unknown> };
    const loaded = loadModule(module)[exported];
    if (!loaded) throw new Error(`${module} exports no \`${exported}\``);
    return loaded as T;
}
