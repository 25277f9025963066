// Pure: reads each raw setting (a string, as Pulumi config gives it) as its type, collecting one problem per
// bad value (the key, the value and what is allowed) rather than stopping at the first.

export class SettingReader {
    readonly problems: string[] = [];

    integer(key: string, raw: string | undefined, fallback: number, min: number, max: number): number {
        if (raw === undefined || raw.trim() === "") return fallback;
        const value = Number(raw.trim());
        if (!Number.isInteger(value) || value < min || value > max) {
            this.problems.push(`${key}: got ${JSON.stringify(raw)}; allowed: a whole number from ${min} to ${max}`);
            return fallback;
        }
        return value;
    }

    /** A string matching `pattern`; empty or unset gives the fallback. */
    matching(key: string, raw: string | undefined, fallback: string, pattern: RegExp, allowed: string): string {
        if (raw === undefined || raw.trim() === "") return fallback;
        const value = raw.trim();
        if (!pattern.test(value)) {
            this.problems.push(`${key}: got ${JSON.stringify(raw)}; allowed: ${allowed}`);
            return fallback;
        }
        return value;
    }

    oneOf<T extends string>(key: string, raw: string | undefined, fallback: T, allowed: readonly T[]): T {
        if (raw === undefined || raw.trim() === "") return fallback;
        const value = raw.trim() as T;
        if (!allowed.includes(value)) {
            this.problems.push(`${key}: got ${JSON.stringify(raw)}; allowed: ${allowed.join(" or ")}`);
            return fallback;
        }
        return value;
    }

    boolean(key: string, raw: string | undefined, fallback: boolean): boolean {
        if (raw === undefined || raw.trim() === "") return fallback;
        const value = raw.trim().toLowerCase();
        if (value === "true") return true;
        if (value === "false") return false;
        this.problems.push(`${key}: got ${JSON.stringify(raw)}; allowed: true or false`);
        return fallback;
    }

    /** A program name on the image's PATH or an absolute path: no spaces or shell characters (it goes into the health check's shell line). */
    program(key: string, raw: string | undefined, fallback: string): string {
        if (raw === undefined || raw.trim() === "") return fallback;
        const value = raw.trim();
        if (!/^(\/?[A-Za-z0-9_.-]+)+$/.test(value)) {
            this.problems.push(
                `${key}: got ${JSON.stringify(raw)}; allowed: a program name such as ${fallback}, or an absolute path to it in the image`,
            );
            return fallback;
        }
        return value;
    }
}
