// Every wait the project makes, in one table with its default (the way ioredis documents its
// options). Pure: imported by the Redis protocol layer, the runtimes and the providers alike; no
// timeout literal lives anywhere else. The waiting itself is components/common/wait.ts.

export interface Timeouts {
    /**
     * How often a wait polls (CLUSTER NODES, CLUSTER INFO, a container's state).
     * @default 20
     */
    readonly pollMs: number;
    /**
     * How often a wait polls what is costly to ask each time (a starting node's settings with a look at
     * its container, a pod through the Kubernetes API).
     * @default 200
     */
    readonly slowPollMs: number;
    /**
     * Longest a single Redis command may take before the node counts as hung; MIGRATE batches stay
     * far below it.
     * @default 15000
     */
    readonly commandMs: number;
    /**
     * One attempt to open a connection to a node; a wait for a node to answer makes as many as fit.
     * @default 1000
     */
    readonly connectAttemptMs: number;
    /**
     * How long formation waits for every node to answer at all (containers just started).
     * @default 60000
     */
    readonly connectMs: number;
    /**
     * Bound on forming, reshaping or healing a cluster once every node answered, about progress: it
     * fails once no step completed and no key moved for this long, so moving many keys is not cut off.
     * @default 120000
     */
    readonly formationMs: number;
    /**
     * How long `refresh` waits for a node before reporting it unreachable.
     * @default 3000
     */
    readonly inspectMs: number;
    /**
     * How long a node that should be up may take to answer before it counts as down (handover,
     * password change).
     * @default 2000
     */
    readonly answerMs: number;
    /**
     * MIGRATE's own timeout for one batch of keys.
     * @default 10000
     */
    readonly migrateMs: number;
    /**
     * A slot move fails once no key of the slot moved for this long; a move of any size goes on while
     * keys keep moving. Above `commandMs`, so that one slow MIGRATE batch fails as that command.
     * @default 60000
     */
    readonly moveStallMs: number;
    /**
     * A CLUSTER MEET whose handshake has not completed within this is sent again: a handshake can
     * time out on a busy host, and meeting again is harmless.
     * @default 1000
     */
    readonly meetRetryMs: number;
    /**
     * A manual CLUSTER FAILOVER must have swapped the roles within this.
     * @default 30000
     */
    readonly failoverMs: number;
    /**
     * A recreated node must be back (same id, cluster ok, replica synced) within this; a replica
     * resyncing a large dataset needs time.
     * @default 120000
     */
    readonly rejoinMs: number;
    /**
     * A TLS switch made live on one cluster node (CONFIG SET) must be made on every peer within this,
     * before any node restarts with it: Pulumi updates the nodes side by side, so on Docker they arrive
     * within seconds; on Kubernetes each node first waits for its pod's files (`podFilesMs`), which the
     * kubelet brings up to a minute or more apart.
     * @default 180000
     */
    readonly tlsSwitchMs: number;
    /**
     * SIGTERM grace before Docker kills a container: Redis flushes its AOF and exits well within it.
     * @default 10000
     */
    readonly stopGraceMs: number;
    /**
     * How long the check that every `up` and `preview` makes of the live cluster (the formation's diff)
     * waits for a node before counting it down; a healthy node answers in milliseconds.
     * @default 1000
     */
    readonly probeMs: number;
    /**
     * How long the formation plan that `preview` and `up` print waits for a node: one that refuses
     * (its container is not created yet) is planned as a new node at once. 0: one try (a connect
     * attempt still takes up to 1 s on an address that never answers).
     * @default 0
     */
    readonly planProbeMs: number;
    /**
     * Node replacements of one deployment arrive close together but not at once (measured: 6 over 0.5
     * to 1 s, gaps up to 0.48 s): the first turn waits until none has arrived for this long.
     * @default 500
     */
    readonly turnQuietMs: number;
    /**
     * When only masters wait at the first turn, a replica may still be on its way: wait this long with
     * no new arrival instead.
     * @default 3000
     */
    readonly turnMasterQuietMs: number;
    /**
     * Bound on gathering replacements before the first turn.
     * @default 10000
     */
    readonly turnGatherMs: number;
    /**
     * How long a certificate the stack issues for a node or a client is valid (90 days).
     * @default 7776000000
     */
    readonly certificateValidityMs: number;
    /**
     * A plain `up` issues a new certificate once its old one expires within this (30 days): the
     * nodes reload the new files live (CONFIG SET), no restart.
     * @default 2592000000
     */
    readonly certificateRenewalMs: number;
    /**
     * How long the stack's own CA is valid (10 years); it is renewed within `certificateRenewalMs` of
     * its expiry too; the old CA stays trusted next to the new one while it is valid, no restart.
     * @default 315360000000
     */
    readonly caValidityMs: number;
    /**
     * How often Docker runs a node container's health check (`docker ps` healthy/unhealthy). Three
     * failures in a row make it unhealthy, so a node that left the cluster shows within about 3 of these.
     * @default 5000
     */
    readonly healthIntervalMs: number;
    /**
     * Longest one health check may take (a PING or CLUSTER INFO answers in milliseconds).
     * @default 3000
     */
    readonly healthTimeoutMs: number;
    /**
     * Failed checks do not count for this long after a container starts: a new cluster node is not part
     * of an ok cluster until formation has run.
     * @default 30000
     */
    readonly healthStartPeriodMs: number;
    /**
     * Longest one Kubernetes API request from the provider process may take (read or delete a pod), and
     * an exec credential plugin with it.
     * @default 10000
     */
    readonly apiRequestMs: number;
    /**
     * Kubernetes: a node's pod, deleted for its rolling replacement, must be running again (new pod,
     * current revision, container started) within this; an image the node must pull first counts too.
     * @default 180000
     */
    readonly podReplaceMs: number;
    /**
     * Kubernetes: files a running pod must load live (a TLS switch) must be in it within this: the kubelet
     * brings a mounted Secret up to date on its periodic sync (measured here: 75 s after a change).
     * @default 180000
     */
    readonly podFilesMs: number;
    /**
     * How long the kubernetes preflight waits for one answer of the API server before it refuses the
     * stack as unreachable.
     * @default 5000
     */
    readonly kubernetesApiMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
    pollMs: 20,
    slowPollMs: 200,
    commandMs: 15000,
    connectAttemptMs: 1000,
    connectMs: 60000,
    formationMs: 120000,
    inspectMs: 3000,
    answerMs: 2000,
    migrateMs: 10000,
    moveStallMs: 60000,
    meetRetryMs: 1000,
    failoverMs: 30000,
    rejoinMs: 120000,
    tlsSwitchMs: 180000,
    stopGraceMs: 10000,
    probeMs: 1000,
    planProbeMs: 0,
    turnQuietMs: 500,
    turnMasterQuietMs: 3000,
    turnGatherMs: 10000,
    certificateValidityMs: 90 * 24 * 3600 * 1000,
    certificateRenewalMs: 30 * 24 * 3600 * 1000,
    caValidityMs: 3650 * 24 * 3600 * 1000,
    healthIntervalMs: 5000,
    healthTimeoutMs: 3000,
    healthStartPeriodMs: 30000,
    apiRequestMs: 10000,
    podReplaceMs: 180000,
    podFilesMs: 180000,
    kubernetesApiMs: 5000,
};

/** stopGraceMs in whole seconds, as Docker's stop and a pod's terminationGracePeriodSeconds take it. */
export const STOP_GRACE_SECONDS = Math.ceil(DEFAULT_TIMEOUTS.stopGraceMs / 1000);
