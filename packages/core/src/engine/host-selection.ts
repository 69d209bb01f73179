// Which rows a host passes on for one layer (APB.md 3.2-3.5 and 8): all rows (Ring), or top-l_p per KV head by
// retaining-head, query or random scores, max-pooled, with the first l_a rows masked on every host.

import type { AttnInput, Backend } from "../backend/index.js";
import { ApbError } from "../errors/index.js";
import type { ModelConfig } from "../model/types.js";
import type { HostPlan } from "../plan/index.js";
import { allRows, expandScores, maxPoolRows, randomScores, topKPerChannel } from "../selection/index.js";
import type { Tensor } from "../tensor/index.js";

export interface SelectArgs<T extends Tensor> {
  readonly layer: number;
  readonly plan: HostPlan;
  readonly qkv: AttnInput<T>;
  readonly config: ModelConfig;
  readonly seed: number;
}

/** Seed of the random-selection ablation for one (request seed, host, layer). */
function randomSeed(seed: number, host: number, layer: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x01000193) ^ Math.imul(host + 1, 0x9e3779b1) ^ Math.imul(layer + 1, 0x85ebca6b)) >>> 0;
}

async function selectionScores<T extends Tensor>(b: Backend<T>, a: SelectArgs<T>, numRows: number): Promise<Float32Array> {
  const nkv = a.config.numKvHeads;
  switch (a.plan.selection) {
    case "retaining-heads": {
      const s = a.qkv.scores;
      if (s === undefined) throw new ApbError("INTERNAL", "retaining-head scores were not computed");
      const numOut = s.length / a.qkv.q.shape[0]!;
      const expanded = expandScores(s, a.qkv.q.shape[0]!, numOut, nkv).subarray(0, numRows * nkv);
      return maxPoolRows(expanded, numRows, nkv);
    }
    case "query": {
      const probe = b.sliceRows(a.qkv.q, numRows, numRows + a.plan.probeLen);
      const keys = b.sliceRows(a.qkv.k, 0, numRows);
      const s = await b.queryScores(probe, keys);
      b.dispose(probe);
      b.dispose(keys);
      return maxPoolRows(s, numRows, nkv);
    }
    case "random":
      return randomScores(numRows, nkv, randomSeed(a.seed, a.plan.host, a.layer));
  }
}

/** Row indices [passingLen, nkv] into this host's [anchor | local] rows. */
export async function selectRows<T extends Tensor>(b: Backend<T>, a: SelectArgs<T>): Promise<Int32Array> {
  const { plan, config } = a;
  if (plan.passingMode === "all") return allRows(plan.anchorLen, plan.localLen - plan.numPad, config.numKvHeads);
  const numRows = plan.anchorLen + plan.localLen; // candidates: anchor (masked) and local, never probe rows
  const scores = await selectionScores(b, a, numRows);
  return topKPerChannel(scores, { numCandidates: numRows, numChannels: config.numKvHeads, maskLen: plan.selectMaskLen, k: plan.passingLen });
}
