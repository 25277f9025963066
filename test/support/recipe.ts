// The keys of the hand-run recipe this project replaces: `redis-cli -c` set foo, hello and weather,
// which live on three different masters of the default 3-master cluster.
export const RECIPE_KEYS: ReadonlyArray<[string, string]> = [
    ["foo", "bar"],
    ["hello", "world"],
    ["weather", "nice"],
];
