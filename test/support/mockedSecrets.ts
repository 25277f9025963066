// Secrets as `pulumi.runtime.setMocks` hands them to the resource-graph tests: wrapped in an object that
// carries Pulumi's secret signature. One place for reading them, and for finding what is not wrapped.
import * as pulumi from "@pulumi/pulumi";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a mocked input is a wrapped secret. */
export function isSecret(value: unknown): boolean {
    return Boolean(value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG);
}

/** The value of a secret as the mocks see it (wrapped), or undefined when it is not one. */
export function secretValue(value: unknown): unknown {
    return isSecret(value) ? (value as Record<string, unknown>).value : undefined;
}

/** Every plaintext string in a value, skipping what is wrapped as a secret. */
export function plaintextStrings(value: unknown, out: string[] = []): string[] {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach((v) => plaintextStrings(v, out));
    else if (value && typeof value === "object" && !isSecret(value))
        Object.values(value as Record<string, unknown>).forEach((v) => plaintextStrings(v, out));
    return out;
}

/** An output's value once the mocks have resolved it. */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) =>
        output.apply((v) => {
            resolve(v);
            return v;
        }),
    );
}

/**
 * The program's exports once every output has settled (the exports themselves, for outputValue), or the error
 * that stopped the program: a refusal in RedisStack's checks of the host or cluster fails every registration.
 * The mocks must give each resource the state its outputs are read from (a formation's `nodeStates`).
 */
export async function settledExports(exports: Record<string, unknown>): Promise<Record<string, unknown>> {
    // Output.promise() is the SDK's own way to await an output (internal, but stable in the SDKs this project pins).
    const promiseOf = (value: unknown) => (value as { promise(): Promise<unknown> }).promise();
    await Promise.all(
        Object.values(exports)
            .filter((v) => pulumi.Output.isInstance(v))
            .map(promiseOf),
    );
    return exports;
}
