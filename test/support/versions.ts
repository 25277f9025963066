// The Redis versions the suite runs, as local images (scripts/lib/redis-image.sh; setup and scripts/test.sh
// build them): the default image's Redis 8.0 runs every suite (TEST_IMAGE, 8.0.2 here); Redis 7.0 and Valkey 8.1
// run the version matrix (test/e2e/versions.test.ts, kubernetesVersions.test.ts) and the TLS reload check
// (test/integration/tlsReload.test.ts).
import { strict as assert } from "assert";
import { docker } from "./dockerCli";
import { TEST_IMAGE } from "./fixture";

export interface TestedVersion {
    /** Short, for stack names and test titles: `redis7`, `valkey8`. */
    readonly tag: string;
    /** As users name it: `Redis 8.0`. */
    readonly title: string;
    readonly image: string;
    /** The stack's `serverCommand` and `cliCommand` for the image (Valkey's own names). */
    readonly serverCommand: string;
    readonly cliCommand: string;
    /** The release series the image must hold (`8.0`): Debian may move a stable release to a newer patch version. */
    readonly series: string;
}

/** The suite's image: the local build of the default `redis:8.0.2` here, the default itself where a registry answers. */
export const SUITE_VERSION: TestedVersion = {
    tag: "redis8",
    title: "Redis 8.0",
    image: TEST_IMAGE,
    serverCommand: "redis-server",
    cliCommand: "redis-cli",
    series: "8.0",
};

/** What stacks made before the default moved to 8.0 run (7.0 here; the old default was redis:7.2). */
export const REDIS_7: TestedVersion = {
    tag: "redis7",
    title: "Redis 7.0",
    image: process.env.REDIS_STACK_LOCAL_IMAGE_REDIS7 ?? "redis-stack-local/redis:7",
    serverCommand: "redis-server",
    cliCommand: "redis-cli",
    series: "7.0",
};

export const VALKEY_8: TestedVersion = {
    tag: "valkey8",
    title: "Valkey 8.1",
    image: process.env.REDIS_STACK_LOCAL_IMAGE_VALKEY8 ?? "redis-stack-local/valkey:8",
    serverCommand: "valkey-server",
    cliCommand: "valkey-cli",
    series: "8.1",
};

/** The versions besides the 8.0 that every other suite runs. */
export const OTHER_VERSIONS: readonly TestedVersion[] = [REDIS_7, VALKEY_8];

/** The version a node runs, from its INFO server reply: Valkey's own version where it reports one. */
export function reportedVersion(infoServer: string): string {
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(infoServer)?.[1]?.trim();
    return field("valkey_version") ?? field("redis_version") ?? "";
}

/**
 * Asserts that a node runs the version's series and, for this project's local builds, the very version the
 * image was built from (its `org.opencontainers.image.version` label; the official images carry none).
 */
export function assertRunsVersion(infoServer: string, version: TestedVersion, where: string): void {
    const reported = reportedVersion(infoServer);
    assert.ok(reported.startsWith(`${version.series}.`), `${where} runs ${reported}, not ${version.title}`);
    const built = docker("image", "inspect", "-f", '{{index .Config.Labels "org.opencontainers.image.version"}}', version.image);
    if (built !== "" && built !== "<no value>") assert.equal(reported, built, `${where} runs the version ${version.image} was built from`);
}
