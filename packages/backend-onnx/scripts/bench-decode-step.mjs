#!/usr/bin/env node
// One decode step of the shipped model on the onnx backend over a 16K-row KV cache per layer, the cache grown by
// concatRows (a copy of the whole cache per step) vs appendRows (spare rows); ms per step, 10 steps after 3 warm-ups.
// Usage (after `npx turbo run build`): node packages/backend-onnx/scripts/bench-decode-step.mjs
import { loadModel } from "@apb/core";
import { OnnxBackend } from "../dist/index.js";
import { modelTinyPath } from "@apb/model-tiny";
const m = await loadModel(modelTinyPath());
const b = await OnnxBackend.create({ config: m.config, weights: m.weights, heads: undefined, threads: 2, host: 0, numHosts: 1 });
const c = m.config; const kvw = c.numKvHeads * c.headDim; const T = 16384;
for (const mode of ["concat", "append", "concat", "append"]) {
  let cache = Array.from({ length: c.numLayers }, () => ({ k: b.upload(new Float32Array(T * kvw).map(() => Math.random()), [T, kvw]), v: b.upload(new Float32Array(T * kvw).map(() => Math.random()), [T, kvw]) }));
  let growMs = 0;
  const step = async (pos) => {
    let h = await b.embed(Int32Array.of(7));
    for (let l = 0; l < c.numLayers; l++) {
      const qkv = await b.attnIn(l, h, Int32Array.of(pos), false);
      const t0 = performance.now();
      const k = mode === "append" ? b.appendRows(cache[l].k, qkv.k) : b.concatRows([cache[l].k, qkv.k]);
      const v = mode === "append" ? b.appendRows(cache[l].v, qkv.v) : b.concatRows([cache[l].v, qkv.v]);
      growMs += performance.now() - t0;
      cache[l] = { k, v };
      const att = await b.attention(qkv.q, k, v, { anchorRows: 0, offset: k.shape[0] - 1 });
      h = await b.attnOut(l, h, att.out);
    }
    return b.logits(h);
  };
  for (let i = 0; i < 3; i++) await step(T + i);
  growMs = 0;
  const t0 = performance.now(); const N = 10;
  for (let i = 0; i < N; i++) await step(T + 3 + i);
  console.log(JSON.stringify({ mode, msPerStep: ((performance.now() - t0) / N).toFixed(1), cacheGrowMsPerStep: (growMs / N).toFixed(1) }));
}
await b.close();
