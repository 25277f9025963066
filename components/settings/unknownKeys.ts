// Pure: config keys the stack does not know, each with the likely typo it is of.
import { CONFIG_KEYS } from "./config";

/**
 * Edit distance with adjacent transpositions (optimal string alignment), ignoring case: `mastrs` ->
 * `masters` is 1, `replicaspermaster` -> `replicasPerMaster` is 0.
 */
export function editDistance(a: string, b: string): number {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array<number>(y.length).fill(0)]);
    for (let j = 1; j <= y.length; j++) d[0][j] = j;
    for (let i = 1; i <= x.length; i++) {
        for (let j = 1; j <= y.length; j++) {
            const cost = x[i - 1] === y[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[x.length][y.length];
}

/** The known key closest to `key`, if one is close enough to be a likely typo (a third of its letters, at least 2). */
export function closestKey(key: string, known: readonly string[] = CONFIG_KEYS): string | undefined {
    let best: { key: string; distance: number } | undefined;
    for (const candidate of known) {
        const distance = editDistance(key, candidate);
        if (!best || distance < best.distance) best = { key: candidate, distance };
    }
    return best && best.distance <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

/**
 * One problem per config key of the namespace that the stack does not know (a typo, or a setting it
 * does not have), with the closest known key or else the list of them. Values are never repeated:
 * an unknown key may hold a secret.
 */
export function unknownKeyProblems(keys: readonly string[], known: readonly string[] = CONFIG_KEYS): string[] {
    return keys
        .filter((key) => !known.includes(key))
        .map((key) => {
            const suggestion = closestKey(key, known);
            return suggestion !== undefined
                ? `\`${key}\`: unknown setting; did you mean \`${suggestion}\`?`
                : `\`${key}\`: unknown setting; known settings: ${known.join(", ")}`;
        });
}
