// `kubernetes` runtime: the logical nodes as @pulumi/kubernetes resources in the stack's namespace (the specs
// come from ./manifests.ts). Per component: one Secret with the auth config file, one ConfigMap with
// the passed-through settings and one PodDisruptionBudget per shard; per node: a data claim, a Service
// (with externalAccess a second one, NodePort or LoadBalancer), a 1-replica StatefulSet and a NodePod
// (./nodePod.ts), which decides when the pod is replaced.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderSettingsFile } from "../../settings/redisSettings";
import { accountsOf } from "../../settings/aclUsers";
import { NodeSpec, authConfig } from "../../topology/topology";
import type { NodeContext, NodeEndpoint, NodeResources, RuntimeBackend } from "../backend";
import {
    AUTH_SECRET_KEY,
    SETTINGS_CONFIG_KEY,
    SKIP_AWAIT,
    claimSpec,
    disruptionBudgetSpec,
    objectName,
    podAuthConfig,
    podLabels,
    serviceSpec,
    serviceSubject,
    externalServiceAnnotations,
    externalServiceName,
    externalServiceSpec,
    loadBalancerAddress,
    stackLabels,
    inPlacePodLabels,
    replacingTemplate,
    statefulSetSpec,
    tlsDigest,
    tlsSecretName,
    TLS_SECRET_KEYS,
    PROBE_SOCKET,
} from "./manifests";
import type { NodeTls } from "../../tls/nodeTls";
import { KubernetesNodeUsers } from "./nodeUsers";
import { KubernetesUserRules } from "./userRules";
import { NodePassword } from "./nodePassword";
import type { KubernetesTarget } from "./target";
import { NodePod, templateDigest } from "./nodePod";
import { METRICS_SECRET_KEY, sidecarPasswordFile } from "./metricsSidecar";
import { kubernetesBackupRunner } from "./backupRunner";

/**
 * The runtime for one component: its Pulumi resources' names start with `component` (the component's own
 * name), the Kubernetes objects it has once per component with `objects` (`cluster` or `standalone`:
 * `cluster-auth`, `cluster-shard-0`; each stack has a namespace of its own, so these never change with the
 * component's name).
 */
