// Imported first by index.ts: asks the engine for Pulumi's dynamic-provider process now, so it starts
// while the program loads its modules and checks the Docker host. The engine starts a provider on its
// first request, and that start (node, the Pulumi SDK, gRPC: about 0.8 s here) used to begin only at
// the first resource, after the preflight, on the critical path of every `up` and `preview` (measured
// on a stand-in program: a no-op `up` 0.55-1.0 s sooner). The request is an invoke of a function the
// dynamic provider does not have; its refusal is expected, prints nothing, and is dropped here.
import * as pulumi from "@pulumi/pulumi";

/** Settles (never rejects) once the engine has answered, by which time the provider process is up. */
export const dynamicProviderStarted: Promise<void> = pulumi.runtime.invoke("pulumi-nodejs:dynamic:start", {}).then(
    () => undefined,
    () => undefined,
);
