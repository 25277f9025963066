// DataGuard's provider (loaded by module name in Pulumi's provider process): records where the stack's data
// lives; its diff refuses, at preview and at up, a change that would delete that data, unless the stack allows it.
import type * as pulumi from "@pulumi/pulumi";
import { canonical, implementation } from "../providers/implementation";
import { type DataGuardArgs } from "./dataGuard";
import { dataLossProblems } from "./dataIdentity";

export const provider: pulumi.dynamic.ResourceProvider = implementation("DataGuard", {
    async create(inputs: DataGuardArgs) {
        return { id: "data", outs: inputs };
    },
    async read(id: string, props: DataGuardArgs) {
        return { id, props };
    },
    async diff(_id: string, olds: DataGuardArgs, news: DataGuardArgs) {
        const problems = dataLossProblems(olds.identity, news.identity);
        if (problems.length > 0 && !news.allowDataReplacement) {
            throw new Error(`this change would delete the stack's data:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        }
        return { changes: canonical(olds) !== canonical(news), replaces: [], deleteBeforeReplace: false };
    },
    async update(_id: string, _olds: DataGuardArgs, news: DataGuardArgs) {
        return { outs: news };
    },
    async delete() {
        // Nothing of it exists outside the state.
    },
});
