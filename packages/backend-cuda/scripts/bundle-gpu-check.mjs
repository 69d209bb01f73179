#!/usr/bin/env node
// Bundles the GPU programs (dist/check/gpu-check-cli.js → build/gpu-check.mjs, dist/bench/prefill-bench-cli.js →
// build/gpu-prefill.mjs, each with @apb/core and zod inlined) beside build/apb_cuda.node, so the GPU machine needs only
// node: `node build/gpu-check.mjs [--bench]`, `node build/gpu-prefill.mjs --model DIR ...`.
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ENTRIES = [
  { input: join(PKG, "dist", "check", "gpu-check-cli.js"), file: join(PKG, "build", "gpu-check.mjs") },
  { input: join(PKG, "dist", "bench", "prefill-bench-cli.js"), file: join(PKG, "build", "gpu-prefill.mjs") },
];

for (const { input, file } of ENTRIES) {
  if (!existsSync(input)) {
    console.error(`missing ${input}: run \`npx tsc -p packages/backend-cuda/tsconfig.build.json\` first`);
    process.exit(1);
  }
  const bundle = await rolldown({ input, platform: "node", logLevel: "warn" });
  await bundle.write({ file, format: "esm", codeSplitting: false });
  await bundle.close();
  console.log(`wrote ${file} (${(statSync(file).size / 1024).toFixed(0)} KiB)`);
}
