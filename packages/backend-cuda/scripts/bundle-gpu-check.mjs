#!/usr/bin/env node
// Bundles the GPU check (dist/check/gpu-check-cli.js with @apb/core and zod inlined) into build/gpu-check.mjs, beside
// build/apb_cuda.node, so the GPU machine needs only node: `node build/gpu-check.mjs [--bench]`.
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const input = join(PKG, "dist", "check", "gpu-check-cli.js");
const file = join(PKG, "build", "gpu-check.mjs");

if (!existsSync(input)) {
  console.error(`missing ${input}: run \`npx tsc -p packages/backend-cuda/tsconfig.build.json\` first`);
  process.exit(1);
}
const bundle = await rolldown({ input, platform: "node", logLevel: "warn" });
await bundle.write({ file, format: "esm", codeSplitting: false });
await bundle.close();
console.log(`wrote ${file} (${(statSync(file).size / 1024).toFixed(0)} KiB)`);
