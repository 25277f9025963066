// Pure: a backup schedule (`backupSchedule`) as cron reads it: one that a Kubernetes CronJob and the Docker
// runner (croner) read alike, in UTC.
import { Cron } from "croner";
import { messageOf } from "../common/errorMessage";

// The macros and the five fields a Kubernetes CronJob takes (robfig/cron's standard parser). croner reads more
// (seconds, L, W, #, ?), which a CronJob would refuse: the same schedule must mean the same on every runtime.
export const BACKUP_MACROS: readonly string[] = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const NUMERIC_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC";
const DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT";
const named = (names: string) => {
    const item = `(\\*|(\\d+|${names})(-(\\d+|${names}))?)(\\/\\d+)?`;
    return new RegExp(`^${item}(,${item})*$`, "i");
};
const FIELDS: readonly { name: string; pattern: RegExp }[] = [
    { name: "minute", pattern: NUMERIC_FIELD },
    { name: "hour", pattern: NUMERIC_FIELD },
    { name: "day of month", pattern: NUMERIC_FIELD },
    { name: "month", pattern: named(MONTHS) },
    { name: "day of week", pattern: named(DAYS) },
];

/** The parsed schedule (UTC), or why it is not one. */
function parsed(schedule: string): { cron: Cron } | { problem: string } {
    const text = schedule.trim();
    if (!text.startsWith("@")) {
        const fields = text.split(/\s+/);
        if (fields.length !== FIELDS.length) return { problem: `${fields.length} fields, not 5` };
        const bad = FIELDS.find((f, i) => !f.pattern.test(fields[i]));
        if (bad) return { problem: `its ${bad.name} field ${JSON.stringify(fields[FIELDS.indexOf(bad)])} is not one` };
    } else if (!BACKUP_MACROS.includes(text.toLowerCase())) return { problem: `${text} is not one of ${BACKUP_MACROS.join(", ")}` };
    try {
        return { cron: new Cron(text.toLowerCase().startsWith("@") ? text.toLowerCase() : text, { paused: true, timezone: "UTC" }) };
    } catch (err) {
        return { problem: messageOf(err) };
    }
}

/** Why `schedule` cannot be a backup schedule (undefined: it can): five cron fields or a macro, UTC, that runs at some time. */
export function scheduleProblem(schedule: string): string | undefined {
    const result = parsed(schedule);
    if ("problem" in result) return result.problem;
    if (result.cron.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) return "it never runs";
    return undefined;
}

/** The next `count` times `schedule` runs after `from` (UTC). */
export function nextRuns(schedule: string, from: Date, count: number): Date[] {
    const result = parsed(schedule);
    if ("problem" in result) throw new Error(`backupSchedule ${JSON.stringify(schedule)}: ${result.problem}`);
    return result.cron.nextRuns(count, from);
}
