// Pure: the shapes of Kubernetes names and label text as the API server checks them, so a bad one is
// refused at preview, before anything is created, not by the API server halfway through an `up`.

/** A DNS-1123 label: namespaces. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A DNS-1123 subdomain: storage and priority classes, Secrets. */
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The name part of a label or annotation key, and a non-empty label value: at most 63 characters. */
const NAME_PART = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A label or annotation key: `name` or `prefix/name`, the prefix a DNS subdomain. */
export function isQualifiedName(key: string): boolean {
    const slash = key.lastIndexOf("/");
    if (slash === -1) return NAME_PART.test(key);
    return DNS_SUBDOMAIN.test(key.slice(0, slash)) && NAME_PART.test(key.slice(slash + 1));
}

/** A label value: empty, or up to 63 letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit. */
export function isLabelValue(value: string): boolean {
    return value === "" || NAME_PART.test(value);
}

export const QUALIFIED_NAME_ALLOWED =
    "a Kubernetes label key: a name of up to 63 letters, digits, '-', '_' or '.' (starting and ending with a letter or digit), optionally after a DNS prefix and '/', such as example.com/team";
export const LABEL_VALUE_ALLOWED =
    "a Kubernetes label value: empty, or up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

/** A JSON map or list as Pulumi config gives one (object-valued keys arrive as their JSON text); undefined when it does not parse. */
export function parseJson(raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        return undefined;
    }
}

/** One entry of a list-valued setting, checked: its value where it is valid, and its problems. */
export interface CheckedEntry<T> {
    readonly value?: T;
    readonly problems: string[];
}

/**
 * A list-valued setting (JSON, as Pulumi gives one; unset, empty or `[]` is no entry): every entry checked by
 * `check` under its name `key[index]`, and every problem of every entry at once.
 */
export function parseJsonList<T>(
    key: string,
    raw: string | undefined,
    allowed: string,
    check: (where: string, given: unknown) => CheckedEntry<T>,
): { values: T[]; problems: string[] } {
    if (raw === undefined || raw.trim() === "" || raw.trim() === "[]") return { values: [], problems: [] };
    const parsed = parseJson(raw);
    if (!Array.isArray(parsed)) return { values: [], problems: [`${key}: got ${JSON.stringify(raw)}; allowed: ${allowed}`] };
    const checked = parsed.map((given, index) => check(`${key}[${index}]`, given));
    return { values: checked.flatMap((c) => (c.value !== undefined ? [c.value] : [])), problems: checked.flatMap((c) => c.problems) };
}

/**
 * An entry of a list that must be an object with only the `known` fields: its fields, or (not an object) none,
 * and a problem per field it should not have or for not being an object (`what`: the entry as an example).
 */
export function objectEntry(
    where: string,
    given: unknown,
    known: readonly string[],
    what: string,
): { fields?: Record<string, unknown>; problems: string[] } {
    if (given === null || typeof given !== "object" || Array.isArray(given))
        return { problems: [`${where}: got ${JSON.stringify(given)}; allowed: ${what}`] };
    const fields = given as Record<string, unknown>;
    const problems = Object.keys(fields)
        .filter((name) => !known.includes(name))
        .map((name) => `${where}.${name}: got ${JSON.stringify(fields[name])}; allowed: the fields ${known.join(", ")}`);
    return { fields, problems };
}
