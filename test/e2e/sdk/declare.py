# Declares a RedisStack through the generated Python SDK under Pulumi's mocks (no engine, no Python language
# host: neither is served here) and prints, as JSON, the resources it registered. test/e2e/sdkGeneration.test.ts
# runs it with the SDK installed on PYTHONPATH and checks what it printed.
import json

import pulumi

registered = []


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        registered.append({"type": args.typ, "name": args.name, "inputs": args.inputs})
        return [args.name + "-id", args.inputs]

    def call(self, args):
        return {}


pulumi.runtime.set_mocks(Mocks(), preview=False)

import pulumi_redis_stack as redis_stack  # noqa: E402 (after the mocks, as Pulumi's mock tests import)


@pulumi.runtime.test
def declare():
    stack = redis_stack.RedisStack("cache", base_port=7000, replicas_per_master=1, network_mode=redis_stack.NetworkMode.BRIDGE, password="py-sdk-password")
    return stack.urn.apply(lambda urn: print(json.dumps({"urn": urn, "registered": registered})))


declare()
