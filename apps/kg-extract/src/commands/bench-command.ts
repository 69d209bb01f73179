// `kg-extract bench`: precision, recall and documents per minute on a generated fact corpus with exact ground truth
// (see synthetic/), through the same pipeline as `run` (corpus folder → extraction → SQLite → graph read back).

import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { loadTokenizer } from "@apb/core";
import { modelTinyPath } from "@apb/model-tiny";
import { z } from "zod";
import type { CliIo } from "../cli/index.js";
import { EXIT, ProgressBar, defineCommand, flagArg, help, intArg, textArg } from "../cli/index.js";
import { corpusKey, readCorpus, writeCorpus } from "../corpus/index.js";
import { UsageError } from "../errors/index.js";
import { runExtraction } from "../pipeline/index.js";
import type { RunSummary } from "../pipeline/index.js";
import { GraphStore } from "../store/index.js";
import type { GraphData } from "../store/index.js";
import { generateFactCorpus, harvestFactPools, scoreFacts } from "../synthetic/index.js";
import type { FactScore, FactSet, SyntheticDocument } from "../synthetic/index.js";
import { checkEngineOptions, engineShape } from "./engine-options.js";
import type { EngineOptions } from "./engine-options.js";
import { writeOutput } from "./export-command.js";
import { openExtractors, resolveTemplate } from "./extractor-setup.js";

export const benchOptions = z
  .object({
    docs: intArg({ min: 1, max: 100_000 }).default(50).meta(help("documents in the generated corpus (default 50)", "N")),
    length: intArg({ min: 256, max: 32_768 }).default(1024).meta(help("tokens per document (default 1024)", "N")),
    seed: textArg().default("kg-extract").meta(help("corpus seed (default kg-extract)", "TEXT")),
    workDir: textArg().optional().meta(help("write the corpus, truth.json and graph.db here and keep them (default: a temporary folder, removed)", "DIR")),
    results: textArg().optional().meta(help("also write the result object (with machine, date and commit) to this JSON file", "FILE")),
    keep: flagArg().meta(help("keep the temporary folder")),
    ...engineShape,
  })
  .superRefine(checkEngineOptions);

/** The facts the database holds, per document id of the generated corpus. */
function predictedFacts(g: GraphData, docs: readonly SyntheticDocument[]): FactSet[] {
  const idOf = new Map(docs.map((d) => [corpusKey(d.id), d.id]));
  const name = new Map(g.nodes.map((n) => [n.id, n.name]));
  const byDoc = new Map<string, { subject: string; relation: string; object: string }[]>();
  for (const e of g.edges) {
    for (const s of e.sources) {
      const id = idOf.get(s.doc);
      if (id === undefined) continue;
      const list = byDoc.get(id) ?? [];
      list.push({ subject: name.get(e.source)!, relation: e.relation, object: name.get(e.target)! });
      byDoc.set(id, list);
    }
  }
  return [...byDoc].map(([docId, facts]) => ({ docId, facts }));
}

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

/** Writes the corpus and its truth; returns the documents and their mean length in tokens. */
async function makeCorpus(o: z.output<typeof benchOptions>, dir: string): Promise<{ docs: SyntheticDocument[]; meanTokens: number }> {
  const tokenizer = await loadTokenizer(o.model ?? modelTinyPath());
  if (tokenizer === undefined) throw new UsageError(`--model ${o.model} has no tokenizer.json`, "bench");
  const docs = generateFactCorpus({ numDocuments: o.docs, length: o.length, seed: o.seed }, harvestFactPools(tokenizer), tokenizer);
  await writeCorpus(join(dir, "corpus"), docs);
  await writeOutput(join(dir, "truth.json"), JSON.stringify(docs.map((d) => ({ id: d.id, facts: d.facts })), null, 1), "bench");
  const meanTokens = docs.reduce((n, d) => n + tokenizer.encode(d.text, { addSpecialTokens: false }).length + 1, 0) / docs.length;
  return { docs, meanTokens };
}