export function kubernetesBackend(component: string, objects: string, target: KubernetesTarget): RuntimeBackend {
    const { provider, placement } = target;
    let authSecret: k8s.core.v1.Secret | undefined;
    let settingsMap: k8s.core.v1.ConfigMap | undefined;
    let metricsSecret: k8s.core.v1.Secret | undefined;
    const budgets = new Map<number, k8s.policy.v1.PodDisruptionBudget>();

    /**
     * One Secret per component: the auth config file (the settings include, the password if any, the ACL
     * users with their passwords' hashes only), a secret in state too. A pod reads it when it starts;
     * running nodes get a change of users from their KubernetesNodeUsers (so the Secret's name, in the pod
     * template, never changes).
     */
    function secretFor(
        node: NodeSpec,
        context: NodeContext,
        opts: pulumi.CustomResourceOptions,
        judgedBy?: () => KubernetesUserRules | undefined,
    ): k8s.core.v1.Secret {
        if (authSecret) return authSecret;
        // A rule Redis refuses must never reach the Secret a starting pod reads: a running node judges them first.
        const rules = judgedBy?.();
        authSecret = new k8s.core.v1.Secret(
            `${component}-auth`,
            {
                metadata: { name: authSecretName(objects), namespace: target.namespace, labels: stackLabels(placement) },
                type: "Opaque",
                stringData: {
                    [AUTH_SECRET_KEY]: pulumi.secret(
                        pulumi
                            .all([context.password ?? "", context.users?.passwordHashes ?? {}])
                            .apply(([password, hashes]) =>
                                podAuthConfig(authConfig(password || undefined, accountsOf(context.users?.rules ?? [], hashes))),
                            ),
                    ),
                },
            },
            { ...opts, provider, ...(rules ? { dependsOn: [rules] } : {}) },
        );
        return authSecret;
    }

    /**
     * One ConfigMap per component: the passed-through settings file the auth file includes (the
     * component's nodes share their settings). It changes in place (the provider's
     * enableConfigMapMutable): running pods get new values with CONFIG SET from their NodePod, a pod
     * that starts reads the file.
     */
    function settingsFor(node: NodeSpec, opts: pulumi.CustomResourceOptions): k8s.core.v1.ConfigMap {
        settingsMap ??= new k8s.core.v1.ConfigMap(
            `${component}-settings`,
            {
                metadata: { name: `${objects}-settings`, namespace: target.namespace, labels: stackLabels(placement) },
                data: { [SETTINGS_CONFIG_KEY]: renderSettingsFile(node.redisConfig) },
            },
            { ...opts, provider },
        );
        return settingsMap;
    }

    /**
     * With metrics: one Secret per component with the exporters' password file (every sidecar scrapes its own pod's
     * socket, so the file is the same for all), mounted by each sidecar; a secret in state too.
     */
    function metricsSecretFor(metrics: NonNullable<NodeContext["metrics"]>, opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret {
        metricsSecret ??= new k8s.core.v1.Secret(
            `${component}-metrics`,
            {
                metadata: { name: `${objects}-metrics`, namespace: target.namespace, labels: stackLabels(placement) },
                type: "Opaque",
                stringData: {
                    [METRICS_SECRET_KEY]: pulumi.secret(
                        pulumi.output(metrics.password).apply((pw) => sidecarPasswordFile(PROBE_SOCKET, pw).content),
                    ),
                },
            },
            { ...opts, provider },
        );
        return metricsSecret;
    }

    function budgetFor(node: NodeSpec, opts: pulumi.CustomResourceOptions): void {
        if (node.role === "standalone" || budgets.has(node.shard)) return;
        const name = `${objects}-shard-${node.shard}`;
        budgets.set(
            node.shard,
            new k8s.policy.v1.PodDisruptionBudget(
                `${component}-shard-${node.shard}`,
                {
                    metadata: { name, namespace: target.namespace, labels: stackLabels(placement) },
                    spec: disruptionBudgetSpec(node.shard, placement),
                },
                { ...opts, provider },
            ),
        );
    }

    /** The node's NodePod: runs after its StatefulSet and the settings, so it acts on what they now declare. */
    function nodePodFor(
        name: string,
        node: NodeSpec,
        context: NodeContext,
        parts: {
            statefulSet: k8s.apps.v1.StatefulSet;
            settings: k8s.core.v1.ConfigMap;
            service: k8s.core.v1.Service;
            /** replacingTemplate's digest: a new one replaces the pod. */
            template: pulumi.Output<string>;
            password?: NodePassword;
            /** The node's own TLS files (a secret), what the provider connects with. */
            tls?: pulumi.Output<NodeTls>;
        },
        opts: pulumi.CustomResourceOptions,
    ): NodePod {
        return new NodePod(
            `${name}-pod`,
            {
                kubeconfig: target.kubeconfig,
                namespace: target.namespace,
                statefulSet: objectName(node),
                template: parts.template,
                inPlaceLabels: inPlacePodLabels(node, placement),
                endpoint: parts.service.spec.clusterIP.apply((host) => ({ name: node.name, host, port: node.clientPort })),
                password: context.password,
                ...(context.lifecycle ? { lifecycle: context.lifecycle } : {}),
                redisConfig: node.redisConfig,
                ...(parts.tls ? { tls: parts.tls } : {}),
                ...(target.nodeAccess ? { nodeAccess: target.nodeAccess } : {}),
            },
            { ...opts, dependsOn: [parts.statefulSet, parts.settings, ...(parts.password ? [parts.password] : [])] },
        );
    }

    /**
     * A running node's users, changed in place when they change (only where the node has a lifecycle
     * that can: the pod restarts for nothing but its template).
     */
    function usersFor(
        name: string,
        node: NodeSpec,
        context: NodeContext,
        endpoint: pulumi.Output<NodeEndpoint>,
        tls: pulumi.Output<NodeTls> | undefined,
        opts: pulumi.CustomResourceOptions,
    ): void {
        if (!context.lifecycle) return;
        new KubernetesNodeUsers(
            `${name}-users`,
            {
                node: endpoint.apply((e) => ({ name: node.name, host: e.host, port: e.port })),
                password: context.password,
                users: context.users?.rules ?? [],
                userPasswordHashes: context.users?.passwordHashes ?? {},
                lifecycle: context.lifecycle,
                ...(tls ? { tls } : {}),
                ...(target.nodeAccess ? { nodeAccess: target.nodeAccess } : {}),
            },
            opts,
        );
    }

    /** The component's users' rules, judged at this node (the component's first) before the Secret takes them. */
    function rulesJudgedAt(
        node: NodeSpec,
        context: NodeContext,
        service: k8s.core.v1.Service,
        tls: pulumi.Output<NodeTls> | undefined,
        opts: pulumi.CustomResourceOptions,
    ): KubernetesUserRules | undefined {
        if (!context.lifecycle || !context.users) return undefined;
        return new KubernetesUserRules(
            `${component}-user-rules`,
            {
                node: service.spec.clusterIP.apply((host) => ({ name: node.name, host, port: node.clientPort })),
                password: context.password,
                users: context.users.rules,
                lifecycle: context.lifecycle,
                ...(tls ? { tls } : {}),
                ...(target.nodeAccess ? { nodeAccess: target.nodeAccess } : {}),
            },
            opts,
        );
    }

    /**
     * With externalAccess: the node's external Service, and the address clients outside reach the node at, which it
     * announces (at its client port): the NodePorts' host, or its own load balancer's address, known once the cluster's
     * controller gave it one (Pulumi waits for that; the pod, made after, needs it). "" without.
     */
    function externalFor(name: string, node: NodeSpec, labels: Record<string, string>, opts: pulumi.CustomResourceOptions) {
        const external = placement.external;
        if (external.access === "none") return pulumi.output("");
        const service = new k8s.core.v1.Service(
            `${name}-external`,
            {
                metadata: {
                    name: externalServiceName(node),
                    namespace: target.namespace,
                    labels,
                    annotations: externalServiceAnnotations(external),
                },
                spec: externalServiceSpec(node, placement, external),
            },
            { ...opts, provider },
        );
        if (external.access === "nodePort") return pulumi.output(external.host);
        return service.status.apply((status) => loadBalancerAddress(externalServiceName(node), status));
    }

    /** A node's TLS files as a Secret of its own (the certificate differs per node), mounted as a directory. */
    function tlsSecretFor(
        name: string,
        node: NodeSpec,
        labels: Record<string, string>,
        tls: pulumi.Output<NodeTls>,
        opts: pulumi.CustomResourceOptions,
    ): k8s.core.v1.Secret {
        return new k8s.core.v1.Secret(
            `${name}-tls`,
            {
                metadata: { name: tlsSecretName(node), namespace: target.namespace, labels },
                type: "Opaque",
                stringData: pulumi.secret(
                    tls.apply((files) => ({
                        [TLS_SECRET_KEYS.ca]: files.ca,
                        [TLS_SECRET_KEYS.cert]: files.cert,
                        [TLS_SECRET_KEYS.key]: files.key,
                    })),
                ),
            },
            { ...opts, provider },
        );
    }

    return {
        // Pods are replaced by their NodePods, one at a time, failover first. A new password is set in place
        // at the running nodes (./nodePassword.ts) and in the Secret their next start reads; users likewise.
        capabilities: {
            rollsOneNodeAtATime: true,
            changesPasswordInPlace: true,
            changesUsersInPlace: true,
            placesByShard: true,
        },
        ...(target.nodeAccess ? { nodeAccess: target.nodeAccess } : {}),

        image(_name: string, image: string) {
            // The node's container runtime pulls a missing image (imagePullPolicy IfNotPresent).
            return pulumi.output(image);
        },

        network() {
            // Pods get their addresses from the cluster: the nodes share no network the stack makes.
            return undefined;
        },

        node(name: string, node: NodeSpec, context: NodeContext, opts: pulumi.CustomResourceOptions): NodeResources {
            const settings = settingsFor(node, opts);
            budgetFor(node, opts);
            const object = objectName(node);
            const labels = podLabels(node, placement);
            const claim = new k8s.core.v1.PersistentVolumeClaim(
                `${name}-data`,
                {
                    // Bound when its pod is scheduled (WaitForFirstConsumer): do not wait for that here.
                    metadata: { name: `${object}-data`, namespace: target.namespace, labels, annotations: SKIP_AWAIT },
                    spec: claimSpec(placement),
                },
                { ...opts, provider, retainOnDelete: node.retainData },
            );
            const service = new k8s.core.v1.Service(
                `${name}-service`,
                {
                    // Its endpoint is the pod the StatefulSet below creates, which needs this Service's IP first.
                    metadata: { name: object, namespace: target.namespace, labels, annotations: SKIP_AWAIT },
                    spec: serviceSpec(node, placement),
                },
                { ...opts, provider },
            );
            const externalHost = externalFor(name, node, labels, opts);
            // With TLS: a certificate for the Service's ClusterIP, known now (and the external host), in a Secret of the node's own.
            const tls = context.tlsFor?.(
                pulumi
                    .all([service.spec.clusterIP, target.namespace, externalHost])
                    .apply(([ip, namespace, host]) => serviceSubject(node, ip, namespace, host)),
                opts,
            );
            const tlsSecret = tls && tlsSecretFor(name, node, labels, tls, opts);
            const secret = secretFor(node, context, opts, () => rulesJudgedAt(node, context, service, tls, opts));
            // The digest names no key, so the template (and the StatefulSet's diff) stays readable, not a secret;
            // taken after the Secret, so a pod made from the template finds the files it names.
            const tlsNames = tls
                ? pulumi.all([tlsSecret!.metadata.name, pulumi.unsecret(tls.apply(tlsDigest))]).apply(([, digest]) => digest)
                : undefined;
            const metrics = context.metrics && node.metricsPort !== undefined ? context.metrics : undefined;
            const exporter = metrics && pulumi.all([metrics.image, metricsSecretFor(metrics, opts).metadata.name]);
            const declared = pulumi
                .all([
                    context.image,
                    service.spec.clusterIP,
                    externalHost,
                    secret.metadata.name,
                    claim.metadata.name,
                    settings.metadata.name,
                    tlsNames,
                    exporter,
                ])
                .apply(([image, clusterIp, host, authSecretName, claimName, settingsName, tlsFiles, exporterParts]) => {
                    const names = {
                        authSecret: authSecretName,
                        claim: claimName,
                        settings: settingsName,
                        ...(tlsFiles ? { tlsDigest: tlsFiles } : {}),
                        ...(exporterParts ? { metrics: { image: exporterParts[0], secret: exporterParts[1] } } : {}),
                    };
                    // Each pod carries the digest of what replaces it, so its NodePod knows which template it runs.
                    const announced = { ip: clusterIp, externalHost: host };
                    const digest = templateDigest(replacingTemplate(node, image, announced, names, placement));
                    return { digest, spec: statefulSetSpec(node, image, announced, { ...names, templateDigest: digest }, placement) };
                });
            const spec = declared.spec;
            const statefulSet = new k8s.apps.v1.StatefulSet(
                name,
                // Its await would report an update done before the pods change (and they change only through the NodePod): its NodePod waits instead.
                { metadata: { name: object, namespace: target.namespace, labels, annotations: SKIP_AWAIT }, spec },
                { ...opts, provider },
            );
            const endpoint: pulumi.Output<NodeEndpoint> = pulumi
                .all([service.spec.clusterIP, service.metadata.name, externalHost])
                .apply(([ip, serviceName, host]) => ({
                    announceHost: ip,
                    announcePort: node.clientPort,
                    host: ip,
                    port: node.clientPort,
                    serviceName,
                    ...(host !== "" ? { externalHost: host } : {}),
                }));
            // A new password reaches the running nodes first, so the pod turns and user changes after it speak it.
            const password = passwordInPlace(name, node, context, service.spec.clusterIP, tls, target, {
                ...opts,
                provider: undefined,
                dependsOn: [statefulSet, secret],
            });
            const pod = nodePodFor(name, node, context, { statefulSet, settings, service, template: declared.digest, password, tls }, opts);
            usersFor(name, node, context, endpoint, tls, { ...opts, dependsOn: [pod, secret] });
            return {
                // A new pod (its NodePod replaced it): the formation runs again and waits for the node.
                containerId: pod.podUid,
                container: pod,
                endpoint,
                // Its Service's DNS name in the namespace: what a Prometheus in the cluster scrapes.
                ...(metrics
                    ? {
                          metricsTarget: pulumi
                              .all([service.metadata.name, target.namespace, pod.podUid])
                              .apply(([serviceName, namespace]) => `${serviceName}.${namespace}.svc:${node.metricsPort}`),
                      }
                    : {}),
            };
        },

        backupRunner: (name, context, opts) => kubernetesBackupRunner(name, target, context, opts),
    };
}

/**
 * The node's password as its running redis-server has it: a change is made in place by the node's
 * lifecycle, after the Secret holds the new one (a pod that restarts meanwhile starts with it).
 */
function passwordInPlace(
    name: string,
    node: NodeSpec,
    context: NodeContext,
    clusterIp: pulumi.Input<string>,
    tls: pulumi.Output<NodeTls> | undefined,
    target: Pick<KubernetesTarget, "nodeAccess">,
    opts: pulumi.CustomResourceOptions,
): NodePassword | undefined {
    if (context.lifecycle === undefined) return undefined;
    return new NodePassword(
        `${name}-password`,
        {
            name: node.name,
            host: clusterIp,
            port: node.clientPort,
            password: context.password ?? "",
            lifecycle: context.lifecycle,
            ...(tls ? { tls } : {}),
            ...(target.nodeAccess ? { nodeAccess: target.nodeAccess } : {}),
        },
        opts,
    );
}

/** The Secret of a component's auth and settings files (one per component, in the stack's namespace). */
function authSecretName(component: string): string {
    return `${component}-auth`;
}
