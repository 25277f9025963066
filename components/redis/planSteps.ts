// Pure: the steps a formation plan is made of, as data (./plan.ts decides them, ./apply.ts runs them,
// ./describePlan.ts prints them).

/** How an open slot (left IMPORTING/MIGRATING by an interrupted move) is closed, as `redis-cli --cluster fix` does. */
export type CloseAction =
    /**
     * Migrating on its owner, importing on another node: finish the move (its remaining keys too).
     * Going back instead is not safe: the owner answers ASK for every key it lacks while it
     * migrates, so keys could only return after it stopped, and meanwhile it would answer nil.
     */
    | { readonly kind: "finish"; readonly from: string; readonly to: string }
    /** Marked open on nodes that hold none of its keys (or own it): just mark it stable there. */
    | { readonly kind: "stable"; readonly nodes: readonly string[] }
    /** Importing nodes hold some of its keys though nobody migrates it: move those keys to the owner. */
    | { readonly kind: "return-keys"; readonly from: readonly string[]; readonly to: string };

/** One step of a formation; nodes are named as in the spec. */
export type Step =
    | { readonly kind: "forget"; readonly id: string; readonly on: readonly string[]; readonly why: string; readonly retired?: boolean }
    | { readonly kind: "reset"; readonly node: string; readonly why: string }
    | { readonly kind: "add-slots"; readonly node: string; readonly slots: readonly number[] }
    | { readonly kind: "set-epoch"; readonly node: string; readonly epoch: number }
    | { readonly kind: "meet"; readonly node: string; readonly peer: string }
    | { readonly kind: "await-meet" }
    | {
          readonly kind: "override-config";
          readonly name: string;
          readonly value: string;
          readonly nodes: readonly string[];
          readonly why: string;
      }
    | { readonly kind: "replicate"; readonly node: string; readonly master: string }
    | { readonly kind: "await-ok"; readonly why: string }
    | { readonly kind: "failover"; readonly node: string; readonly from: string }
    | { readonly kind: "close-slot"; readonly slot: number; readonly action: CloseAction }
    | {
          readonly kind: "move-slots";
          readonly from: string;
          readonly to: string;
          readonly slots: readonly number[];
          readonly others: readonly string[];
      }
    | { readonly kind: "retire"; readonly node: string };

export interface Plan {
    readonly steps: readonly Step[];
    /** The shard index that owns each slot once the plan has run. */
    readonly layout: readonly number[];
    /** The shard each staying node serves once the plan has run (node name -> shard index). */
    readonly shards: Readonly<Record<string, number>>;
}
