// Formation nodes for unit tests of the formation's steps: a master of shard 0 on loopback at one port.
import type { FormationNode } from "../../components/redis/formationTypes";

/** A master at 127.0.0.1:`port`, announced there too, its bus port 10000 above. */
export const loopbackMaster = (name: string, port: number): FormationNode => ({
    name,
    host: "127.0.0.1",
    port,
    announceHost: "127.0.0.1",
    announcePort: port,
    busPort: port + 10000,
    shard: 0,
    role: "master",
});
