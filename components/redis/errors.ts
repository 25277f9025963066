// Messages for whatever a promise rejected with. Pulumi prints a provider rejection that is not an Error,
// or has no message, as "error: undefined" (it once did for every error class of ours, when the
// providers' code was closure-serialized into the state, which rewrote `super(message)`).

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
