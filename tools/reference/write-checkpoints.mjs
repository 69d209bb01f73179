#!/usr/bin/env node
// Writes the three random checkpoints behind the numpy reference fixture, using the BUILT @apb/core
// (run `npx tsc -p packages/core/tsconfig.build.json` first). Usage: node tools/reference/write-checkpoints.mjs [OUT_DIR]
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const { writeRandomCheckpoint } = await import(resolve(here, "../../packages/core/dist/index.js"));

/** The one definition of the fixture checkpoints: make_fixture.py copies these options into the fixture. */
const CHECKPOINTS = [
  {
    name: "llama3-untied-heads",
    options: {
      seed: 101, architecture: "llama", vocabSize: 256, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2,
      ropeTheta: 10000, ropeScaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 },
      tieWordEmbeddings: false, retainingHeads: { hidden: 32 }, dtype: "F32",
    },
  },
  {
    name: "qwen2-tied-bias-bf16",
    options: {
      seed: 202, architecture: "qwen2", vocabSize: 256, hiddenSize: 64, intermediateSize: 96, numLayers: 2, numHeads: 4, numKvHeads: 1,
      ropeTheta: 1000000, tieWordEmbeddings: true, dtype: "BF16",
    },
  },
  {
    name: "mistral-plain-sharded",
    options: {
      seed: 303, architecture: "mistral", vocabSize: 200, hiddenSize: 48, intermediateSize: 112, numLayers: 3, numHeads: 4, numKvHeads: 4,
      ropeTheta: 10000, tieWordEmbeddings: false, numShards: 2, dtype: "F32",
    },
  },
];

const out = resolve(process.argv[2] ?? join(tmpdir(), "apb-reference-checkpoints"));
const manifest = [];
for (const { name, options } of CHECKPOINTS) {
  const dir = join(out, name);
  const written = await writeRandomCheckpoint(dir, options);
  manifest.push({ name, dir: name, options, files: written.files });
  console.log(`wrote ${dir}: ${written.files.join(", ")}`);
}
await writeFile(join(out, "checkpoints.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`manifest: ${join(out, "checkpoints.json")}`);
