// Dynamic resources whose provider, as stored in the state, is one line that loads the implementation
// by module name. Pulumi keeps a dynamic resource's serialized provider in its inputs and outputs and
// runs the stored copy for `refresh` and `destroy`; a closure-serialized provider carried every module
// it touched (about 46 KB per resource, twice) and kept old code alive in old resources. Here the state
// holds no code of ours, and a fix reaches existing resources on their next operation.
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_KEY } from "./implementation";

/**
 * The provider text for an implementation module. Pulumi's provider process (require-from-string) runs
 * it with `require` resolving from its working directory, the project's; the name is a self-reference of
 * this package (package.json `exports`), so the text holds no path of this machine and a clone elsewhere
 * works. Written out by hand, not serialized, so it is the same on every machine and Node version.
 */
export function providerText(implementation: string): string {
    const load = `require("module").createRequire(require("path").resolve("package.json"))("redis-stack/providers/load")`;
    return `exports.handler = () => ${load}.load(${JSON.stringify(implementation)});\n`;
}

/** The implementation module a provider text (above) names: how a plugin serving the resources finds it. */
export function implementationOf(text: string): string {
    const named = /\.load\(("(?:[^"\\]|\\.)*")\);\n$/.exec(text);
    if (!named) throw new Error(`not a provider text of redis-stack: ${JSON.stringify(text.slice(0, 200))}`);
    return JSON.parse(named[1]) as string;
}

/**
 * The package whose plugin serves these resources' operations itself, when the component runs inside that
 * plugin (a program of another language declared it, plugin/index.ts): there Pulumi would start its Node.js
 * dynamic-provider host in that program's directory, where neither @pulumi/pulumi nor this package can be
 * loaded (pulumi/pulumi#5455). Undefined in a Node.js program: Pulumi's dynamic-provider host runs them.
 */
let servingPlugin: string | undefined;

/** Declares the resources from now on as resources of `pkg`'s plugin (`<pkg>:index:<type>`), which serves them; undefined: as dynamic resources again. */
export function serveFromPlugin(pkg: string | undefined): void {
    servingPlugin = pkg;
}

/** The type token of a thin resource of `type`: Pulumi's dynamic-provider package, or the serving plugin's own. */
export function thinResourceType(type: string): string {
    return servingPlugin ? `${servingPlugin}:index:${type}` : `pulumi-nodejs:dynamic/redis-stack:${type}`;
}

/**
 * A resource of Pulumi's dynamic-provider package (`pulumi-nodejs:dynamic/redis-stack:<type>`), as
 * pulumi.dynamic.Resource makes them, with the provider text above instead of a serialized closure.
 * Inside the component package's plugin, the plugin's own resource instead (see serveFromPlugin), with
 * the same inputs and the same implementation.
 */
export abstract class ThinDynamicResource extends pulumi.CustomResource {
    protected constructor(implementation: string, type: string, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(thinResourceType(type), name, { ...props, [PROVIDER_KEY]: providerText(implementation) }, opts);
    }
}
