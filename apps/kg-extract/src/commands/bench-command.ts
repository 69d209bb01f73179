// `kg-extract bench`: precision, recall and documents per minute on a generated fact corpus with exact ground truth
// (see synthetic/), through the same pipeline as `run` (corpus folder → extraction → SQLite → graph read back).

import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT, defineCommand, flagArg, help, intArg, textArg } from "@apb/cli/toolkit";
import type { CliIo } from "@apb/cli/toolkit";
import { loadTokenizer } from "@apb/core";
import { modelTinyPath } from "@apb/model-tiny";
import { z } from "zod";
import { contentHash, corpusKey, readCorpus, writeCorpus } from "../corpus/index.js";
import { UsageError } from "../errors/index.js";
import { runExtraction } from "../pipeline/index.js";
import type { RunSummary } from "../pipeline/index.js";
import { DocumentProgress } from "../progress/index.js";
import { GraphStore } from "../store/index.js";
import type { GraphData } from "../store/index.js";
import { generateFactCorpus, harvestFactPools, scoreFacts } from "../synthetic/index.js";
import type { FactScore, FactSet, SyntheticDocument } from "../synthetic/index.js";
import { checkEngineOptions, engineShape } from "./engine-options.js";
import type { EngineOptions } from "./engine-options.js";
import { writeOutput } from "./export-command.js";
import { DEFAULT_BATCH, openExtractors, resolveTemplate } from "./extractor-setup.js";
import { PROGRAM } from "./program.js";

export const benchOptions = z
  .object({
    docs: intArg({ min: 1, max: 100_000 }).default(50).meta(help("documents in the generated corpus", "N")),
    length: intArg({ min: 256, max: 32_768 }).default(1024).meta(help("tokens per document", "N")),
    seed: textArg().default("kg-extract").meta(help("corpus seed", "TEXT")),
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
    const bar = new DocumentProgress(io.stderr, { total: corpus.length, label: "bench" });
    try {
      const summary = await runExtraction({
        docs: corpus,
        store,
        executor: setup.executor,
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
      `documents per place: ${Object.entries(r.summary.groups).map(([g, n]) => `${g} ${n}`).join(", ") || "none"}`,
    ].join("\n") + "\n",
  );
}

interface Measured {
  readonly docs: readonly SyntheticDocument[];
  readonly meanTokens: number;
  readonly summary: RunSummary;
  readonly graph: GraphData;
  readonly openMs: number;
  readonly mode: string;
  /** 1-minute load average before and after the extraction (os.loadavg; the machine may be shared). */
  readonly load: { readonly before: number; readonly after: number };
}

/** The result object of a bench (--json, --results). */
function benchResult(o: z.output<typeof benchOptions>, m: Measured): Record<string, unknown> & { score: FactScore; docsPerMinute: number } {
  const score = scoreFacts(m.docs.map((d) => ({ docId: d.id, facts: d.facts })), predictedFacts(m.graph, m.docs));
  const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version, platform: process.platform };
  const corpusDigest = contentHash(m.docs.map((d) => `${d.id}\u0000${d.text}`).join("\u0001"));
  const where = o.redis === undefined ? { hosts: o.hosts ?? 1, threads: o.threads ?? null } : { batch: o.batch ?? DEFAULT_BATCH };
  const s = m.summary;
  return { ok: true, date: new Date().toISOString(), commit: gitCommit(), machine, docs: o.docs, length: o.length, meanTokens: m.meanTokens, seed: o.seed, corpusDigest, distributed: o.redis !== undefined, ...where, strategy: o.strategy ?? null, ask: m.mode, verify: o.verify, groups: s.groups, score, docsPerMinute: s.numProcessed / (s.elapsedMs / 60_000), elapsedMs: s.elapsedMs, openMs: m.openMs, numPromptTokens: s.numPromptTokens, numGeneratedTokens: s.numGeneratedTokens, numFailed: s.numFailed, loadAverage: m.load };
}

async function bench(o: z.output<typeof benchOptions>, io: CliIo): Promise<number> {
  const dir = o.workDir ?? (await mkdtemp(join(tmpdir(), "kg-bench-")));
  try {
    const { docs, meanTokens } = await makeCorpus(o, dir);
    const before = loadavg()[0]!;
    const { summary, graph, openMs, mode } = await extract(o, dir, io);
    const result = benchResult(o, { docs, meanTokens, summary, graph, openMs, mode, load: { before, after: loadavg()[0]! } });
    if (o.results !== undefined) await writeOutput(o.results, JSON.stringify(result, null, 2) + "\n", "bench");
    if (o.json) io.stdout.write(JSON.stringify(result) + "\n");
    else report(io, { score: result.score, docsPerMinute: result.docsPerMinute, summary, openMs, mode, tokensPerDoc: meanTokens });
    return summary.numFailed === 0 ? EXIT.ok : EXIT.failure;
  } finally {
    if (o.workDir === undefined && !o.keep) await rm(dir, { recursive: true, force: true });
    else io.stderr.write(`kg-extract: bench files kept in ${dir}\n`);
  }
}

export const benchCommand = defineCommand({
  name: "bench",
  program: PROGRAM,
  summary: "measure precision, recall and documents/min on a generated fact corpus with exact ground truth",
  usage: "[--docs 50] [--length 1024] [--hosts N] [--strategy S] [--ask MODE] [--redis URL [--batch N]] [--results FILE] [--json]",
  schema: benchOptions,
  notes: ["Documents are built from the shipped model's fact-task vocabulary with facts this generator chooses, so the ground truth never depends on the model."],
  run: bench,
});
