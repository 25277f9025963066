// The program: reads the stack's `redis-stack:` config, declares one RedisStack from it and exports its outputs.
// Its objects keep the names this program always gave them (`<project>-<stack>-...`, unless
// redis-stack:namePrefix says otherwise), so a stack made before RedisStack existed is taken over in place.
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "./components/stack/programConfig";
import { RedisStack, outputsOf } from "./components/stack/redisStack";

export = () => {
    const { args } = readStackConfig();
    const stack = new RedisStack(pulumi.getProject(), { namePrefix: `${pulumi.getProject()}-${pulumi.getStack()}`, ...args });
    return outputsOf(stack);
};
