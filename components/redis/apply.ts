// Carrying out a formation plan: each step's commands, with bounded waits (components/common/wait.ts) that
// poll in tens of milliseconds and errors that name the node at fault (never the password).
import type { Redis as RedisClient } from "ioredis";
import { messageOf } from "../common/errorMessage";
import { DEFAULT_TIMEOUTS, Timeouts } from "../common/timeouts";
import { Deadline, done, notYet, retrying, waitFor } from "../common/wait";
import { isMaster, myself, parseClusterNodes, parseInfo, slotRangesOf } from "./clusterView";
import { maskSecrets, whileLoading } from "./connect";
import { FormationError, FormationNode } from "./formationTypes";
import { MoveOptions, MovePair, SlotHolder, SlotMove, migrateKeys, movesTogether, moveSlots } from "./migrate";
import { MoveProgress } from "./moveProgress";
import { Connected, stoppedAnswering } from "./observe";
import { Step, meetsNeeded } from "./plan";

export interface ApplyContext {
    /** Every node the plan names (staying and leaving), connected. */
    readonly nodes: readonly Connected[];
    /** Node ids by name, from the observation the plan was made from. */
    readonly ids: ReadonlyMap<string, string>;
    readonly password?: string;
    /**
     * The formation's bound, about progress: it expires once no step completed and no key moved for
     * its length. Every wait of the plan ends with it; its clock is theirs.
     */
    readonly deadline: Deadline;
    /** @default DEFAULT_TIMEOUTS */
    readonly timeouts?: Timeouts;
    readonly onStep?: (step: string) => void;
    /** Lines for the user while a long step runs (slots and keys moved so far), as `pulumi up` shows them. */
    readonly report?: (line: string) => void;
    /** Puts back settings changed for the duration of forming; the caller runs them whatever happens. */
    readonly restores: Array<() => Promise<void>>;
    /**
     * Opens another connection to a node, for the lanes slot moves spread their commands over (migrate.ts
     * MoveOptions.lane); each lane is opened once and closed when the plan is done. Without it, slot moves
     * send everything on the node's one connection.
     */
    readonly connect?: (node: FormationNode) => Promise<RedisClient>;
}

const TRANSIENT = /timed? ?out|ECONNRESET|ECONNREFUSED|EPIPE|Connection is closed|closed/i;

class Runner {
    readonly byName: Map<string, Connected>;
    readonly timeouts: Timeouts;

    /** The slot moves' extra connections, by node name and lane number: opened on first use, closed by closeLanes. */
    private readonly lanes = new Map<string, Promise<RedisClient>>();

    constructor(readonly ctx: ApplyContext) {
        this.byName = new Map(ctx.nodes.map((c) => [c.node.name, c]));
        this.timeouts = ctx.timeouts ?? DEFAULT_TIMEOUTS;
    }

    /** A node's `index`-th lane, opened with `connect` (ApplyContext.connect) the first time. */
    lane(name: string, index: number, connect: (node: FormationNode) => Promise<RedisClient>): Promise<RedisClient> {
        const key = `${name}#${index}`;
        let lane = this.lanes.get(key);
        if (!lane) {
            lane = connect(this.node(name).node);
            this.lanes.set(key, lane);
        }
        return lane;
    }

    async closeLanes(): Promise<void> {
        const opened = [...this.lanes.values()];
        this.lanes.clear();
        for (const lane of await Promise.allSettled(opened)) if (lane.status === "fulfilled") lane.value.disconnect();
    }

    node(name: string): Connected {
        const c = this.byName.get(name);
        if (!c) throw new FormationError(`the plan names node ${name}, which is not connected`);
        return c;
    }

    id(name: string): string {
        const id = this.ctx.ids.get(name);
        if (!id) throw new FormationError(`node ${name} has no known cluster id`);
        return id;
    }

