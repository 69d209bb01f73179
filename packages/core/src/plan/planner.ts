// The block planner (APB.md section 2): splits the context across hosts, builds anchors with the question
// inserted at qsp, assigns positions (anchor 0..l_a-1, local global), pads the last host. Pure functions.

import { PlanError } from "../errors/index.js";
import type { GroupPlan, HostPlan, PassingMode, PlanInput, PlanOptions, Selection, Strategy } from "./types.js";

const DEFAULT_TILE = 16;
/** The pad token id and position used by the reference code (APB.md 2.1). */
const PAD_ID = 0;

interface Lengths {
  readonly anchorLen: number;
  readonly passingLen: number;
  readonly passingMode: PassingMode;
  readonly insertQuery: boolean;
}

/** Default lengths follow the paper's rule l_a = l_b/4, l_p = l_b/8, rounded to the tile (at least one tile). */
export function defaultApbLengths(blockLen: number, tile = DEFAULT_TILE): { anchorLen: number; passingLen: number } {
  const round = (x: number): number => {
    if (blockLen < tile) return Math.max(1, Math.floor(x));
    return Math.min(blockLen, Math.max(tile, Math.round(x / tile) * tile));
  };
  return { anchorLen: round(blockLen / 4), passingLen: round(blockLen / 8) };
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new PlanError(`${name} must be an integer ≥ ${min}, got ${v}`, { [name]: v });
}

function strategyLengths(opts: PlanOptions, blockLen: number, numQuestion: number): Lengths {
  const s: Strategy = opts.strategy;
  if (s !== "apb" && (opts.anchorLen !== undefined || opts.passingLen !== undefined)) {
    throw new PlanError(`--anchor and --passing apply to the apb strategy only (strategy is ${s})`);
  }
  if (s === "full") {
    if (opts.numHosts !== 1) throw new PlanError(`strategy full runs on one host; got ${opts.numHosts} hosts (use --hosts 1, or ring for exact multi-host)`);
    return { anchorLen: 0, passingLen: 0, passingMode: "none", insertQuery: false };
  }
  if (s === "ring") return { anchorLen: 0, passingLen: blockLen, passingMode: "all", insertQuery: false };
  if (s === "star") return { anchorLen: blockLen, passingLen: 0, passingMode: "none", insertQuery: false };
  const def = defaultApbLengths(blockLen, opts.tile ?? DEFAULT_TILE);
  const qsp = opts.queryStart ?? 0;
  const needed = numQuestion > 0 ? qsp + numQuestion : 0;
  // A default anchor grows to hold the question; an explicit one that cannot hold it is an error below.
  const anchorLen = opts.anchorLen ?? Math.min(blockLen, Math.max(def.anchorLen, needed));
  const passingLen = opts.passingLen ?? def.passingLen;
  checkInt("anchor length", anchorLen, 0);
  checkInt("passing length", passingLen, 0);
  if (anchorLen > blockLen) throw new PlanError(`anchor length ${anchorLen} is longer than a block (${blockLen} tokens); use at most ${blockLen}`);
  if (passingLen > blockLen) throw new PlanError(`passing length ${passingLen} is longer than a block (${blockLen} tokens); use at most ${blockLen}`);
  const insertQuery = numQuestion > 0 && anchorLen > 0;
  if (insertQuery && qsp + numQuestion > anchorLen) {
    throw new PlanError(
      `the question (${numQuestion} tokens at qsp ${qsp}) does not fit in the anchor of ${anchorLen} tokens: ` +
        `use --anchor ≥ ${qsp + numQuestion}, a shorter question, or anchor 0`,
      { queryStart: qsp, numQuestion, anchorLen },
    );
  }
  return { anchorLen, passingLen, passingMode: passingLen > 0 ? "select" : "none", insertQuery };
}

/** Anchor ids: ctx[0:qsp] + question + ctx[qsp : l_a - l_q] (APB.md 2.4); just ctx[0:l_a] without a question. */
export function anchorIds(context: Int32Array, anchorLen: number, question: Int32Array, queryStart: number): Int32Array {
  const out = new Int32Array(anchorLen);
  if (question.length === 0) {
    out.set(context.subarray(0, anchorLen));
    return out;
  }
  out.set(context.subarray(0, queryStart), 0);
  out.set(question, queryStart);
  out.set(context.subarray(queryStart, anchorLen - question.length), queryStart + question.length);
  return out;
}

interface HostArgs {
  readonly host: number;
  readonly input: PlanInput;
  readonly opts: PlanOptions;
  readonly len: Lengths;
  readonly blockLen: number;
  readonly numPad: number;
  readonly selection: Selection;
  readonly probe: Int32Array;
}

