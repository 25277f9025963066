// Errors that stop the program with only their message, like every refusal before anything is created.
import * as pulumi from "@pulumi/pulumi";

/**
 * A pulumi.RunError without a stack. Pulumi prints a RunError's message alone anyway, but it also
 * formats the stack of any program error for its trace log, and with ts-node's source maps that took
 * about 25 s here (measured with a CPU profile of a `preview` that failed on bad config).
 */
export function programRefusal(message: string): pulumi.RunError {
    const error = new pulumi.RunError(message);
    error.stack = "";
    return error;
}

/**
 * `err`, with a message that stays as written. The SDK prefixes `error serializing property "<name>": ` to an
 * error's message each time the error passes through a resource's inputs (the same object, so that it is
 * reported once); a refusal that gates every registration of a component passes through many of them.
 */
export function withFixedMessage<E extends Error>(err: E): E {
    const message = err.message;
    Object.defineProperty(err, "message", { get: () => message, set: () => undefined, configurable: true });
    return err;
}