    /** Sends one command to a node; a failure names the node and the command, never the password. */
    async call(name: string, ...args: string[]): Promise<unknown> {
        const c = this.node(name);
        try {
            return await whileLoading(() => c.client.call(args[0], ...args.slice(1)), this.ctx.deadline, this.timeouts.pollMs);
        } catch (err) {
            if (TRANSIENT.test(messageOf(err))) throw stoppedAnswering(c.node, err);
            throw new FormationError(
                `node ${name} at ${c.node.host}:${c.node.port} refused ${args.slice(0, 2).join(" ")}: ${maskSecrets(err, this.ctx.password)}`,
            );
        }
    }

    /** MIGRATE of keys from node `name` to `target` (migrate.ts migrateKeys); a failure names the node, never the password. */
    private async migrate(name: string, target: Connected["node"], keys: readonly string[]): Promise<void> {
        const c = this.node(name);
        try {
            await whileLoading(
                () => migrateKeys(c.client, target.announceHost, target.announcePort, this.timeouts.migrateMs, keys, this.ctx.password),
                this.ctx.deadline,
                this.timeouts.pollMs,
            );
        } catch (err) {
            if (TRANSIENT.test(messageOf(err))) throw stoppedAnswering(c.node, err);
            throw new FormationError(
                `node ${name} at ${c.node.host}:${c.node.port} refused MIGRATE: ${maskSecrets(err, this.ctx.password)}`,
            );
        }
    }

    /** Polls `check` every pollMs until it returns undefined, within the formation's bound; its last answer explains a timeout. */
    async waitFor(what: string, check: () => Promise<string | undefined>): Promise<void> {
        await waitFor(
            async () => {
                const problem = await check();
                return problem === undefined ? done(undefined) : notYet(problem);
            },
            {
                what,
                within: this.ctx.deadline,
                pollMs: this.timeouts.pollMs,
                error: (problem) => new FormationError(`timed out waiting for ${what}: ${problem}`),
            },
        );
    }

    /** The time on the formation's clock. */
    now(): number {
        return this.ctx.deadline.clock.now();
    }

    /** This node's CLUSTER NODES; a replica reloading after a full resync (new master address) answers LOADING meanwhile. */
    async viewOf(name: string) {
        return parseClusterNodes(String(await this.call(name, "CLUSTER", "NODES")));
    }

    /** The nodes that stay (those that meet): every node but those the plan retires. */
    staying(steps: readonly Step[]): FormationNode[] {
        const leaving = new Set(steps.filter((s) => s.kind === "retire").map((s) => (s as { node: string }).node));
        return this.ctx.nodes.map((c) => c.node).filter((n) => !leaving.has(n.name));
    }

    meet(name: string, peer: string): Promise<unknown> {
        const to = this.node(peer).node;
        return this.call(name, "CLUSTER", "MEET", to.announceHost, String(to.announcePort), String(to.busPort));
    }

    /** Every staying node knows every other at its announced address; meets again after meetRetryMs. */
    async awaitMeet(staying: readonly FormationNode[]): Promise<void> {
        let lastMeet = this.now();
        await this.waitFor("the nodes to meet", async () => {
            const views = await Promise.all(
                staying.map(async (node) => {
                    const view = await this.viewOf(node.name);
                    return { node, id: myself(view).id, view };
                }),
            );
            const meets = meetsNeeded(views);
            if (meets.length === 0) return undefined;
            // A handshake can time out on a busy host; meeting again is harmless.
            if (this.now() - lastMeet > this.timeouts.meetRetryMs) {
                await Promise.all(meets.map((m) => this.meet(m.node, m.peer)));
                lastMeet = this.now();
            }
            return `node ${meets[0].node} does not yet know ${meets[0].peer} at its announced address (or the other way round)`;
        });
    }

    /**
     * CLUSTER REPLICATE, sent again while the node still sees `master` as a replica: a node back from a
     * stop or a removal holds its nodes.conf view, where its old replica (promoted meanwhile) is still
     * its replica, until gossip with the newer config epoch reaches it, a heartbeat or two later.
     */
    async replicate(name: string, master: string): Promise<void> {
        await retrying(
            () => this.call(name, "CLUSTER", "REPLICATE", this.id(master)),
            (err) => /I can only replicate a master/.test(messageOf(err)),
            { within: this.ctx.deadline, pollMs: this.timeouts.pollMs },
        );
    }