async function extract(o: EngineOptions, dir: string, io: CliIo): Promise<{ summary: RunSummary; graph: GraphData; openMs: number; mode: string }> {
  const corpus = await readCorpus(join(dir, "corpus"));
  const store = GraphStore.open(join(dir, "graph.db"));
  try {
    const setup = await openExtractors(o, await resolveTemplate(o), io.signal);
    const bar = new ProgressBar(io.stderr, { total: corpus.length, label: "bench" });
    try {
      const summary = await runExtraction({
        docs: corpus,
        store,
        extractors: setup.slots,
        signal: io.signal,
        onEvent: (e) => (e.type === "answer" ? bar.tokens(e.numPromptTokens, e.numGeneratedTokens) : e.type === "done" || e.type === "failed" ? bar.tick(e.key, e.type === "failed") : undefined),
      });
      return { summary, graph: store.readGraph(), openMs: setup.openMs, mode: setup.settings.mode };
    } finally {
      bar.finish();
      await setup.close();
    }
  } finally {
    store.close();
  }
}

function report(io: CliIo, r: { score: FactScore; docsPerMinute: number; summary: RunSummary; openMs: number; mode: string; tokensPerDoc: number }): void {
  const s = r.score;
  io.stdout.write(
    [
      `documents: ${r.summary.numProcessed} extracted, ${r.summary.numFailed} failed, ~${r.tokensPerDoc.toFixed(0)} context tokens each (ask: ${r.mode})`,
      `facts: ${s.numTrue} true, ${s.numPredicted} extracted, ${s.numCorrect} correct`,
      `precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}`,
      `throughput: ${r.docsPerMinute.toFixed(1)} documents/min (${(r.summary.elapsedMs / 1000).toFixed(1)} s extracting; model load ${(r.openMs / 1000).toFixed(1)} s not counted)`,
    ].join("\n") + "\n",
  );
}

async function bench(o: z.output<typeof benchOptions>, io: CliIo): Promise<number> {
  const dir = o.workDir ?? (await mkdtemp(join(tmpdir(), "kg-bench-")));
  try {
    const { docs, meanTokens } = await makeCorpus(o, dir);
    const { summary, graph, openMs, mode } = await extract(o, dir, io);
    const score = scoreFacts(docs.map((d) => ({ docId: d.id, facts: d.facts })), predictedFacts(graph, docs));
    const docsPerMinute = summary.numProcessed / (summary.elapsedMs / 60_000);
    const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version, platform: process.platform };
    const result = { ok: true, date: new Date().toISOString(), commit: gitCommit(), machine, docs: o.docs, length: o.length, meanTokens, seed: o.seed, hosts: o.hosts ?? 1, strategy: o.strategy ?? null, ask: mode, verify: o.verify, groups: o.group ?? null, score, docsPerMinute, elapsedMs: summary.elapsedMs, openMs, numPromptTokens: summary.numPromptTokens, numGeneratedTokens: summary.numGeneratedTokens, numFailed: summary.numFailed };
    if (o.results !== undefined) await writeOutput(o.results, JSON.stringify(result, null, 2) + "\n", "bench");
    if (o.json) io.stdout.write(JSON.stringify(result) + "\n");
    else report(io, { score, docsPerMinute, summary, openMs, mode, tokensPerDoc: meanTokens });
    return summary.numFailed === 0 ? EXIT.ok : EXIT.failure;
  } finally {
    if (o.workDir === undefined && !o.keep) await rm(dir, { recursive: true, force: true });
    else io.stderr.write(`kg-extract: bench files kept in ${dir}\n`);
  }
}

export const benchCommand = defineCommand({
  name: "bench",
  summary: "measure precision, recall and documents/min on a generated fact corpus with exact ground truth",
  usage: "[--docs 50] [--length 1024] [--hosts N] [--strategy S] [--ask MODE] [--redis URL --group G1,G2] [--results FILE] [--json]",
  schema: benchOptions,
  notes: ["Documents are built from the shipped model's fact-task vocabulary with facts this generator chooses, so the ground truth never depends on the model."],
  run: bench,
});
