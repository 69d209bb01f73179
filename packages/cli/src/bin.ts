#!/usr/bin/env node
// The `apb` executable: runs the CLI on process argv; Ctrl-C aborts the running command (a second one exits now).

import { runCli } from "./commands/index.js";
import { EXIT, processIo } from "./output/index.js";

const controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(EXIT.interrupted);
  controller.abort();
});

const code = await runCli(process.argv.slice(2), processIo(controller.signal));
// Exit explicitly: stdout/stderr writes are synchronous for files, pipes and TTYs on Linux, and a stray handle
// (a worker that did not stop) must not keep the process alive.
process.exit(code);