    async awaitOk(names: readonly string[]): Promise<void> {
        await this.waitFor("cluster_state:ok on every node", async () => {
            const states = await Promise.all(
                names.map(async (name) => parseInfo(String(await this.call(name, "CLUSTER", "INFO"))).cluster_state),
            );
            const i = states.findIndex((state) => state !== "ok");
            return i < 0 ? undefined : `node ${names[i]} reports cluster_state:${states[i]}`;
        });
    }

    /**
     * Sets a config parameter where it differs; ctx.restores puts back `restore` (the declared value), or
     * without one each node's value before. With the declared value, a node a killed formation left at the
     * temporary value goes back too.
     */
    async overrideConfig(names: readonly string[], param: string, value: string, restore?: string): Promise<void> {
        const back = await Promise.all(
            names.map(async (name) => {
                const current = ((await this.call(name, "CONFIG", "GET", param)) as string[])[1];
                if (current !== value) await this.call(name, "CONFIG", "SET", param, value);
                const original = restore ?? current;
                return original === value ? undefined : original;
            }),
        );
        this.ctx.restores.push(async () => {
            await Promise.all(
                names.map(async (name, i) => {
                    if (back[i] !== undefined) await this.call(name, "CONFIG", "SET", param, back[i]);
                }),
            );
        });
    }

    async failover(name: string, from: string): Promise<void> {
        await this.call(name, "CLUSTER", "FAILOVER");
        await waitFor(
            async () => {
                const me = myself(await this.viewOf(name));
                return isMaster(me) && me.slots.length > 0 ? done(undefined) : notYet("not a master with slots yet");
            },
            {
                what: `node ${name} to take over from ${from}`,
                timeoutMs: this.timeouts.failoverMs,
                within: this.ctx.deadline,
                pollMs: this.timeouts.pollMs,
                error: () =>
                    new FormationError(
                        `node ${name}: CLUSTER FAILOVER from ${from} did not complete within ${Math.round(this.timeouts.failoverMs / 1000)} s`,
                    ),
            },
        );
    }

    /** `id`: the node's cluster id, which a slot's source and target must have; the other masters are only told. */
    holder(name: string, id = this.id(name)): SlotHolder {
        const c = this.node(name);
        return { name, client: c.client, id, host: c.node.announceHost, port: c.node.announcePort };
    }

    /** Moves slots with their keys; every key moved is progress of the formation, so a long move is not cut off. */
    async moveSlots(
        from: string,
        to: string,
        slots: readonly number[],
        others: readonly string[],
        report?: Pick<MoveOptions, "onMoved" | "onSlotMoved">,
    ): Promise<number> {
        const otherMasters = others.map((n) => this.holder(n, this.ctx.ids.get(n) ?? ""));
        const connect = this.ctx.connect;
        const moves: SlotMove[] = slots.map((slot) => ({ slot, source: this.holder(from), target: this.holder(to), otherMasters }));
        try {
            return await moveSlots(moves, this.ctx.password, {
                timeouts: this.timeouts,
                clock: this.ctx.deadline.clock,
                onProgress: () => this.ctx.deadline.progressed(),
                ...(connect ? { lane: (holder: SlotHolder, index: number) => this.lane(holder.name, index, connect) } : {}),
                ...report,
            });
        } catch (err) {
            throw new FormationError(`moving slots from ${from} to ${to}: ${messageOf(err)}`);
        }
    }

