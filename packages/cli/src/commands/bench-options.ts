// The options of `apb bench`: one zod schema, from which parsing, validation and help are derived.

import { z } from "zod";
import { choiceListArg, flagArg, help, intArg, intListArg, textArg } from "../args/index.js";
import { STRATEGIES, backendOption, threadsOption } from "./shared-options.js";

export const benchOptions = z
  .object({
    backend: backendOption("onnx"),
    model: textArg().optional().meta(help("benchmark this checkpoint instead of a random one (the shape flags are then ignored)", "DIR")),
    lengths: intListArg({ min: 2 }).default([4096, 16384]).meta(help("context lengths in tokens, comma-separated", "N,N")),
    hosts: intArg({ min: 1, max: 256 }).default(4).meta(help("hosts of every strategy but full (which runs on 1)", "N")),
    strategies: choiceListArg(STRATEGIES).default(["full", "apb"]).meta(help("strategies, comma-separated (full,ring,star,apb)", "LIST")),
    layers: intArg({ min: 1 }).default(8).meta(help("random model: decoder layers", "N")),
    hidden: intArg({ min: 2 }).default(512).meta(help("random model: hidden size", "N")),
    heads: intArg({ min: 1 }).default(8).meta(help("random model: attention heads", "N")),
    kvHeads: intArg({ min: 1 }).default(2).meta(help("random model: KV heads (divides --heads)", "N")),
    intermediate: intArg({ min: 1 }).default(1024).meta(help("random model: MLP intermediate size", "N")),
    vocab: intArg({ min: 48 }).default(4096).meta(help("random model: vocabulary size", "N")),
    seed: intArg({ min: 0, max: 0xffffffff }).default(1).meta(help("seed of the random model and prompts", "S")),
    repeat: intArg({ min: 1, max: 100 }).default(1).meta(help("fresh runs per configuration (times: median, RSS: maximum)", "N")),
    threads: threadsOption(),
    json: flagArg().meta(help("print the rows as JSON instead of a table")),
    out: textArg().optional().meta(help("also write the rows with date, machine, model and command as JSON to FILE", "FILE")),
  })
  .superRefine((o, ctx) => {
    const fail = (path: string, message: string): void => void ctx.addIssue({ code: "custom", path: [path], message });
    if (o.hidden % o.heads !== 0) fail("hidden", `--hidden ${o.hidden} must be a multiple of --heads ${o.heads}`);
    else if ((o.hidden / o.heads) % 2 !== 0) fail("hidden", `--hidden / --heads (${o.hidden / o.heads}) must be even for RoPE`);
    if (o.heads % o.kvHeads !== 0) fail("kvHeads", `--heads ${o.heads} must be a multiple of --kv-heads ${o.kvHeads}`);
  });

export type BenchOptions = z.output<typeof benchOptions>;
