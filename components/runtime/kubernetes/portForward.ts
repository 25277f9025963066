// Port-forward access (./nodeAccess.ts): local TCP listeners on 127.0.0.1, one per node address asked
// for, each connection carried to the node's pod through the API server (@kubernetes/client-node's
// PortForward, one websocket per connection, as `kubectl port-forward` does). Opened on demand inside one
// provider operation and all closed when it ends, so the provider process holds no listener or socket after.
// The provider process loads this module by the name resources record (`nodeAccess`, PORT_FORWARD_MODULE).
import * as net from "net";
import { Writable } from "stream";
import { PortForward } from "@kubernetes/client-node";
import { kubeConnection, kubeRequest } from "./kubeApi";
import type { NodeAccessModule } from "../../contracts/nodeAccess";
import { ForwardTarget, PortForwardAccess, ServiceView, forwardTarget, portForwardOptions, servicesOf } from "./nodeAccess";

export interface Address {
    readonly host: string;
    readonly port: number;
}

export interface NodeForwards {
    /** The local address that forwards to the pod behind `node` (a node Service's ClusterIP:port). */
    reach(node: Address): Promise<Address>;
    /** Closes every listener and every forwarded connection. */
    close(): Promise<void>;
    /** How many connections went through the forwards (for messages and tests). */
    readonly forwarded: number;
}

/** Closable parts of one forwarded connection. */
interface Closer {
    close(): void;
}

export function openNodeForwards(access: PortForwardAccess): NodeForwards {
    const connection = kubeConnection(access.kubeconfig);
    const forwarder = new PortForward(connection.config);
    const listeners = new Map<string, Promise<{ server: net.Server; address: Address }>>();
    const open = new Set<Closer>();
    let services: ServiceView[] | undefined;
    let forwarded = 0;
    let closed = false;

    async function targetOf(node: Address): Promise<ForwardTarget> {
        const listed = () => kubeRequest(connection, "GET", `/api/v1/namespaces/${access.namespace}/services`).then(servicesOf);
        services ??= await listed();
        let target = forwardTarget(services, node.host, node.port);
        if (!target) {
            // A Service created since the list (a node added in this operation).
            services = await listed();
            target = forwardTarget(services, node.host, node.port);
        }
        if (!target) throw new Error(`no Service in namespace ${access.namespace} has address ${node.host}:${node.port} to forward to`);
        return target;
    }

    /** One accepted local connection, carried to the pod; either side closing closes the other. */
    function carry(socket: net.Socket, target: ForwardTarget): void {
        forwarded++;
        let ws: { terminate(): void; on(event: string, listener: () => void): unknown } | undefined;
        const closer: Closer = {
            // terminate, not close: a closing handshake the other side never answers would hold the process for 30 s.
            close: () => {
                socket.destroy();
                ws?.terminate();
            },
        };
        open.add(closer);
        socket.on("close", () => {
            ws?.terminate();
            open.delete(closer);
        });
        socket.on("error", () => socket.destroy());
        // The pod side's error channel (nothing listens on the port, the pod is gone): the client sees a closed connection and retries.
        const errors = new Writable({
            write(chunk: Buffer, _encoding: string, done: () => void) {
                // The channel's first frame is only its port number, which the client strips: empty, not an error.
                if (chunk.length > 0) socket.destroy();
                done();
            },
        });
        forwarder
            .portForward(access.namespace, target.pod, [target.port], socket, errors, socket)
            .then((opened: unknown) => {
                // A websocket (the client's type is not resolvable here); a function only with retries, which are not asked for.
                ws = typeof opened === "function" ? undefined : (opened as NonNullable<typeof ws>);
                if (socket.destroyed || closed) ws?.terminate();
                ws?.on("close", () => socket.destroy());
            })
            .catch(() => socket.destroy());
    }

    async function listen(node: Address): Promise<{ server: net.Server; address: Address }> {
        const target = await targetOf(node);
        const server = net.createServer((socket) => carry(socket, target));
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve());
        });
        const bound = server.address() as net.AddressInfo;
        return { server, address: { host: "127.0.0.1", port: bound.port } };
    }

    return {
        async reach(node: Address): Promise<Address> {
            if (closed) throw new Error(`port-forward to ${node.host}:${node.port}: the operation's forwards are closed`);
            const key = `${node.host}:${node.port}`;
            let listener = listeners.get(key);
            if (!listener) {
                listener = listen(node);
                listeners.set(key, listener);
                // A failed lookup is asked again on the next attempt (the Service may not be there yet).
                listener.catch(() => listeners.delete(key));
            }
            return (await listener).address;
        },
        async close(): Promise<void> {
            closed = true;
            for (const closer of open) closer.close();
            open.clear();
            const servers = await Promise.allSettled(listeners.values());
            listeners.clear();
            const bound = servers.flatMap((s) => (s.status === "fulfilled" ? [s.value.server] : []));
            await Promise.all(bound.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
        },
        get forwarded() {
            return forwarded;
        },
    };
}

/** The node access this module provides, as the provider process loads it by name (../../contracts/nodeAccess.ts). */
export const nodeAccess: NodeAccessModule = {
    open: (options) => openNodeForwards(portForwardOptions(options)),
};