    /**
     * `redis-cli --cluster fix` case 2: keys on importing nodes go to the owner, then every master learns
     * the owner. A key the owner already has stays the owner's: its copy is the one clients have been
     * reading and writing, so the importing node's stale duplicate is dropped rather than written over it
     * (redis-cli would REPLACE the owner's). Seen after a 4 -> 3 scale-in and a restart of every node.
     */
    async returnKeys(slot: number, from: readonly string[], to: string, others: readonly string[]): Promise<void> {
        const target = this.node(to).node;
        for (const name of from) {
            // As moveSlot: keys moved when the node lists others than last time; a move stalled for moveStallMs fails.
            let listed = "";
            let listings = 0;
            await waitFor(
                async () => {
                    const keys = (await this.call(name, "CLUSTER", "GETKEYSINSLOT", String(slot), "100")) as string[];
                    if (keys.join("\n") !== listed) {
                        listed = keys.join("\n");
                        listings++;
                        this.ctx.deadline.progressed();
                    }
                    if (keys.length === 0) return done(undefined);
                    const onOwner = await Promise.all(keys.map(async (key) => Number(await this.call(to, "EXISTS", key)) > 0));
                    const missing = keys.filter((_, i) => !onOwner[i]);
                    const duplicates = keys.filter((_, i) => onOwner[i]);
                    if (missing.length > 0) await this.migrate(name, target, missing);
                    if (duplicates.length > 0) await this.dropKeys(name, duplicates);
                    return notYet(`${name} still lists keys in it`);
                },
                {
                    what: `the keys of slot ${slot} on ${name} to go to ${to}`,
                    timeoutMs: this.timeouts.moveStallMs,
                    progress: () => listings,
                    pollMs: this.timeouts.pollMs,
                    clock: this.ctx.deadline.clock,
                    error: (problem, waitedMs) =>
                        new FormationError(
                            `closing slot ${slot}: no key moved from ${name} to ${to} for ${Math.round(waitedMs / 1000)} s (${problem})`,
                        ),
                },
            );
            await this.call(name, "CLUSTER", "SETSLOT", String(slot), "STABLE");
        }
        await Promise.all(
            others
                .filter((n) => n !== to)
                .map((n) => this.call(n, "CLUSTER", "SETSLOT", String(slot), "NODE", this.id(to)).catch(() => undefined)),
        );
    }

    /** Deletes keys of a slot the node imports: it takes a command for such a slot only right after ASKING. */
    private async dropKeys(name: string, keys: readonly string[]): Promise<void> {
        const pipeline = this.node(name).client.pipeline();
        for (const key of keys) pipeline.call("ASKING").call("DEL", key);
        const replies = (await pipeline.exec()) ?? [];
        const failed = replies.find(([err]) => err !== null);
        if (failed)
            throw new FormationError(
                `node ${name} refused to drop stale duplicates of its owner's keys: ${maskSecrets(failed[0], this.ctx.password)}`,
            );
    }

    async retire(name: string): Promise<void> {
        const me = myself(await this.viewOf(name));
        if (me.slots.length > 0) throw new FormationError(`leaving node ${name} still holds slots ${slotRangesOf(me.slots).join(",")}`);
        await this.call(name, "CLUSTER", "RESET", "SOFT");
    }

    async forget(on: readonly string[], id: string, retired: boolean): Promise<void> {
        await Promise.all(
            on.map((name) =>
                this.call(name, "CLUSTER", "FORGET", id).catch((err: Error) => {
                    // A stale entry may be gone already; a retired node may never have been known.
                    if (retired && !/Unknown node/i.test(err.message)) throw err;
                }),
            ),
        );
    }
}

/** Steps of these kinds touch different nodes or pairs independently: a run of them goes at once. */
const PARALLEL = new Set<Step["kind"]>(["restore-config", "forget", "reset", "add-slots", "set-epoch", "meet", "replicate"]);

/**
 * Runs the steps in order (a run of parallel-safe steps at once). Consecutive slot moves go at once when
 * their pairs can (movesTogether: no node a source and a target at the same time), the others after them.
 */
export async function applyPlan(steps: readonly Step[], ctx: ApplyContext): Promise<void> {
    const run = new Runner(ctx);
    try {
        await applySteps(run, steps, ctx);
    } finally {
        await run.closeLanes();
    }
}

