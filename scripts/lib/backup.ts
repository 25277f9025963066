// `npm run backup`: a backup of a running stack (STACK, default dev) into a new directory under BACKUP_DIR
// (default .redis-stack/backups/<name prefix>, gitignored, where its final backup goes too): an RDB per master and of the standalone node, and
// manifest.json (components/backup/). It reads where the nodes are, the password and the TLS client files from
// the stack's outputs, so it reaches the nodes as the program does (on Kubernetes: access direct). Prints the
// backup's directory as its last line.
// Usage: node -r ./scripts/lib/swc-register.cjs scripts/lib/backup.ts <stack> [parent dir]   (scripts/backup.sh)
import { execFileSync } from "child_process";
import * as path from "path";
import { type BackupTarget, type StackNode, takeBackup } from "../../components/backup/takeBackup";
import { defaultBackupDir } from "../../components/stack/stackBackup";
import { snapshotRecords } from "../../components/backup/backupPlan";
import { messageOf } from "../../components/common/errorMessage";

interface Outputs {
    readonly clusterNodes?: { name: string; address: string; hostAddress: string }[];
    readonly standaloneLoopbackUrl?: string;
    readonly standaloneUrl?: string;
    readonly redisPassword?: string;
    readonly tlsCaCert?: string;
    readonly tlsClientCert?: string;
    readonly tlsClientKey?: string;
}

const hostPort = (address: string) => {
    const at = address.lastIndexOf(":");
    return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
};

/** Pure: what the backup needs from a stack's outputs. */
export function backupTarget(stack: string, outputs: Outputs): BackupTarget {
    if (!outputs.clusterNodes || outputs.clusterNodes.length === 0)
        throw new Error(`stack ${stack} has no clusterNodes output: run npm run up (STACK=${stack}) first`);
    const clusterNodes: StackNode[] = outputs.clusterNodes.map((n) => ({ name: n.name, announced: n.address, ...hostPort(n.hostAddress) }));
    const url = outputs.standaloneLoopbackUrl || outputs.standaloneUrl;
    // Named as the stack names its standalone node: the cluster nodes' prefix, `-standalone`.
    const prefix = clusterNodes[0].name.replace(/-node-\d+$/, "");
    const standalone = url ? { name: `${prefix}-standalone`, announced: "", ...hostPort(new URL(url).host) } : undefined;
    const tls =
        outputs.tlsCaCert && outputs.tlsClientCert && outputs.tlsClientKey
            ? { ca: outputs.tlsCaCert, cert: outputs.tlsClientCert, key: outputs.tlsClientKey }
            : undefined;
    // The stack as the manifest names it: its name prefix, as the stack's own final backup does.
    return {
        stack: prefix,
        clusterNodes,
        ...(standalone ? { standalone } : {}),
        ...(outputs.redisPassword ? { password: outputs.redisPassword } : {}),
        ...(tls ? { tls } : {}),
    };
}

async function main(): Promise<void> {
    const [stack, dir] = process.argv.slice(2);
    if (!stack) throw new Error("usage: backup.ts <stack> [parent directory]");
    // The CLI's own output of the stack, secrets shown to this process alone (never printed).
    const text = execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    const target = backupTarget(stack, JSON.parse(text) as Outputs);
    const started = Date.now();
    const parent = dir ? path.resolve(dir) : defaultBackupDir(target.stack);
    const { dir: taken, manifest } = await takeBackup(target, parent);
    const files = snapshotRecords(manifest);
    const bytes = files.reduce((n, f) => n + f.bytes, 0);
    for (const f of files)
        console.error(
            `[backup] ${f.node}${f.slots ? ` (slots ${f.slots.join(",")})` : ""}: ${f.file}, ${f.bytes} bytes, Redis ${f.redisVersion}`,
        );
    console.error(`[backup] ${files.length} snapshots, ${bytes} bytes, in ${Date.now() - started} ms`);
    console.log(taken);
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(`[backup] failed: ${messageOf(err)}`);
        process.exit(1);
    });
}
