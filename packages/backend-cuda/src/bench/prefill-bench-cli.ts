// The GPU prefill bench as a program (scripts/bundle-gpu-check.mjs bundles it into build/gpu-prefill.mjs for the GPU
// machine, which has node but no npm; tools/bench/gpu-prefill-run.sh runs it).
import { main } from "./prefill-bench.js";

process.exitCode = await main(process.argv.slice(2));
