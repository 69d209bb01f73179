// Weights in SharedArrayBuffers: loaded once per process and handed to every host thread without a copy.

import type { LayerWeights, ModelWeights, RetainingHeadWeights } from "./types.js";

function share(a: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

function shareOptional(a: Float32Array | undefined): Float32Array | undefined {
  return a === undefined ? undefined : share(a);
}

function shareLayer(l: LayerWeights): LayerWeights {
  return {
    inputNorm: share(l.inputNorm),
    wq: share(l.wq),
    wk: share(l.wk),
    wv: share(l.wv),
    bq: shareOptional(l.bq),
    bk: shareOptional(l.bk),
    bv: shareOptional(l.bv),
    wo: share(l.wo),
    postNorm: share(l.postNorm),
    wGate: share(l.wGate),
    wUp: share(l.wUp),
    wDown: share(l.wDown),
  };
}

/** A copy of `w` whose arrays live in SharedArrayBuffers (a tied LM head stays the embedding itself). */
export function shareModelWeights(w: ModelWeights): ModelWeights {
  const embed = share(w.embed);
  return { embed, layers: w.layers.map(shareLayer), finalNorm: share(w.finalNorm), lmHead: w.lmHead === w.embed ? embed : share(w.lmHead) };
}

/** Retaining heads in SharedArrayBuffers. */
export function shareRetainingHeads(h: RetainingHeadWeights): RetainingHeadWeights {
  return { layers: h.layers.map((l) => ({ ...l, fc1: share(l.fc1), fc2: share(l.fc2) })) };
}
