import { strict as assert } from "assert";
import { parseSettings } from "../../components/settings/config";
import { nextRuns, scheduleProblem } from "../../components/settings/cronSchedule";
import { backupsToRemove, newestBackup } from "../../components/backup/backupSchedule";
import { backupDirName } from "../../components/backup/backupPlan";

function settingProblems(raw: Record<string, string>, machine = {}): string[] {
    try {
        parseSettings(raw, "redis-stack", machine);
        return [];
    } catch (err) {
        return (err as { problems: string[] }).problems;
    }
}

describe("scheduled backups", () => {
    describe("the schedule", () => {
        it("takes five cron fields and the macros a Kubernetes CronJob takes, in UTC", () => {
            const from = new Date("2026-12-07T17:05:30Z");
            assert.deepEqual(
                nextRuns("0 3 * * *", from, 2).map((d) => d.toISOString()),
                ["2026-12-08T03:00:00.000Z", "2026-12-09T03:00:00.000Z"],
            );
            assert.deepEqual(
                nextRuns("*/20 * * * MON-FRI", from, 2).map((d) => d.toISOString()),
                ["2026-12-07T17:20:00.000Z", "2026-12-07T17:40:00.000Z"],
            );
            assert.deepEqual(
                nextRuns("@daily", from, 1).map((d) => d.toISOString()),
                ["2026-12-08T00:00:00.000Z"],
            );
            for (const ok of ["* * * * *", "15,45 1-5 * JAN,JUL SUN", "@hourly", "@weekly"])
                assert.equal(scheduleProblem(ok), undefined, ok);
        });

        it("refuses what a CronJob would not read the same (seconds, L, #, ?), a field out of range, and a schedule that never runs", () => {
            assert.equal(scheduleProblem("* * * * * *"), "6 fields, not 5");
            assert.equal(scheduleProblem("0 3 L * *"), 'its day of month field "L" is not one');
            assert.equal(scheduleProblem("0 3 * * 5#2"), 'its day of week field "5#2" is not one');
            assert.equal(scheduleProblem("0 3 ? * *"), 'its day of month field "?" is not one');
            assert.match(scheduleProblem("61 * * * *") ?? "", /minute/);
            assert.equal(scheduleProblem("0 0 30 2 *"), "it never runs");
            assert.match(scheduleProblem("@often") ?? "", /^@often is not one of @yearly/);
        });
    });

    describe("settings", () => {
        it("are off unless backupSchedule is set; with it, retention defaults to 7 and the image to this machine's build", () => {
            const off = parseSettings({}, "redis-stack", {});
            assert.deepEqual([off.backupSchedule, off.backupRetention, off.backupImage], ["", 7, ""]);
            const on = parseSettings({ backupSchedule: " @daily " }, "redis-stack", { backupImage: "redis-stack-local/backup:abc" });
            assert.deepEqual(
                [on.backupSchedule, on.backupRetention, on.backupImage, on.backupStorageSize],
                ["@daily", 7, "redis-stack-local/backup:abc", "1Gi"],
            );
        });

        it("refuse a bad schedule naming the setting and what is allowed, retention out of range, and a schedule without any image", () => {
            assert.deepEqual(settingProblems({ backupSchedule: "0 3 * * * *" }, { backupImage: "b:1" }), [
                'backupSchedule: got "0 3 * * * *" (6 fields, not 5); allowed: five cron fields (minute hour day-of-month month day-of-week, UTC) such as "0 3 * * *", or @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly (empty: none)',
            ]);
            assert.match(
                settingProblems({ backupSchedule: "@daily", backupRetention: "0" }, { backupImage: "b:1" })[0],
                /^backupRetention: got "0"/,
            );
            assert.deepEqual(settingProblems({ backupSchedule: "@daily" }), [
                "backupImage: got unset, and this machine has no backup image (.redis-stack/machine.json); allowed: an image reference of the runner (scripts/lib/backup-image.sh builds one; npm run setup records it)",
            ]);
        });

        it("refuse the schedule's other settings without a schedule, but not their defaults (Pulumi.yaml passes those)", () => {
            assert.deepEqual(settingProblems({ backupRetention: "3" }), [
                'backupRetention: got "3" without backupSchedule; allowed: unset, or a backupSchedule (it is a setting of scheduled backups)',
            ]);
            assert.deepEqual(settingProblems({ backupRetention: "7", backupStorageSize: "1Gi", backupImage: "" }), []);
            // backupStorageSize is Kubernetes' alone.
            assert.match(
                settingProblems({ backupSchedule: "@daily", backupStorageSize: "5Gi" }, { backupImage: "b:1" }).join("\n"),
                /backupStorageSize: got "5Gi"; allowed: unset with runtime engine/,
            );
        });
    });

    describe("retention", () => {
        const at = (iso: string) => backupDirName(new Date(iso));
        const entries = [
            { name: at("2026-12-01T03:00:00Z"), complete: true },
            { name: at("2026-12-02T03:00:00Z"), complete: false }, // cut short by a stopped runner
            { name: at("2026-12-03T03:00:00Z"), complete: true },
            { name: at("2026-12-04T03:00:00Z"), complete: true },
            { name: at("2026-12-05T03:00:00Z"), complete: false }, // still being taken
            { name: "notes", complete: false },
            { name: "20261130T030000Z-mine", complete: true },
        ];

        it("keeps the newest whole backups, removes older ones and unfinished ones older than the newest whole one, and nothing not named as a backup", () => {
            assert.deepEqual(backupsToRemove(entries, 2), ["20261201T030000Z", "20261202T030000Z"]);
            assert.deepEqual(backupsToRemove(entries, 1), ["20261201T030000Z", "20261202T030000Z", "20261203T030000Z"]);
            assert.deepEqual(backupsToRemove(entries, 10), ["20261202T030000Z"]);
            assert.deepEqual(backupsToRemove([{ name: at("2026-12-05T03:00:00Z"), complete: false }], 1), []);
        });

        it("names the newest whole backup", () => {
            assert.equal(newestBackup(entries), "20261204T030000Z");
            assert.equal(newestBackup([]), undefined);
        });
    });
});
