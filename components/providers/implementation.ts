// The provider-process side of a thin dynamic resource: what every implementation module's `provider`
// is wrapped in. Imports nothing at run time but small modules of its own and the node contracts, so
// loading it costs nothing.
import type * as pulumi from "@pulumi/pulumi";
import { readingOnly } from "../contracts/nodeAccess";
import { messageOf } from "../common/errorMessage";
import { withNodeAccess } from "./nodeAccess";

/** Pulumi's property for the serialized provider (pulumi.dynamic.Resource uses the same). */
export const PROVIDER_KEY = "__provider";

type Props = Record<string, unknown>;

/** What `preview` and `refresh` run: these never change a node (their connections only read). */
const READ_ONLY_METHODS: ReadonlySet<string> = new Set(["check", "diff", "read"]);

/**
 * Pulumi prints a rejection that is not an Error as "error: undefined". An object's fields are not
 * written out: they may hold a password (see messageOf).
 */
function asError(err: unknown, what: string): Error {
    if (err instanceof Error) return err;
    return new Error(`${what}: ${messageOf(err)}`);
}

/** JSON with sorted keys: the engine may hand back objects in another key order than the program built them. */
export function canonical(value: unknown): string {
    return (
        JSON.stringify(value, (_key, v: unknown) =>
            v && typeof v === "object" && !Array.isArray(v)
                ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
                : v,
        ) ?? ""
    );
}

/**
 * The provider every implementation module exports: its methods, with any rejection turned into an
 * Error; check, diff and read run read-only (../contracts/nodeAccess.ts readingOnly: what preview and
 * refresh run never writes to a node); and one rule for resources still carrying an older provider in
 * the state (a serialized closure from before thin providers): their diff reports a change, so the next
 * `up` runs `update` (which changes nothing that is already as declared) and the state then records the
 * current provider text.
 */
export function implementation(name: string, methods: pulumi.dynamic.ResourceProvider): pulumi.dynamic.ResourceProvider {
    const guarded =
        <A extends unknown[], R>(method: string, fn: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
            const run = () => withNodeAccess(args, () => fn(...args));
            try {
                return await (READ_ONLY_METHODS.has(method) ? readingOnly(run) : run());
            } catch (err) {
                throw asError(err, `${name} ${method}`);
            }
        };
    const provider: pulumi.dynamic.ResourceProvider = { create: guarded("create", methods.create) };
    if (methods.check) provider.check = guarded("check", methods.check);
    if (methods.read) provider.read = guarded("read", methods.read);
    if (methods.update) provider.update = guarded("update", methods.update);
    if (methods.delete) provider.delete = guarded("delete", methods.delete);
    if (methods.diff) {
        const diff = methods.diff;
        provider.diff = guarded("diff", async (id: string, olds: Props, news: Props) => {
            const result = await diff(id, olds, news);
            const stale = olds[PROVIDER_KEY] !== undefined && olds[PROVIDER_KEY] !== news[PROVIDER_KEY];
            return stale && !result.changes ? { ...result, changes: true } : result;
        });
    }
    return provider;
}

/**
 * A `check` result: the inputs, or the message of an error `refused` recognises (a refusal of the input) as a check
 * failure, which Pulumi prints as it is; for a thrown error, Pulumi's provider host logs its stack trace too.
 */
export async function checked<T>(
    inputs: T,
    run: () => Promise<unknown>,
    refused: (err: unknown) => boolean,
): Promise<{ inputs: T; failures?: pulumi.dynamic.CheckFailure[] }> {
    try {
        await run();
        return { inputs };
    } catch (err) {
        if (!refused(err)) throw err;
        return { inputs, failures: [{ property: "", reason: messageOf(err) }] };
    }
}
