// What a file mounted in a running pod holds now, read through the API server's exec (the official
// client's `Exec`, the same kubeconfig and context as every other request of the stack). The kubelet
// brings a mounted Secret up to date up to about a minute after it changed; a node that must load new
// files while it runs (a live TLS switch) waits until they are there.
import { Writable } from "stream";
import { Exec } from "@kubernetes/client-node";
import { DEFAULT_TIMEOUTS } from "../../common/timeouts";
import { done, notYet, waitFor } from "../../common/wait";
import type { Connection } from "./kubeApi";

/** Prints the file named by $1 line by line, the last line too when it has no newline. */
const READ_FILE = 'while IFS= read -r line || [ -n "$line" ]; do echo "$line"; done < "$1"';

/** The text of `file` in the pod's `container`, or undefined when it is not there (or the pod does not answer). */
export async function podFileText(
    connection: Connection,
    namespace: string,
    pod: string,
    container: string,
    file: string,
): Promise<string | undefined> {
    let text = "";
    const stdout = new Writable({
        write(chunk: Buffer, _encoding, done) {
            text += chunk.toString("utf8");
            done();
        },
    });
    return await new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), DEFAULT_TIMEOUTS.apiRequestMs);
        new Exec(connection.config)
            // The node's image may hold no more than its shell (no cat): the file is read with the shell's own builtins.
            .exec(namespace, pod, container, ["sh", "-c", READ_FILE, "sh", file], stdout, null, null, false, (status) => {
                clearTimeout(timer);
                resolve(status.status === "Success" ? text : undefined);
            })
            .catch(() => {
                clearTimeout(timer);
                resolve(undefined);
            });
    });
}

/** Waits until every `files[path]` reads as given in the pod (the kubelet synced its Secret); throws naming what is missing. */
export async function awaitPodFiles(
    connection: Connection,
    target: { readonly namespace: string; readonly pod: string; readonly container: string; readonly node: string },
    files: Readonly<Record<string, string>>,
    timeoutMs: number,
): Promise<void> {
    await waitFor(
        async () => {
            const stale: string[] = [];
            for (const [file, content] of Object.entries(files)) {
                const text = await podFileText(connection, target.namespace, target.pod, target.container, file);
                if (text?.trimEnd() !== content.trimEnd()) stale.push(file);
            }
            return stale.length === 0 ? done(undefined) : notYet(stale.join(", "));
        },
        {
            what: `pod ${target.pod} to have its Secret's files`,
            timeoutMs,
            pollMs: DEFAULT_TIMEOUTS.slowPollMs,
            error: (stale) =>
                new Error(
                    `node ${target.node}: pod ${target.pod} did not get ${stale} from its Secret within ${timeoutMs} ms (the kubelet updates mounted Secrets); no node was switched or restarted by this one`,
                ),
        },
    );
}
