// The options of `apb worker`: one zod schema, from which parsing, validation and help are derived.

import { z } from "zod";
import { help, intArg, textArg } from "../args/index.js";
import { backendOption, redisOption } from "./shared-options.js";

export const workerOptions = z
  .object({
    redis: redisOption(),
    group: textArg().meta(help("the worker group this process belongs to (letters, digits, _.-)", "G")),
    host: intArg({ min: 0, max: 63 }).meta(help("this process's host index in the group; host 0 leads (takes the jobs)", "I")),
    hosts: intArg({ min: 1, max: 64 }).meta(help("number of hosts (processes) in the group", "H")),
    model: textArg().meta(help("checkpoint folder (config.json, *.safetensors, tokenizer.json, optional retaining_heads.safetensors)", "DIR")),
    backend: backendOption("onnx"),
    threads: intArg({ min: 1, max: 1024 }).default(1).meta(help("CPU threads of this host's backend", "N")),
    prefix: textArg().default("apb").meta(help("key prefix of every Redis key (queues, streams, heartbeats)", "P")),
    drainMs: intArg({ min: 0 }).default(60_000).meta(help("on SIGTERM/SIGINT, how long the running job may finish before it is handed back", "MS")),
    stepTimeoutMs: intArg({ min: 100 }).default(60_000).meta(help("longest wait for one exchange between hosts", "MS")),
    lockDurationMs: intArg({ min: 1000 }).default(30_000).meta(help("BullMQ lock of the running job; a killed leader's job is retried after it expires", "MS")),
    stalledIntervalMs: intArg({ min: 500 }).default(30_000).meta(help("how often stalled jobs (their leader died) are put back to wait", "MS")),
  })
  .superRefine((o, ctx) => {
    if (o.host >= o.hosts) ctx.addIssue({ code: "custom", path: ["host"], message: `--host ${o.host} must be smaller than --hosts ${o.hosts} (hosts are numbered 0..H-1)` });
  });

export type WorkerCliOptions = z.output<typeof workerOptions>;
