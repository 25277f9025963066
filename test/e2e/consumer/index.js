// A user's Pulumi program in plain JavaScript, outside this repository, with redis-stack installed from its
// npm tarball (test/e2e/consumerPackage.test.ts copies it into a temporary directory): two RedisStacks side
// by side, a cache and a queue, each on ports and a network of its own (stack config `cache` and `queue`).
"use strict";
const pulumi = require("@pulumi/pulumi");
const { RedisStack } = require("redis-stack");

const config = new pulumi.Config();
const image = config.require("image");
const cache = new RedisStack("cache", { image, ...config.requireObject("cache") });
const queue = new RedisStack("queue", { image, ...config.requireObject("queue") });

module.exports = {
    cacheSeeds: cache.clusterSeeds,
    cacheStandaloneUrl: cache.standaloneUrl,
    queueSeeds: queue.clusterSeeds,
    queueStandaloneUrl: queue.standaloneUrl,
    // The TypeScript tooling (compiler, ts-node, swc) this program's process had loaded once both clusters
    // were formed: none, for a package that ships JavaScript.
    typescriptModules: pulumi
        .all([cache.clusterSeeds, queue.clusterSeeds])
        .apply(() => Object.keys(require.cache).filter((file) => /[\\/](typescript|ts-node|@swc)[\\/]/.test(file))),
};
