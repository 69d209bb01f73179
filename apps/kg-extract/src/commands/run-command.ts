// `kg-extract run`: extracts a corpus into a graph database, resuming where an earlier run stopped, with a progress
// bar (documents, tokens) on stderr and a summary (or one JSON object) on stdout.

import { EXIT, defineCommand, help, textArg } from "@apb/cli/toolkit";
import type { CliIo } from "@apb/cli/toolkit";
import { z } from "zod";
import { readCorpus } from "../corpus/index.js";
import { runExtraction } from "../pipeline/index.js";
import { DocumentProgress } from "../progress/index.js";
import type { RunEvent, RunSummary } from "../pipeline/index.js";
import { GraphStore } from "../store/index.js";
import { checkEngineOptions, engineShape } from "./engine-options.js";
import { openExtractors, resolveTemplate } from "./extractor-setup.js";
import { PROGRAM } from "./program.js";

export const runOptions = z
  .object({
    corpus: textArg().meta(help("folder of .txt and .md files (one document each) and .jsonl files (one {\"id\"?, \"text\"} per line)", "DIR")),
    db: textArg().meta(help("SQLite graph database; created when missing, resumed when it exists", "FILE")),
    ...engineShape,
  })
  .superRefine(checkEngineOptions);

export type RunCommandOptions = z.output<typeof runOptions>;

/** Progress bar events: created once the run knows how many documents it has to do. */
function progressListener(io: CliIo): { onEvent: (e: RunEvent) => void; finish: () => void } {
  let bar: DocumentProgress | undefined;
  return {
    onEvent(e) {
      if (e.type === "planned") {
        if (e.plan.numDone > 0) io.stderr.write(`kg-extract: ${e.plan.numDone} of ${e.numDocuments} documents are already done; skipping them\n`);
        bar = new DocumentProgress(io.stderr, { total: e.plan.toProcess.length, label: "docs" });
      } else if (e.type === "answer") bar?.tokens(e.numPromptTokens, e.numGeneratedTokens);
      else if (e.type === "done") bar?.tick(`${e.key}: ${e.extraction.triples.length} facts`);
      else if (e.type === "failed") bar?.tick(`${e.key}: FAILED [${e.error.code}] ${e.error.message}`, true);
    },
    finish: () => bar?.finish(),
  };
}

/** 0 when every document is done; 2 when only user errors failed documents (e.g. one too long); else 1. */
function exitCode(s: RunSummary): number {
  if (s.numFailed === 0) return EXIT.ok;
  const user = new Set(["INPUT_INVALID", "PROMPT_TOO_LONG", "TOKEN_OUT_OF_VOCAB", "PLAN_INVALID"]);
  return s.failures.every((f) => user.has(f.code)) ? EXIT.usage : EXIT.failure;
}

function printSummary(io: CliIo, s: RunSummary, counts: ReturnType<GraphStore["counts"]>, mode: string): void {
  const mins = s.elapsedMs / 60_000;
  io.stdout.write(
    [
      `documents: ${s.numDocuments} (${s.numProcessed} extracted, ${s.numSkipped} already done, ${s.numFailed} failed)`,
      `this run: ${s.numTriples} facts, ${s.numPromptTokens} prompt + ${s.numGeneratedTokens} generated tokens, ${(s.elapsedMs / 1000).toFixed(1)} s${s.elapsedMs >= 1000 && s.numProcessed > 0 ? `, ${(s.numProcessed / mins).toFixed(1)} documents/min` : ""} (ask: ${mode})`,
      `graph: ${counts.entities} entities, ${counts.triples} facts from ${counts.sources} sources`,
      ...(Object.keys(s.groups).some((g) => g !== "local") ? [`worker groups: ${Object.entries(s.groups).map(([g, n]) => `${g} ${n}`).join(", ")} documents`] : []),
      ...s.failures.map((f) => `failed: ${f.key} [${f.code}] ${f.message}`),
    ].join("\n") + "\n",
  );
}

async function run(o: RunCommandOptions, io: CliIo): Promise<number> {
  GraphStore.checkPath(o.db); // the cheap checks first: before reading a large corpus or creating the database
  const template = await resolveTemplate(o);
  const docs = await readCorpus(o.corpus);
  const store = GraphStore.open(o.db);
  try {
    const setup = await openExtractors(o, template, io.signal);
    const progress = progressListener(io);
    let summary: RunSummary;
    try {
      summary = await runExtraction({ docs, store, executor: setup.executor, signal: io.signal, onEvent: progress.onEvent });
    } finally {
      progress.finish();
      await setup.close();
    }
    const counts = store.counts();
    if (o.json) io.stdout.write(JSON.stringify({ ok: summary.numFailed === 0, db: o.db, ask: setup.settings.mode, ...summary, graph: counts }) + "\n");
    else printSummary(io, summary, counts, setup.settings.mode);
    return exitCode(summary);
  } finally {
    store.close();
  }
}

export const runCommand = defineCommand({
  name: "run",
  program: PROGRAM,
  summary: "extract a knowledge graph from a corpus into a SQLite database (resumable)",
  usage: "--corpus DIR --db FILE [--model DIR] [--hosts N] [--strategy S] [--ask MODE] [--redis URL [--batch N]] [--prompt-template FILE] [--json]",
  schema: runOptions,
  notes: [
    "A rerun skips documents already done (same content hash) and retries failed ones; each document is saved in one transaction, so an interrupted run loses no finished document.",
    "With --redis, documents go to the worker groups as corpus flows of --batch documents (two in flight); any group takes any document, BullMQ retries runtime failures, and each document is saved as soon as its result arrives.",
    "Exit codes: 0 every document done; 2 bad usage or input (also when documents failed only for input reasons, e.g. too long); 1 runtime failures.",
  ],
  run,
});
