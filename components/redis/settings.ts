// Passed-through Redis settings (redis-stack:redisConfig) on a running node: read them (CONFIG GET) for
// drift and for names the server does not know, and apply them in place (CONFIG SET) where Redis allows
// it at runtime. Used by both node lifecycles; no Pulumi.
import type { Redis as RedisClient } from "ioredis";
import type { SettingsApplied } from "../contracts/nodeLifecycle";
import { unknownSettingsMessage } from "../settings/redisSettings";
import { messageOf } from "../common/errorMessage";
import { DEFAULT_TIMEOUTS } from "../common/timeouts";
import { Endpoint, connectNode, maskSecrets } from "./connect";

async function withNode<T>(node: Endpoint, password: string | undefined, use: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = await connectNode(node, password, DEFAULT_TIMEOUTS.answerMs);
    try {
        return await use(client);
    } catch (err) {
        // eslint-disable-next-line preserve-caught-error -- a `cause` would carry the unmasked password
        throw new Error(`Redis settings on node ${node.name} at ${node.host}:${node.port}: ${maskSecrets(err, password)}`);
    } finally {
        client.disconnect();
    }
}

/** CONFIG GET of each name: its live value, or null when the server has no such setting. */
async function configGet(client: RedisClient, names: readonly string[]): Promise<Record<string, string | null>> {
    const live: Record<string, string | null> = {};
    for (const name of names) {
        // The reply is [name, value] pairs; a pattern could match several, an exact name at most one.
        const reply = (await client.call("CONFIG", "GET", name)) as string[];
        const at = reply.findIndex((entry, i) => i % 2 === 0 && entry === name);
        live[name] = at >= 0 ? String(reply[at + 1]) : null;
    }
    return live;
}

/** The live values of the settings (null: unknown to this server); undefined when the node does not answer. */
export async function readSettings(
    node: Endpoint,
    password: string | undefined,
    names: readonly string[],
): Promise<Record<string, string | null> | undefined> {
    if (names.length === 0) return {};
    let client: RedisClient;
    try {
        client = await connectNode(node, password, DEFAULT_TIMEOUTS.answerMs);
    } catch {
        return undefined;
    }
    try {
        return await configGet(client, names);
    } catch {
        return undefined;
    } finally {
        client.disconnect();
    }
}

/**
 * Applies the settings to the running node in one CONFIG SET (atomic since Redis 7: all or none). A
 * setting Redis takes only at start leaves everything as it was and asks for a restart; a name the
 * server does not know fails naming the node, before anything changes.
 */
export async function applySettings(
    node: Endpoint,
    password: string | undefined,
    set: Readonly<Record<string, string>>,
): Promise<SettingsApplied> {
    const names = Object.keys(set).sort();
    if (names.length === 0) return { applied: true, live: {} };
    return withNode(node, password, async (client) => {
        const unknown = unknownSettingsMessage(node.name, await configGet(client, names));
        if (unknown) throw new Error(unknown);
        try {
            await client.call("CONFIG", "SET", ...names.flatMap((name) => [name, set[name]]));
        } catch (err) {
            if (/immutable/i.test(messageOf(err))) return { applied: false, restart: names };
            throw err;
        }
        return { applied: true, live: (await configGet(client, names)) as Record<string, string> };
    });
}
