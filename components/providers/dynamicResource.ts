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

/**
 * A resource of Pulumi's dynamic-provider package (`pulumi-nodejs:dynamic/redis-stack:<type>`), as
 * pulumi.dynamic.Resource makes them, with the provider text above instead of a serialized closure.
 */
export abstract class ThinDynamicResource extends pulumi.CustomResource {
    protected constructor(implementation: string, type: string, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(`pulumi-nodejs:dynamic/redis-stack:${type}`, name, { ...props, [PROVIDER_KEY]: providerText(implementation) }, opts);
    }
}
