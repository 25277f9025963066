// The finish line of every `up` from nothing, by hand or by Pulumi: the cluster is healthy and the
// standalone node answers.
import { waitAnswering, waitClusterHealthy } from "./health";

export async function waitStackUsableAt(clusterPorts: readonly number[], masters: number, standalonePort: number): Promise<void> {
    await waitClusterHealthy(clusterPorts, clusterPorts.length - masters);
    await waitAnswering([standalonePort]);
}
