// The program: reads the stack's `redis-stack:` config, declares one RedisStack from it and exports its outputs.
// Its objects keep the names this program always gave them (`<project>-<stack>-...`), so a stack made before
// RedisStack existed is taken over in place.
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "./components/stackConfig";
import { RedisStack, outputsOf } from "./components/stack/redisStack";

export = () => {
    const { args } = readStackConfig();
    const stack = new RedisStack(pulumi.getProject(), { ...args, namePrefix: `${pulumi.getProject()}-${pulumi.getStack()}` });
    return outputsOf(stack);
};
