// Pure: the plain-text port that `tlsPlainPort` keeps next to a TLS one, and the check that those ports fit
// and do not collide (see ./nodeTls.ts for the scheme). Imports nothing, so settings validation can use it.

/** The plain-text port of a node whose client port serves TLS (when the plain port is kept). */
export function plainPortOf(clientPort: number, busPortOffset: number): number {
    return clientPort + 2 * busPortOffset;
}

export interface TlsPortSettings {
    readonly tls: boolean;
    readonly tlsPlainPort: boolean;
    readonly basePort: number;
    readonly busPortOffset: number;
    readonly standalonePort: number;
}

const MAX_PORT = 65535;

/** Problems with the plain ports kept next to TLS, each naming the settings involved; none without them. */
export function tlsPortProblems(s: TlsPortSettings, clusterNodes: number): string[] {
    if (!s.tls || !s.tlsPlainPort) return [];
    const lastClient = s.basePort + clusterNodes - 1;
    const firstPlain = plainPortOf(s.basePort, s.busPortOffset);
    const lastPlain = plainPortOf(lastClient, s.busPortOffset);
    const standalonePlain = plainPortOf(s.standalonePort, s.busPortOffset);
    const rule = "the plain port is the client port + 2 x busPortOffset";
    if (Math.max(lastPlain, standalonePlain) > MAX_PORT) {
        return [
            `tlsPlainPort: got true with basePort ${s.basePort}, standalonePort ${s.standalonePort} and busPortOffset ${s.busPortOffset}; ` +
                `allowed: values where every plain port (${rule}; highest ${Math.max(lastPlain, standalonePlain)}) is at most ${MAX_PORT}, or tlsPlainPort false`,
        ];
    }
    const taken: [string, number, number][] = [
        ["cluster client ports", s.basePort, lastClient],
        ["cluster bus ports", s.basePort + s.busPortOffset, lastClient + s.busPortOffset],
        ["cluster plain ports", firstPlain, lastPlain],
    ];
    const clash = taken.find(([, from, to]) => standalonePlain >= from && standalonePlain <= to);
    const problems: string[] = [];
    if (clash)
        problems.push(
            `tlsPlainPort: the standalone node's plain port ${standalonePlain} (${rule}) falls in the ${clash[0]} ${clash[1]}-${clash[2]}; allowed: a standalonePort or busPortOffset that keeps them apart, or tlsPlainPort false`,
        );
    if (s.standalonePort >= firstPlain && s.standalonePort <= lastPlain)
        problems.push(
            `standalonePort: got ${s.standalonePort}; allowed: a port outside the cluster's plain ports ${firstPlain}-${lastPlain} (tlsPlainPort true: ${rule})`,
        );
    return problems;
}
