// Plan types: the strategy settings a user picks and the per-host layout the planner derives (APB.md section 2).

/** How the context is split and what each host sees. All four are configurations of one engine. */
export type Strategy = "full" | "ring" | "star" | "apb";

/** How a host picks the KV rows it passes on (APB only). */
export type Selection = "retaining-heads" | "query" | "random";

/** What a host passes to later hosts per layer. */
export type PassingMode = "none" | "all" | "select";

/** Strategy settings. Lengths are per host; undefined means the strategy's default. */
export interface PlanOptions {
  readonly strategy: Strategy;
  readonly numHosts: number;
  /** l_a, APB only (Star's anchor is always one block). Default l_b/4 rounded to the tile. */
  readonly anchorLen?: number;
  /** l_p per earlier host and KV head, APB only. Default l_b/8 rounded to the tile. */
  readonly passingLen?: number;
  /** APB only; default "retaining-heads". */
  readonly selection?: Selection;
  /** qsp: where the question goes inside the anchor (after the chat-template header). Default 0. */
  readonly queryStart?: number;
  /** Granularity of default anchor/passing lengths. Default 16. */
  readonly tile?: number;
  /** The model's position limit: context + query + generated tokens must fit. */
  readonly maxPositions?: number;
}

/** The token streams of one request. */
export interface PlanInput {
  /** The context, prefilled across hosts (n tokens). */
  readonly context: Int32Array;
  /** Tokens run by every host after prefill (question + template tail); empty when only prefilling (a session). */
  readonly query: Int32Array;
  /** The cleaned question inserted into the anchor (APB) and used as probe rows (query selection). Default: none. */
  readonly anchorQuery?: Int32Array;
}

/** What one host runs during prefill. Rows are [anchor (anchorLen) | local (localLen) | probe (probeLen)]. */
export interface HostPlan {
  readonly host: number;
  readonly numHosts: number;
  readonly ids: Int32Array;
  readonly positions: Int32Array;
  /** a_h: anchor rows at the front (0 on host 0 and whenever l_a = 0). */
  readonly anchorLen: number;
  /** l_b rows of this host's block, padding included. */
  readonly localLen: number;
  /** Pad rows at the end of the local block (last host only); trimmed from the cache. */
  readonly numPad: number;
  /** Global position of the first local token (h * l_b). */
  readonly localStart: number;
  /** Query rows appended after the block to score keys ("query" selection); never cached. */
  readonly probeLen: number;
  /** Rows per KV head this host passes on (l_p; l_b when mode is "all"). */
  readonly passingLen: number;
  readonly passingMode: PassingMode;
  readonly selection: Selection;
  /** Rows at the front excluded from selection (l_a, on every host, host 0 included: APB.md 3.4). */
  readonly selectMaskLen: number;
  /** Rows of passing KV this host attends to: sum over earlier hosts. */
  readonly numPassingRows: number;
}

/** The whole request's layout. */
export interface GroupPlan {
  readonly strategy: Strategy;
  readonly numHosts: number;
  readonly numContext: number;
  /** l_b */
  readonly blockLen: number;
  /** l_a (0 for full/ring; l_b for star) */
  readonly anchorLen: number;
  /** l_p (0 for full/star; l_b for ring) */
  readonly passingLen: number;
  readonly numPad: number;
  readonly queryStart: number;
  readonly selection: Selection;
  readonly hosts: readonly HostPlan[];
  /** Query-pass tokens and their true positions n, n+1, ... */
  readonly query: Int32Array;
  readonly queryPositions: Int32Array;
}
