// Composition only: read config, build the components, export what services consume.
import * as pulumi from "@pulumi/pulumi";
import { clusterNodeOutputs } from "./components/outputs";
import { RedisCluster } from "./components/redisCluster";
import { RedisStandalone } from "./components/redisStandalone";
import { readStackConfig } from "./components/stackConfig";
import { buildTopology } from "./components/topology";

const { settings, password } = readStackConfig();
const topology = buildTopology(settings, `${pulumi.getProject()}-${pulumi.getStack()}`);

const cluster = new RedisCluster("cluster", { topology, runtime: settings.runtime, password, check: settings.clusterCheck });
const standalone = new RedisStandalone("standalone", {
    node: topology.standalone,
    image: topology.image,
    runtime: settings.runtime,
    password,
    ...(topology.network ? { network: { name: cluster.networkName, id: cluster.networkId } } : {}),
});

/** Cluster seeds at the announced address: from the Docker host (Linux) and from the stack's network. */
export const clusterSeeds = cluster.seeds;
/** `127.0.0.1` seeds for hosts that cannot reach the announced address; use them with `natMap`. */
export const loopbackSeeds = cluster.loopbackSeeds;
/** Every node's name, id, role, announced and host addresses, master and slot ranges. */
export const clusterNodes = cluster.nodes.apply((states) => clusterNodeOutputs(topology, states));
/** ioredis Cluster `natMap` (announced -> loopback address), to go with `loopbackSeeds`. */
export const natMap = cluster.natMap;
/** Address nodes announce; reachable from the host and from containers on `network`. */
export const announceHost = cluster.announceHost;
/** Docker network to attach service containers to (empty in host mode). */
export const network = cluster.networkName;
/** `redis-cli --cluster check` report. */
export const clusterCheck = cluster.checkReport;
export const standaloneHost = standalone.host;
export const standalonePort = standalone.port;
export const standaloneUrl = standalone.url;
export const standaloneLoopbackUrl = standalone.loopbackUrl;
/** The password (secret), absent when none is set. */
export const redisPassword = password;
