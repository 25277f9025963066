// Where a stack's data lives, and the changes that would delete it outside destroy (pure rules).
import { strict as assert } from "assert";
import { dataIdentity, dataLossProblems } from "../../components/stack/dataIdentity";

describe("changes that would delete a stack's data", () => {
    const docker = (prefix: string) => dataIdentity("engine", prefix, "", "");
    const kube = (namespace: string, storageClass = "") => dataIdentity("kubernetes", "p-s", namespace, storageClass);

    it("finds none when the volumes' names, the namespace and the storage class stay", () => {
        assert.deepEqual(dataLossProblems(docker("redis-stack-dev"), docker("redis-stack-dev")), []);
        assert.deepEqual(dataLossProblems(dataIdentity("docker", "x", "", ""), dataIdentity("engine", "x", "", "")), []);
        assert.deepEqual(dataLossProblems(kube("redis", "local"), kube("redis", "local")), []);
    });

    it("names namePrefix when the volumes would be renamed (a renamed stack), with the old prefix that keeps the data", () => {
        const [problem, ...rest] = dataLossProblems(docker("redis-stack-dev"), docker("redis-stack-prod"));
        assert.deepEqual(rest, []);
        assert.match(problem, /^namePrefix: the data volumes are named after "redis-stack-dev" and this change \(a renamed stack/);
        assert.match(problem, /To keep the data, set namePrefix to "redis-stack-dev" \(redis-stack:namePrefix\)/);
        assert.match(problem, /set allowDataReplacement true for that up/);
    });

    it("names namespace and storageClass on Kubernetes, and runtime when the data would stay behind", () => {
        const problems = dataLossProblems(kube("redis"), kube("redis-2", "fast"));
        assert.equal(problems.length, 2);
        assert.match(problems[0], /^namespace: got "redis-2", but the data claims are in "redis"/);
        assert.match(problems[1], /^storageClass: got "fast" for claims of the cluster's default: a claim's class cannot change/);
        assert.match(
            dataLossProblems(docker("p-s"), kube("p-s"))[0],
            /^runtime: the data is on Docker volumes, which a stack on Kubernetes cannot use/,
        );
    });
});