async function applySteps(run: Runner, steps: readonly Step[], ctx: ApplyContext): Promise<void> {
    const say = ctx.onStep ?? (() => undefined);
    const staying = run.staying(steps);
    const allNames = ctx.nodes.map((c) => c.node.name);
    const slotsToMove = steps.reduce((n, s) => n + (s.kind === "move-slots" ? s.slots.length : 0), 0);
    const report = ctx.report ?? (() => undefined);
    const progress = new MoveProgress(slotsToMove, ctx.deadline.clock, report);
    let movedSlots = 0;
    let movedKeys = 0;
    for (let i = 0; i < steps.length;) {
        const kind = steps[i].kind;
        let j = i + 1;
        if (PARALLEL.has(kind)) while (j < steps.length && steps[j].kind === kind) j++;
        if (kind === "move-slots") {
            progress.start();
            const wave: MovePair[] = [steps[i] as MovePair];
            for (let next = steps[j]; next?.kind === "move-slots" && movesTogether(wave, next); next = steps[++j]) wave.push(next);
        }
        const batch = steps.slice(i, j);
        await Promise.all(
            batch.map((step) =>
                execute(run, step, staying, allNames, progress).then((keys) => {
                    if (step.kind === "move-slots" || (step.kind === "close-slot" && step.action.kind === "finish")) {
                        movedSlots += step.kind === "move-slots" ? step.slots.length : 1;
                        movedKeys += keys;
                    }
                }),
            ),
        );
        // A step done is progress: the formation's bound counts from here.
        ctx.deadline.progressed();
        if (kind === "meet") say("slots assigned, meet sent");
        if (kind === "await-meet") say("gossip converged");
        if (kind === "move-slots" && steps[j]?.kind !== "move-slots") {
            say(`moved ${movedSlots} slots with ${movedKeys} keys`);
            report(progress.summary());
        }
        if (kind === "retire" && steps[j]?.kind !== "retire") say(`retired ${steps.filter((s) => s.kind === "retire").length} nodes`);
        i = j;
    }
}

/** Runs one step; returns the number of keys it moved. */
async function execute(
    run: Runner,
    step: Step,
    staying: readonly FormationNode[],
    allNames: readonly string[],
    progress: MoveProgress,
): Promise<number> {
    switch (step.kind) {
        case "forget":
            await run.forget(step.on, step.id, step.retired === true);
            return 0;
        case "reset":
            await run.call(step.node, "CLUSTER", "RESET", "SOFT");
            return 0;
        case "add-slots":
            for (const range of slotRangesOf(step.slots)) {
                const [start, end] = range.split("-");
                await run.call(step.node, "CLUSTER", "ADDSLOTSRANGE", start, end ?? start);
            }
            return 0;
        // Only a node that knows nobody accepts it; a re-run that finds it refused has nothing to fix.
        case "set-epoch":
            await run.call(step.node, "CLUSTER", "SET-CONFIG-EPOCH", String(step.epoch)).catch(() => undefined);
            return 0;
        case "meet":
            await run.meet(step.node, step.peer);
            return 0;
        case "await-meet":
            await run.awaitMeet(staying);
            return 0;
        case "override-config":
            await run.overrideConfig(step.nodes, step.name, step.value, step.restore);
            return 0;
        case "restore-config":
            await Promise.all(step.nodes.map((name) => run.call(name, "CONFIG", "SET", step.name, step.value)));
            return 0;
        case "replicate":
            await run.replicate(step.node, step.master);
            return 0;
        case "await-ok":
            await run.awaitOk(allNames);
            return 0;
        case "failover":
            await run.failover(step.node, step.from);
            return 0;
        case "close-slot": {
            const a = step.action;
            if (a.kind === "finish")
                return run.moveSlots(
                    a.from,
                    a.to,
                    [step.slot],
                    allNames.filter((n) => n !== a.from && n !== a.to),
                );
            if (a.kind === "stable") {
                await Promise.all(a.nodes.map((n) => run.call(n, "CLUSTER", "SETSLOT", String(step.slot), "STABLE")));
                return 0;
            }
            await run.returnKeys(step.slot, a.from, a.to, allNames);
            return 0;
        }
        case "move-slots":
            return run.moveSlots(step.from, step.to, step.slots, step.others, progress);
        case "retire":
            await run.retire(step.node);
            return 0;
    }
}
