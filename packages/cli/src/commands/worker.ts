// `apb worker`: one host of a worker group as a long-running process; host 0 takes jobs from the group's queue,
// the others follow it. SIGTERM / SIGINT stop it gracefully (exit 0); a crashed host thread exits 1.

import { ApbWorker } from "@apb/jobs";
import { defineCommand } from "../args/index.js";
import { EXIT } from "../output/index.js";
import type { CliIo } from "../output/index.js";
import { checkModelDir } from "./prompt-input.js";
import { redisUrl } from "./shared-options.js";
import { workerOptions } from "./worker-options.js";
import type { WorkerCliOptions } from "./worker-options.js";

const NAME = "worker";

/** Resolves with the exit code once the process should stop: 0 on SIGTERM / SIGINT, 1 when the host thread died. */
function stopRequested(io: CliIo, fatal: Promise<Error>): Promise<number> {
  return new Promise((resolve) => {
    const onTerm = (): void => resolve(EXIT.ok);
    process.once("SIGTERM", onTerm);
    if (io.signal?.aborted) resolve(EXIT.ok);
    io.signal?.addEventListener("abort", () => resolve(EXIT.ok), { once: true });
    void fatal.then((err) => {
      io.stderr.write(`apb worker: ${err.message}; exiting\n`);
      resolve(EXIT.failure);
    });
  });
}

async function runWorker(o: WorkerCliOptions, io: CliIo): Promise<number> {
  await checkModelDir(o.model, NAME);
  const log = (line: string): void => void io.stderr.write(`[apb worker ${o.group}/${o.host}] ${line}\n`);
  let onFatal: (err: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => (onFatal = resolve));
  const worker = await ApbWorker.start(
    {
      redis: redisUrl(o.redis, io.env, NAME),
      group: o.group,
      host: o.host,
      hosts: o.hosts,
      model: o.model,
      backend: o.backend,
      threads: o.threads,
      prefix: o.prefix,
      drainMs: o.drainMs,
      stepTimeoutMs: o.stepTimeoutMs,
      lockDurationMs: o.lockDurationMs,
      stalledIntervalMs: o.stalledIntervalMs,
    },
    { log, onFatal },
  );
  const code = await stopRequested(io, fatal);
  await worker.close();
  log("stopped");
  return code;
}

export const workerCommand = defineCommand({
  name: NAME,
  summary: "run one host of a worker group (host 0 takes jobs from Redis, the others follow it)",
  usage: "--redis URL --group G --host I --hosts H --model DIR [options]",
  schema: workerOptions,
  notes: [
    "Start H processes with the same --group, --hosts and --model and hosts 0..H-1. They heartbeat in Redis; the leader " +
      "(host 0) pauses while a member is missing and fails a running request within seconds when one vanishes, so " +
      "BullMQ retries it once the member is back. A killed leader's job is retried once its lock expires (--lock-duration-ms, " +
      "then a stalled check every --stalled-interval-ms). SIGTERM or Ctrl-C stops taking jobs, finishes the running one (or " +
      "hands it back to the queue after --drain-ms, as it does jobs taken but not started) and exits 0.",
  ],
  run: runWorker,
});
