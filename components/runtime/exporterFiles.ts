// The files a node's exporter container gets (metrics): its password file and, where it speaks TLS to the node, the
// node's own TLS files (the node certificate is good for client authentication too). A secret, as they hold both.
import * as pulumi from "@pulumi/pulumi";
import type { ContainerFile } from "../contracts/nodeFiles";
import { type ExporterTarget, exporterPasswordFile } from "../topology/metricsExporter";
import type { NodeTls } from "../tls/nodeTls";

export function exporterFiles(
    target: ExporterTarget,
    password: pulumi.Input<string>,
    tls: pulumi.Input<NodeTls> | undefined,
): pulumi.Output<ContainerFile[]> {
    return pulumi.secret(
        pulumi.all([password, tls]).apply(([plain, nodeTls]) => {
            const files = [exporterPasswordFile(target.address, plain)];
            const paths = target.tlsFiles;
            if (paths && nodeTls)
                files.push(
                    { path: paths.ca, content: nodeTls.ca },
                    { path: paths.cert, content: nodeTls.cert },
                    { path: paths.key, content: nodeTls.key },
                );
            return files;
        }),
    );
}
