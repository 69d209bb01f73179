#!/usr/bin/env node
// Runs the GPU check from this package's dist (npm run build first). On the GPU machine, which has no npm, run the
// bundle instead: node scripts/bundle-gpu-check.mjs here, then `node packages/backend-cuda/build/gpu-check.mjs` there.
await import("../dist/check/gpu-check-cli.js");
