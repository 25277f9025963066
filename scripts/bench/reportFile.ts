// Pure: where `npm run bench` puts its report in docs/BENCHMARKS.md. The report replaces only the part between
// two marker comments; the hand-written text before and after them (analysis, figures from other scripts and
// the e2e suites) is kept as it is.

export const GENERATED_START = "<!-- npm run bench: generated report -->";
export const GENERATED_END = "<!-- end of generated report -->";

/**
 * `existing` (the file's text, undefined when there is no file) with its generated part replaced by `report`.
 * A new file gets the markers around the report. Refuses a file whose markers are missing, repeated or out of
 * order, naming `file`: writing it whole would erase what was written by hand.
 */
export function withGeneratedReport(existing: string | undefined, report: string, file: string): string {
    const generated = `${GENERATED_START}\n\n${report.trim()}\n\n${GENERATED_END}`;
    if (existing === undefined) return `${generated}\n`;
    const count = (marker: string) => existing.split(marker).length - 1;
    const start = existing.indexOf(GENERATED_START);
    const end = existing.indexOf(GENERATED_END);
    if (count(GENERATED_START) !== 1 || count(GENERATED_END) !== 1 || end < start) {
        throw new Error(
            `${file} has no single generated part to replace (it needs the line ${GENERATED_START} once, and ` +
                `${GENERATED_END} once after it); add the two markers where the report goes, or set BENCH_OUT to a new file`,
        );
    }
    return existing.slice(0, start) + generated + existing.slice(end + GENERATED_END.length);
}
