// Errors that provider methods throw: they say what failed, then why (it once said "error: undefined"
// for every error class of ours, when the providers' code was closure-serialized into the state, which
// rewrote `super(message)`).
import { messageOf } from "../common/errorMessage";

/** The rejection as an Error whose message starts with what failed: what provider methods throw. */
export function failure(what: string, err: unknown): Error {
    return new Error(`${what}: ${messageOf(err)}`);
}
