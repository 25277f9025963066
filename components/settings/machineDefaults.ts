// This machine's defaults for settings a stack leaves unset, kept out of tracked files: scripts/setup.sh
// records in .redis-stack/machine.json (gitignored) the local images it built where the project's default
// images (Redis, the metrics exporter) cannot be pulled, and the backup runner's image it always builds, so
// every stack on this machine runs without a per-stack `redis-stack:image`, `metricsImage` or `backupImage`.
import * as fs from "fs";
import * as path from "path";
import { MachineDefaults } from "./config";
import { messageOf } from "../common/errorMessage";
import { programRefusal } from "../common/runError";

/** Where setup records this machine's choices: in the project directory. */
export const MACHINE_DEFAULTS_FILE = path.resolve(__dirname, "..", "..", ".redis-stack", "machine.json");

/** This machine's defaults: none when the file does not exist. A file that is there but unusable is refused. */
export function readMachineDefaults(file = MACHINE_DEFAULTS_FILE): MachineDefaults {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
        throw programRefusal(`${file}: cannot be read (${messageOf(err)})`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        parsed = undefined;
    }
    const record =
        typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    const keys = ["image", "metricsImage", "backupImage"] as const;
    if (record === undefined || keys.some((key) => record[key] !== undefined && typeof record[key] !== "string")) {
        throw programRefusal(
            `${file}: expected a JSON object such as {"image": "redis-stack-local/redis:7", "metricsImage": "redis-stack-local/redis-exporter:v1.97.0"}; fix it, or delete it and run npm run setup`,
        );
    }
    return Object.fromEntries(keys.filter((key) => typeof record[key] === "string").map((key) => [key, record[key] as string]));
}
