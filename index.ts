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

/** Host-reachable `host:port` seeds for a cluster client. */
export const clusterSeeds = cluster.seeds;
/** Every node's name, id, role, announced and host addresses, master and slot ranges. */
export const clusterNodes = cluster.nodes.apply((states) => clusterNodeOutputs(topology, states));
/** ioredis Cluster `natMap` for clients on the Docker host. */
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
/** The password (secret), absent when none is set. */
export const redisPassword = password;
