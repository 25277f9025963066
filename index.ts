// Composition only: read config, check the Docker host, build the components, export what services consume.
import * as pulumi from "@pulumi/pulumi";
import { clusterNodeOutputs } from "./components/outputs";
import { RedisCluster } from "./components/redisCluster";
import { RedisStandalone } from "./components/redisStandalone";
import { RedisUsers, nodeUserHashes } from "./components/redisUsers";
import { nodeUsers as nodeAclUsers } from "./components/aclUsers";
import { PreflightError, preflightHost } from "./components/runtime/preflight";
import { programRefusal } from "./components/runError";
import { readStackConfig } from "./components/stackConfig";
import { tlsAddressOutputs } from "./components/tls/outputs";
import { withTls } from "./components/tls/nodeTls";
import { stackTls } from "./components/tls/stackTls";
import { buildTopology } from "./components/topology";
import { kubernetesNamespace } from "./components/config";
import type { KubernetesTarget } from "./components/runtime";
import { portForwardCommand } from "./components/runtime/kubernetes/access";

export = async () => {
    const { settings, password, users: aclUsers, defaultUser, suppliedTls: supplied } = readStackConfig();
    const prefix = `${pulumi.getProject()}-${pulumi.getStack()}`;
    const topology = withTls(buildTopology(settings, prefix), settings);
    // Before any resource is declared: a taken port or an unreachable engine must not leave half a stack.
    await preflightHost(topology, prefix, settings.runtime).catch((err: unknown) => {
        throw err instanceof PreflightError ? programRefusal(err.message) : err;
    });

    const namespace = settings.namespace || kubernetesNamespace(prefix);
    if (settings.runtime === "kubernetes") {
        // Before any resource: no kubeconfig, an API server that does not answer, an unknown storage class or a namespace of someone else's.
        const problems = await (
            require("./components/runtime/kubernetes/preflight") as typeof import("./components/runtime/kubernetes/preflight")
        ).kubernetesPreflightProblems({ ...settings, namespace, stackPrefix: prefix });
        if (problems.length > 0) throw programRefusal(problems.join("\n"));
    }
    // Runtime kubernetes: one provider and namespace for both components (loaded only then).
    const kubernetes: KubernetesTarget | undefined =
        settings.runtime === "kubernetes"
            ? (
                  require("./components/runtime/kubernetes/target") as typeof import("./components/runtime/kubernetes/target")
              ).kubernetesTarget("kubernetes", { ...settings, namespace, stackPrefix: prefix })
            : undefined;

    // ACL users with generated passwords; nothing is declared for a stack without any.
    const users = aclUsers.length > 0 ? new RedisUsers("users", { users: aclUsers }) : undefined;
    const nodeUsers = users
        ? { rules: nodeAclUsers(users.users, defaultUser), passwordHashes: nodeUserHashes(users, defaultUser, password) }
        : undefined;
    // On Kubernetes a node's certificate names its Service's ClusterIP, known only once the Service exists.
    const nodeAddresses = settings.runtime === "kubernetes" ? "learnt" : "spec";
    const tls = settings.tls ? stackTls(supplied, topology, prefix, nodeAddresses) : undefined;
    const cluster = new RedisCluster("cluster", {
        topology,
        runtime: settings.runtime,
        password,
        users: nodeUsers,
        tls,
        check: settings.clusterCheck,
        kubernetes,
    });
    const standalone = new RedisStandalone("standalone", {
        node: topology.standalone,
        image: topology.image,
        runtime: settings.runtime,
        password,
        users: nodeUsers,
        tls,
        kubernetes,
        ...(topology.network ? { network: { name: cluster.networkName, id: cluster.networkId } } : {}),
    });

    // At the addresses the nodes announce: the specs' on Docker, the Services' ClusterIPs on Kubernetes.
    const tlsAddresses = pulumi
        .all([cluster.endpoints, standalone.endpoint])
        .apply(([clusterEndpoints, standaloneEndpoint]) => tlsAddressOutputs(clusterEndpoints, standaloneEndpoint, settings));

    return {
        /** Cluster seeds at the announced address: from the Docker host (Linux) and from the stack's network. */
        clusterSeeds: cluster.seeds,
        /** `127.0.0.1` seeds for hosts that cannot reach the announced address; use them with `natMap`. */
        loopbackSeeds: cluster.loopbackSeeds,
        /** Every node's name, id, role, announced and host addresses, master and slot ranges. */
        clusterNodes: pulumi
            .all([cluster.nodes, cluster.endpoints])
            .apply(([states, endpoints]) => clusterNodeOutputs(topology, states, endpoints)),
        /** ioredis Cluster `natMap` (announced -> loopback address), to go with `loopbackSeeds`. */
        natMap: cluster.natMap,
        /** Address nodes announce; reachable from the host and from containers on `network`. */
        announceHost: cluster.announceHost,
        /** Docker network to attach service containers to (empty in host mode). */
        network: cluster.networkName,
        /** `redis-cli --cluster check` report. */
        clusterCheck: cluster.checkReport,
        standaloneHost: standalone.host,
        standalonePort: standalone.port,
        standaloneUrl: standalone.url,
        standaloneLoopbackUrl: standalone.loopbackUrl,
        ...(kubernetes
            ? {
                  /** The stack's namespace; seeds and URLs are Service ClusterIPs, which any pod of the cluster reaches. */
                  namespace: kubernetes.namespace,
                  /** Every cluster node's Service, in node order, and the standalone node's. */
                  clusterServices: cluster.endpoints.apply((endpoints) => endpoints.map((e) => e.serviceName ?? "")),
                  standaloneService: standalone.endpoint.apply((e) => e.serviceName ?? ""),
                  /** From outside the cluster: a kubectl port-forward per node (one node each; a cluster client still follows MOVED to ClusterIPs). */
                  clusterPortForward: cluster.endpoints.apply((endpoints) =>
                      endpoints.map((e) => portForwardCommand(namespace, e.serviceName ?? "", e.announcePort)),
                  ),
                  standalonePortForward: standalone.endpoint.apply((e) =>
                      portForwardCommand(namespace, e.serviceName ?? "", e.announcePort),
                  ),
              }
            : {}),
        /** The password (secret), absent when none is set. */
        ...(password ? { redisPassword: password } : {}),
        /** Each ACL user's username and generated password (secret), absent without users. */
        ...(users ? { redisUsers: users.credentials } : {}),
        ...(tls
            ? {
                  /** The CA certificate to trust (PEM). */
                  tlsCaCert: tls.caCert,
                  /** The client certificate and key to present (PEM, secrets). */
                  tlsClientCert: tls.client.apply((c) => c.cert),
                  tlsClientKey: tls.client.apply((c) => c.key),
                  /** TLS seeds and rediss:// URLs; plain ones too with tlsPlainPort. */
                  clusterTlsSeeds: tlsAddresses.clusterTlsSeeds,
                  clusterTlsUrls: tlsAddresses.clusterTlsUrls,
                  standaloneTlsUrl: tlsAddresses.standaloneTlsUrl,
                  ...(settings.tlsPlainPort
                      ? { clusterPlainSeeds: tlsAddresses.clusterPlainSeeds, standalonePlainUrl: tlsAddresses.standalonePlainUrl }
                      : {}),
              }
            : {}),
    };
};
