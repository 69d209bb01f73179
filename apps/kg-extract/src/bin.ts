#!/usr/bin/env node
// The `kg-extract` executable: runs the CLI on process argv; Ctrl-C stops the run after the current document is
// saved (a second Ctrl-C exits at once).

import { EXIT, processIo } from "@apb/cli/toolkit";
import { runKgExtract } from "./commands/index.js";

const controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(EXIT.interrupted);
  controller.abort();
});

const code = await runKgExtract(process.argv.slice(2), processIo(controller.signal));
// Exit explicitly: a stray handle (a worker thread that did not stop, a Redis socket) must not keep the process alive.
process.exit(code);