function hostPlan(a: HostArgs): HostPlan {
  const { host, input, len, blockLen } = a;
  const H = a.opts.numHosts;
  const n = input.context.length;
  const anchor = host > 0 && len.anchorLen > 0 ? len.anchorLen : 0;
  const question = len.insertQuery ? (input.anchorQuery ?? new Int32Array(0)) : new Int32Array(0);
  const pad = host === H - 1 ? a.numPad : 0;
  const total = anchor + blockLen + a.probe.length;
  const ids = new Int32Array(total);
  const positions = new Int32Array(total);
  if (anchor > 0) {
    ids.set(anchorIds(input.context, anchor, question, a.opts.queryStart ?? 0));
    for (let i = 0; i < anchor; i++) positions[i] = i;
  }
  const start = host * blockLen;
  const real = blockLen - pad;
  ids.set(input.context.subarray(start, start + real), anchor);
  for (let i = 0; i < real; i++) positions[anchor + i] = start + i;
  for (let i = 0; i < pad; i++) ids[anchor + real + i] = PAD_ID; // positions stay 0 (APB.md 2.1)
  ids.set(a.probe, anchor + blockLen);
  for (let i = 0; i < a.probe.length; i++) positions[anchor + blockLen + i] = n + i;
  return {
    host,
    numHosts: H,
    ids,
    positions,
    anchorLen: anchor,
    localLen: blockLen,
    numPad: pad,
    localStart: start,
    probeLen: a.probe.length,
    passingLen: len.passingLen,
    passingMode: len.passingMode,
    selection: a.selection,
    selectMaskLen: a.opts.strategy === "apb" ? len.anchorLen : 0,
    numPassingRows: len.passingMode === "none" ? 0 : host * len.passingLen,
  };
}

function validateInput(input: PlanInput, opts: PlanOptions): void {
  checkInt("number of hosts", opts.numHosts, 1);
  const n = input.context.length;
  if (n < opts.numHosts) throw new PlanError(`the context has ${n} tokens, fewer than the ${opts.numHosts} hosts; use at most ${n} hosts`, { numContext: n, numHosts: opts.numHosts });
  const blockLen = Math.ceil(n / opts.numHosts);
  if ((opts.numHosts - 1) * blockLen >= n) {
    const maxHosts = maxHostsFor(n, opts.numHosts);
    throw new PlanError(`a context of ${n} tokens cannot be split over ${opts.numHosts} hosts: the last host would get no token; use ${maxHosts} hosts or fewer`, { numContext: n, numHosts: opts.numHosts });
  }
  const qsp = opts.queryStart ?? 0;
  checkInt("query start (qsp)", qsp, 0);
  if (opts.maxPositions !== undefined && n + input.query.length > opts.maxPositions) {
    throw new PlanError(`context (${n}) + query (${input.query.length}) tokens exceed the model's ${opts.maxPositions} positions`);
  }
}

function maxHostsFor(n: number, upTo: number): number {
  for (let h = upTo; h > 1; h--) if ((h - 1) * Math.ceil(n / h) < n) return h;
  return 1;
}

/**
 * Plans one request: per-host ids and positions, anchor/passing lengths, padding, selection.
 * @throws PlanError for impossible settings (question does not fit the anchor, passing longer than a block,
 *   more hosts than tokens, strategy options that do not apply).
 */
export function planGroup(input: PlanInput, opts: PlanOptions): GroupPlan {
  validateInput(input, opts);
  const n = input.context.length;
  const H = opts.numHosts;
  const blockLen = Math.ceil(n / H);
  const numPad = H * blockLen - n;
  const question = input.anchorQuery ?? new Int32Array(0);
  const len = strategyLengths(opts, blockLen, question.length);
  const selection: Selection = opts.selection ?? "retaining-heads";
  if (opts.selection !== undefined && opts.strategy !== "apb") throw new PlanError(`--selection applies to the apb strategy only (strategy is ${opts.strategy})`);
  const usesProbe = len.passingMode === "select" && selection === "query";
  if (usesProbe && question.length === 0) throw new PlanError("query selection needs a question (--question) to score keys against");
  const probe = usesProbe ? question : new Int32Array(0);
  const hosts: HostPlan[] = [];
  for (let h = 0; h < H; h++) hosts.push(hostPlan({ host: h, input, opts, len, blockLen, numPad, selection, probe }));
  const queryPositions = new Int32Array(input.query.length);
  for (let i = 0; i < queryPositions.length; i++) queryPositions[i] = n + i;
  return {
    strategy: opts.strategy,
    numHosts: H,
    numContext: n,
    blockLen,
    anchorLen: len.anchorLen,
    passingLen: len.passingLen,
    numPad,
    queryStart: opts.queryStart ?? 0,
    selection,
    hosts,
    query: input.query,
    queryPositions,
  };
}
