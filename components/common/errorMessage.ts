// What a rejection says, for any layer (the runtime, the Redis layer, providers, scripts): a promise may
// reject with anything, and `err instanceof Error ? err.message : String(err)` turns an Error with an
// empty message into "" and an object into "[object Object]". Pulumi prints a provider rejection that
// is not an Error, or has no message, as "error: undefined".

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
