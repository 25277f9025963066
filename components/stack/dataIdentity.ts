// Pure: where a stack's data lives (the names its Docker volumes derive from; the namespace and storage class of its
// Kubernetes claims), and the changes to it that would delete that data outside `destroy`: a renamed stack or a new
// namePrefix (every volume renamed: replaced, delete first), a new namespace (the old one deleted with its claims), a
// new storage class (a claim's class cannot change: every claim replaced), another runtime (the data stays behind).
// Refused unless the stack says it starts with new data on purpose (`allowDataReplacement`).

export interface DataIdentity {
    readonly runtime: "docker-host" | "kubernetes";
    /** Docker: what every volume's name starts with. */
    readonly namePrefix?: string;
    /** Kubernetes: the namespace the claims are in, and their StorageClass ("": the cluster's default). */
    readonly namespace?: string;
    readonly storageClass?: string;
}

/** Where the data of a stack with these settings lives. */
export function dataIdentity(runtime: string, namePrefix: string, namespace: string, storageClass: string): DataIdentity {
    return runtime === "kubernetes" ? { runtime: "kubernetes", namespace, storageClass } : { runtime: "docker-host", namePrefix };
}

const HOW =
    "nothing was changed. To start with empty nodes on purpose (move the data first, e.g. with a snapshot), set " +
    "allowDataReplacement true for that up (redis-stack:allowDataReplacement), then unset it";

/** One problem per change from `before` to `after` that would delete the stack's data, each naming the setting. */
export function dataLossProblems(before: DataIdentity, after: DataIdentity): string[] {
    if (before.runtime !== after.runtime) {
        return [
            `runtime: the data is on ${before.runtime === "kubernetes" ? "Kubernetes claims" : "Docker volumes"}, which a stack on ` +
                `${after.runtime === "kubernetes" ? "Kubernetes" : "a Docker host"} cannot use: its nodes would start empty and the old ones be deleted; ${HOW}`,
        ];
    }
    const problems: string[] = [];
    if (before.namePrefix !== after.namePrefix) {
        problems.push(
            `namePrefix: the data volumes are named after "${before.namePrefix}" and this change (a renamed stack, or another ` +
                `namePrefix) names them after "${after.namePrefix}", which would delete every node's data volume and create empty ` +
                `ones. To keep the data, set namePrefix to "${before.namePrefix}" (redis-stack:namePrefix); ${HOW}`,
        );
    }
    if (before.namespace !== after.namespace) {
        problems.push(
            `namespace: got "${after.namespace}", but the data claims are in "${before.namespace}": a new namespace would replace ` +
                `every claim and delete the old namespace with its data. To keep the data, set namespace to "${before.namespace}"; ${HOW}`,
        );
    }
    if (before.storageClass !== after.storageClass) {
        const name = (c: string | undefined) => (c ? `"${c}"` : "the cluster's default");
        problems.push(
            `storageClass: got ${name(after.storageClass)} for claims of ${name(before.storageClass)}: a claim's class cannot change, ` +
                `so every claim would be replaced and its data deleted. To keep the data, set storageClass back; ${HOW}`,
        );
    }
    return problems;
}
