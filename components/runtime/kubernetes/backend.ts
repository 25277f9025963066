// `kubernetes` runtime: node specs as @pulumi/kubernetes resources in the stack's namespace (the specs
// come from ./manifests.ts). Per component: one Secret with the auth config file and one
// PodDisruptionBudget per shard; per node: a data claim, a Service and a 1-replica StatefulSet.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderSettingsFile } from "../../redisSettings";
import { NodeSpec, authConfig } from "../../topology";
import type { NodeContext, NodeEndpoint, NodeResources, RuntimeBackend } from "../backend";
import {
    AUTH_SECRET_KEY,
    SETTINGS_SECRET_KEY,
    SKIP_AWAIT,
    claimSpec,
    disruptionBudgetSpec,
    objectName,
    podLabels,
    serviceSpec,
    stackLabels,
    statefulSetSpec,
} from "./manifests";
import { NodePassword } from "./nodePassword";
import type { KubernetesTarget } from "./target";

/**
 * The runtime for one component (`cluster`, `standalone`): its objects' names start with the
 * component's where they are per component (`cluster-auth`, `cluster-shard-0`).
 */
export function kubernetesBackend(component: string, target: KubernetesTarget): RuntimeBackend {
    const { provider, placement } = target;
    let authSecret: k8s.core.v1.Secret | undefined;
    const budgets = new Map<number, k8s.policy.v1.PodDisruptionBudget>();

    /**
     * One Secret per component: the auth config file (the settings include, and the password if any) and
     * the settings file it includes (the component's nodes share their settings), a secret in state too.
     */
    function secretFor(node: NodeSpec, context: NodeContext, opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret {
        authSecret ??= new k8s.core.v1.Secret(
            `${component}-auth`,
            {
                metadata: { name: authSecretName(component), namespace: target.namespace, labels: stackLabels(placement) },
                type: "Opaque",
                stringData: {
                    [AUTH_SECRET_KEY]: pulumi.secret(
                        pulumi.output(context.password ?? "").apply((password) => authConfig(password || undefined)),
                    ),
                    [SETTINGS_SECRET_KEY]: renderSettingsFile(node.redisConfig),
                },
            },
            { ...opts, provider },
        );
        return authSecret;
    }

    function budgetFor(node: NodeSpec, opts: pulumi.CustomResourceOptions): void {
        if (node.role === "standalone" || budgets.has(node.shard)) return;
        const name = `${component}-shard-${node.shard}`;
        budgets.set(
            node.shard,
            new k8s.policy.v1.PodDisruptionBudget(
                name,
                {
                    metadata: { name, namespace: target.namespace, labels: stackLabels(placement) },
                    spec: disruptionBudgetSpec(node.shard, placement),
                },
                { ...opts, provider },
            ),
        );
    }

    return {
        // Pods are replaced by their StatefulSets, each on its own: no failover first. A new password is
        // set in place at the running nodes (./nodePassword.ts) and in the Secret their next start reads.
        capabilities: { rollsOneNodeAtATime: false, changesPasswordInPlace: true },

        image(_name: string, image: string) {
            // The node's container runtime pulls a missing image (imagePullPolicy IfNotPresent).
            return pulumi.output(image);
        },

        network() {
            throw new Error("the kubernetes runtime has no Docker network: the topology declares none on Kubernetes");
        },

        node(name: string, node: NodeSpec, context: NodeContext, opts: pulumi.CustomResourceOptions): NodeResources {
            const secret = secretFor(node, context, opts);
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
                { ...opts, provider, retainOnDelete: node.retainVolume },
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
            const spec = pulumi.all([context.image, service.spec.clusterIP, claim.metadata.name]).apply(([image, clusterIp, claimName]) =>
                // The Secret's fixed name, not its output: @pulumi/kubernetes replaces a Secret whose data
                // changes (a new password), and a pod template that followed its output would roll every pod.
                statefulSetSpec(node, image, clusterIp, { authSecret: authSecretName(component), claim: claimName }, placement),
            );
            const statefulSet = new k8s.apps.v1.StatefulSet(
                name,
                { metadata: { name: object, namespace: target.namespace, labels }, spec },
                { ...opts, provider, dependsOn: [secret] },
            );
            const endpoint: pulumi.Output<NodeEndpoint> = pulumi
                .all([service.spec.clusterIP, service.metadata.name])
                .apply(([ip, serviceName]) => ({
                    announceHost: ip,
                    announcePort: node.clientPort,
                    host: ip,
                    port: node.clientPort,
                    serviceName,
                }));
            const password = passwordInPlace(name, node, context, service.spec.clusterIP, {
                ...opts,
                provider: undefined,
                dependsOn: [statefulSet, secret],
            });
            return {
                // A new generation is a changed pod template: the formation runs again and waits for the node.
                containerId: pulumi.interpolate`${statefulSet.metadata.uid}/${statefulSet.metadata.generation}`,
                // The formation that follows waits for the node and for its password change.
                container: password ?? statefulSet,
                endpoint,
            };
        },
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
    opts: pulumi.CustomResourceOptions,
): NodePassword | undefined {
    if (context.lifecycle === undefined) return undefined;
    return new NodePassword(
        `${name}-password`,
        { name: node.name, host: clusterIp, port: node.clientPort, password: context.password ?? "", lifecycle: context.lifecycle },
        opts,
    );
}

/** The Secret of a component's auth and settings files (one per component, in the stack's namespace). */
function authSecretName(component: string): string {
    return `${component}-auth`;
}
