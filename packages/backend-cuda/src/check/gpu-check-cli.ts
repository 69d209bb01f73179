// The GPU check as a program (scripts/gpu-check.mjs runs it from dist; scripts/bundle-gpu-check.mjs bundles it into
// build/gpu-check.mjs for the GPU machine, which has node but no npm).
import { main } from "./gpu-check.js";

process.exitCode = await main(process.argv.slice(2));
