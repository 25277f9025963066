// Pure: who redis-server runs as in a node's container, and how the stack's files and data are handed to it.
// Never root: uid and gid 999, the `redis` user of the official Redis and Valkey images and of the local
// builds (scripts/lib/redis-image.sh). The official images' entrypoint would drop from root to it anyway; run
// as it from the start, a node needs no capability at all.
import { DATA_DIR } from "./topology";

export const NODE_UID = 999;
export const NODE_GID = 999;
/** Docker's `User` of a node's container. */
export const NODE_USER = `${NODE_UID}:${NODE_GID}`;

/** The stack's files in a node's container (auth, settings, TLS): the node's user's, readable by it alone. */
export const NODE_FILE_MODE = 0o400;

/**
 * Hands a node's data to its user: an earlier release ran redis-server as root in the local images, whose
 * data files are root's. Run as root with CHOWN alone (and DAC_READ_SEARCH to walk directories of any
 * mode) before the node starts; a no-op on data that is the user's already.
 */
export const DATA_OWNER_COMMAND: readonly string[] = ["chown", "-R", NODE_USER, DATA_DIR];
export const DATA_OWNER_CAPABILITIES: readonly string[] = ["CHOWN", "DAC_READ_SEARCH"];
