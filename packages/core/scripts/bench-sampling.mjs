#!/usr/bin/env node
// Milliseconds per sampled token of core's Sampler on one row of logits the size of Llama-3's vocabulary (128,256).
// Usage (after `npm run build -w @apb/core`): node packages/core/scripts/bench-sampling.mjs [draws]
import { Sampler, parseSampling } from "../dist/index.js";

const VOCAB = 128256;
const draws = Number(process.argv[2] ?? 10);
const logits = new Float32Array(VOCAB);
for (let i = 0; i < VOCAB; i++) logits[i] = Math.sin(i * 12.9898) * 4;

for (const o of [{ temperature: 0.7, seed: 1 }, { temperature: 0.7, topP: 0.9, seed: 1 }, { temperature: 0.7, topK: 50, seed: 1 }]) {
  const s = new Sampler(parseSampling(o));
  const t0 = performance.now();
  let sum = 0;
  for (let i = 0; i < draws; i++) sum += s.sample(logits);
  console.log(`${JSON.stringify(o)}: ${((performance.now() - t0) / draws).toFixed(1)} ms/token (token sum ${sum})`);
}
