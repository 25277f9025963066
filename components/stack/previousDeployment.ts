// Whether the stack running this program had been deployed before this run, read from its own last outputs
// through a stack reference to itself (Pulumi reads the last finished update; a stack that never ran has none).
// For the `docker` runtime, whose objects no resource of ours checks: see ./stackOwner.ts deployedBefore.
import * as pulumi from "@pulumi/pulumi";

/** The stack's organization: a DIY backend's (file://, s3://) is "organization", where an older host passes none. */
function organization(): string {
    try {
        return pulumi.getOrganization();
    } catch {
        return "organization";
    }
}

export function deployedBefore(name: string, opts: pulumi.CustomResourceOptions): pulumi.Output<boolean> {
    const self = `${organization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    const reference = new pulumi.StackReference(name, { name: self }, opts);
    // A program that exports nothing reads as never deployed: such an earlier release's objects are refused, not taken.
    return reference.outputs.apply((outputs) => Object.keys(outputs ?? {}).length > 0);
}
