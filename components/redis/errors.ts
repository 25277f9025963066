// Errors that keep their message inside the dynamic providers. Pulumi serializes the providers' code
// into the state, and its closure serializer rewrites a class's `super(message)` into
// `Error.call(this, message)`: that sets no message and leaves the class outside Error's prototype
// chain, so a provider threw an object with no message and Pulumi printed "error: undefined".

/**
 * Called last in the constructor of every Error subclass that provider code throws: where the class
 * was serialized, puts it back on Error's prototype chain and sets the message and stack super() did not.
 */
export function repairError(self: Error, message: string): void {
    if (self instanceof Error && self.message === message) return;
    if (!(self instanceof Error)) Object.setPrototypeOf(Object.getPrototypeOf(self), Error.prototype);
    Object.defineProperty(self, "message", { value: message, writable: true, configurable: true, enumerable: false });
    Error.captureStackTrace(self, self.constructor);
}

/**
 * A rejection's message, never empty. An object without one is named by its type only: its fields
 * (a command's arguments, say) may hold a password.
 */
export function messageOf(err: unknown): string {
    const message = (err as { message?: unknown } | null | undefined)?.message;
    if (typeof message === "string" && message !== "") return message;
    if (typeof err === "string" && err !== "") return err;
    if (err === null || typeof err !== "object") return `a rejection with ${err === "" ? "an empty string" : String(err)} and no message`;
    const name = (err as { name?: unknown }).name;
    return `${typeof name === "string" && name !== "" ? name : "an object"} without a message`;
}

/** The rejection as an Error whose message starts with what failed: what provider methods throw. */
export function failure(what: string, err: unknown): Error {
    return new Error(`${what}: ${messageOf(err)}`);
}
