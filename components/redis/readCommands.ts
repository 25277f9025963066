// Pure: which commands a read-only connection sends (./connect.ts, in `preview` and `refresh`). A list of
// what reads, not of what writes: Redis flags neither ACL SETUSER nor CONFIG SET as `write` (they are
// `admin`), so only a command known to change nothing passes, and a new one has to be added here first.

/** Commands that change nothing, by name, for commands without subcommands. */
const READ_COMMANDS: ReadonlySet<string> = new Set(["auth", "dbsize", "echo", "info", "ping", "role", "time"]);

/** Subcommands that change nothing, as `command|subcommand` (Redis' own spelling in ACL rules). */
const READ_SUBCOMMANDS: ReadonlySet<string> = new Set([
    "acl|cat",
    "acl|dryrun",
    "acl|getuser",
    "acl|list",
    "acl|users",
    "acl|whoami",
    "cluster|countkeysinslot",
    "cluster|getkeysinslot",
    "cluster|info",
    "cluster|keyslot",
    "cluster|links",
    "cluster|myid",
    "cluster|nodes",
    "cluster|shards",
    "cluster|slots",
    "command|count",
    "command|docs",
    "command|info",
    "command|list",
    "config|get",
]);

/** Whether the command (as ioredis holds it: a name and its arguments) changes nothing on a node. */
export function isReadCommand(name: string, args: readonly unknown[]): boolean {
    const command = name.toLowerCase();
    if (READ_COMMANDS.has(command)) return true;
    const sub = args.length > 0 ? String(args[0]).toLowerCase() : "";
    return READ_SUBCOMMANDS.has(`${command}|${sub}`);
}

/** Commands whose first argument is a subcommand (the others' first argument may be a key or a password). */
const CONTAINER_COMMANDS: ReadonlySet<string> = new Set([
    "acl",
    "client",
    "cluster",
    "command",
    "config",
    "function",
    "latency",
    "memory",
    "module",
    "object",
    "script",
    "slowlog",
]);

/** `ACL SETUSER`, `SET`: how a command is named in a message (its name, and its subcommand where it has one; never an argument). */
export function commandName(name: string, args: readonly unknown[]): string {
    const command = name.toLowerCase();
    const sub = CONTAINER_COMMANDS.has(command) && args.length > 0 ? ` ${String(args[0]).toUpperCase()}` : "";
    return `${command.toUpperCase()}${sub}`;
}
