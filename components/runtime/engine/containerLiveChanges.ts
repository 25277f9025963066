// `engine` runtime, provider process: changes a running node's container takes without every node down
// at once: new certificates reloaded live, TLS switched live before the node's turn to restart, and a new
// password, users, Redis settings or limits in place.
import type { LifecycleRef, NodeLifecycle } from "../../contracts/nodeLifecycle";
import { settingsChange } from "../../settings/redisSettings";
import { liveTlsSwitch } from "../../tls/liveSwitch";
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH, tlsFiles } from "../../tls/nodeTls";
import { updateLimits } from "../containerInPlace";
import { dockerClient, inspectContainer, putFiles } from "../dockerEngine";
import {
    ContainerInputs,
    ContainerOutputs,
    accounts,
    limitLifted,
    recorded,
    sameLimits,
    samePassword,
    sameSettings,
    sameUsers,
} from "./containerChanges";
import { bringBack, containerFiles, lifecycleNode, ownId, recreate, recreateWithLifecycle } from "./containerRestarts";

/**
 * New certificates (a renewal, a renewed CA) without a restart: the files are rewritten in the running
 * container and the node reads them again when CONFIG SET names them, under the same paths (Redis 7.0.15,
 * 8.0.2 and Valkey 8.1.1 do: test/integration/tlsReload.test.ts). Its open connections, the cluster bus
 * included, keep their TLS sessions; new ones get the new certificate. The CA file holds the renewed CA and the one it replaced,
 * so peers and clients with either are accepted while the nodes reload one by one.
 */
export async function reloadTls(
    olds: ContainerOutputs,
    id: string,
    news: ContainerInputs,
    ref: LifecycleRef,
    lifecycle: NodeLifecycle,
): Promise<ContainerOutputs> {
    const docker = dockerClient();
    const live = await inspectContainer(docker, news.body.name);
    if (!live?.running || live.id !== ownId(olds, id)) return bringBack(olds, id, news); // it reads the new files when it starts
    await putFiles(docker, news.body.name, tlsFiles(news.tls));
    // Reached with the old files: the node serves the old certificate until the set.
    const applied = await lifecycle.applySettings(lifecycleNode(olds, ref, news.endpoint), {
        "tls-cert-file": TLS_CERT_PATH,
        "tls-key-file": TLS_KEY_PATH,
        "tls-ca-cert-file": TLS_CA_PATH,
    });
    if (!applied.applied) return recreateWithLifecycle(olds, news, ref, lifecycle);
    return { ...recorded(news, live.id), ...(olds.liveConfig ? { liveConfig: olds.liveConfig } : {}) };
}

/**
 * TLS turned on or off without every node down at once: the TLS files go into the running container,
 * the node switches live and waits for its peers (its lifecycle), and then it is recreated with the
 * switch in its command line, in its turn like any other restart (failover first). A node that is not
 * running has nothing to switch live: it starts with the new command line.
 */
export async function switchTlsThenRecreate(
    olds: ContainerOutputs,
    news: ContainerInputs,
    ref: LifecycleRef,
    lifecycle: NodeLifecycle,
): Promise<ContainerOutputs> {
    const docker = dockerClient();
    const live = await inspectContainer(docker, news.body.name);
    // Nothing to switch live on a stopped node, nor on another container of its name (recreate refuses that one).
    if (!live?.running || live.id !== olds.containerId) return recreate(olds, news);
    // The node reads them when the CONFIG SET names them (turning TLS off needs none).
    if (news.tls) await putFiles(docker, news.body.name, tlsFiles(news.tls));
    const { settings } = liveTlsSwitch(news.body.Cmd);
    await lifecycle.switchTls!(lifecycleNode(olds, ref, news.endpoint), lifecycleNode(news, ref, news.endpoint), settings);
    // From here on the node answers as the new inputs say: its turn and handover reach it that way.
    return recreateWithLifecycle({ ...olds, tls: news.tls }, news, ref, lifecycle);
}

/**
 * A new password, ACL users, Redis settings or limits on a running node, without a restart: limits
 * through Docker's update; the users set live first (with the old password in force; Redis judges them
 * before the file holds them); the files rewritten for later restarts; the lifecycle moves the running
 * node to the new password and applies the settings. Settings Redis takes only at start, a removed
 * setting (its default comes back only with a restart) or a lifted limit recreate the node with its
 * lifecycle instead.
 */
export async function changeInPlace(
    olds: ContainerOutputs,
    id: string,
    news: ContainerInputs,
    ref: LifecycleRef | undefined,
    lifecycle: NodeLifecycle | undefined,
): Promise<ContainerOutputs> {
    const docker = dockerClient();
    const live = await inspectContainer(docker, news.body.name);
    if (!live?.running || live.id !== ownId(olds, id)) return bringBack(olds, id, news); // its new files are written before it starts
    const restart = () => (ref && lifecycle ? recreateWithLifecycle(olds, news, ref, lifecycle) : recreate(olds, news));
    if (limitLifted(olds, news)) return restart();
    const change = settingsChange(olds.redisConfig ?? {}, news.redisConfig ?? {});
    if (change.removed.length > 0) return restart();
    if (!sameUsers(olds, news)) {
        if (!ref || !lifecycle) return restart();
        await lifecycle.changeUsers(lifecycleNode(olds, ref, news.endpoint), accounts(olds), accounts(news));
    }
    let liveConfig = olds.liveConfig;
    if (!sameSettings(olds, news) || !samePassword(olds, news)) {
        if (!ref || !lifecycle) return restart();
        const node = lifecycleNode(news, ref, news.endpoint);
        if (!samePassword(olds, news)) {
            await putFiles(docker, news.body.name, containerFiles({ ...news, redisConfig: olds.redisConfig }));
            await lifecycle.changePassword(node, olds.password || undefined, news.password || undefined);
        }
        // The whole declared set, so values that drifted since (found by refresh) are put back too.
        const applied = await lifecycle.applySettings(node, news.redisConfig ?? {});
        if (!applied.applied) return restart();
        liveConfig = { ...applied.live };
    }
    if (!sameLimits(olds, news)) await updateLimits(docker, news.body.name, news.limits ?? {});
    await putFiles(docker, news.body.name, containerFiles(news));
    return { ...recorded(news, live.id), ...(liveConfig ? { liveConfig } : {}) };
}
