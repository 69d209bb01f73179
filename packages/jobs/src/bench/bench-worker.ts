#!/usr/bin/env node
// A worker process for the benchmark (the job layer cannot depend on the CLI): `node bench-worker.js '<options json>'`;
// prints "ready" on stdout, stops gracefully on SIGTERM or when its parent goes (stdin closes).

import { ApbWorker } from "../runtime/index.js";
import type { WorkerOptionsInput } from "../runtime/index.js";

const options = JSON.parse(process.argv[2] ?? "{}") as WorkerOptionsInput;
const worker = await ApbWorker.start(options, { onFatal: () => process.exit(1) });
process.stdout.write("ready\n");
await new Promise<void>((resolve) => {
  process.once("SIGTERM", () => resolve());
  process.stdin.once("end", () => resolve()).resume();
});
await worker.close();
process.exit(0);
