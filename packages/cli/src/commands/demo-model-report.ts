// What `apb demo` prints on the shipped model: the long-document answers with timings and speed-up, the exactness
// table, and a verdict that keeps engine exactness (exit code) apart from the model's accuracy (reported only).

import { formatTable } from "../output/index.js";
import type { Column } from "../output/index.js";
import type { AnswerPart, AnswerRun, ExactnessPart, ModelExactRow } from "./demo-model.js";

/** The shipped model as the demo describes it. */
export interface DemoModelInfo {
  readonly name: string;
  readonly path: string;
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly vocab: number;
  readonly retainingHeads: boolean;
}

/** The whole shipped-model demo: what `--json` prints as one object. */
export interface ModelDemoResult {
  readonly mode: "model";
  readonly model: DemoModelInfo;
  readonly backend: string;
  readonly cores: number;
  readonly answer: AnswerPart;
  readonly exactness: ExactnessPart;
  /** The exactness check passed (the exit code); the answers' correctness is in `answer`. */
  readonly ok: boolean;
}

export function modelHeader(m: DemoModelInfo, backend: string, cores: number): string {
  const heads = m.retainingHeads ? "with retaining heads" : "no retaining heads";
  return (
    `apb demo on the shipped model ${m.name}: Llama, ${m.layers} layers, hidden ${m.hidden}, ${m.heads}/${m.kvHeads} heads, vocab ${m.vocab}, ${heads}; ` +
    `trained on our synthetic long-context tasks (not a general assistant) · backend ${backend} · ${cores} cores`
  );
}

const ms = (v: number): string => v.toFixed(0);
const check = (ok: boolean): string => (ok ? "OK" : "WRONG");

const ANSWER_COLUMNS: readonly Column<AnswerRun>[] = [
  { header: "run", value: (r) => r.label },
  { header: "hosts", value: (r) => r.hosts },
  { header: "answer", value: (r) => JSON.stringify(r.answer), align: "left" },
  { header: "check", value: (r) => check(r.correct), align: "left" },
  { header: "prefill ms", value: (r) => ms(r.prefillMs) },
  { header: "query ms", value: (r) => ms(r.queryMs) },
  { header: "decode ms", value: (r) => ms(r.decodeMs) },
];

const EXACT_COLUMNS: readonly Column<ModelExactRow & { check: string }>[] = [
  { header: "strategy", value: (r) => r.label },
  { header: "hosts", value: (r) => r.hosts },
  { header: "anchor", value: (r) => r.anchor },
  { header: "passing", value: (r) => r.passing },
  { header: "tokens vs full", value: (r) => r.check, align: "left" },
  { header: "answer", value: (r) => `${JSON.stringify(r.text)} (${check(r.correct)})`, align: "left" },
  { header: "token ids", value: (r) => r.tokens.join(" "), align: "left" },
];

const indent = (table: string): string => table.trimEnd().replace(/^/gm, "   ");

function answerSection(a: AnswerPart, cores: number): string[] {
  const s = a.sample;
  const p = a.apb;
  const out = [
    "1. A question over a long document: does APB find the hidden fact, and how much faster does it prefill?",
    `   ${s.task} eval sample ${s.index}: ${s.contextTokens} tokens of generated filler text with one fact hidden in it, then the question (${s.questionTokens} tokens).`,
    `   Full attention reads it on 1 host; APB splits it over ${p.hosts} hosts (anchor ${p.anchor}, passing ${p.passing}, ${p.selection ?? "no"} selection,`,
    `   the question inside the anchor at position ${p.queryStart}). Greedy answers, checked by exact match with the expected answer.`,
    "",
    `   question:  ${s.question}`,
    `   expected:  ${JSON.stringify(s.expected)}`,
    "",
    indent(formatTable(ANSWER_COLUMNS, [a.full, a.apb])),
    "",
    `   APB's prefill is ${a.speedup.toFixed(2)}x as fast as full attention's (${ms(a.full.prefillMs)} ms -> ${ms(p.prefillMs)} ms).`,
  ];
  if (cores < p.hosts) {
    out.push(`   The ${p.hosts} hosts are threads sharing ${cores} cores here, so any speed-up comes from APB's smaller attention work, not from ${p.hosts} machines working in parallel.`);
  }
  return out;
}

function exactSection(e: ExactnessPart): string[] {
  const s = e.sample;
  const rows = e.rows.map((r, i) => ({ ...r, check: i === 0 ? "reference" : r.match ? "OK (same)" : "MISMATCH" }));
  return [
    "2. Exactness: do the distributed strategies compute what full attention computes?",
    `   ${s.task} eval sample ${s.index} at ${s.length} tokens (${s.contextTokens} context + ${s.questionTokens} question). Ring attention and APB with anchor 0`,
    "   and passing = a whole block drop nothing, so their greedy tokens must equal full attention's, token for token.",
    "   (Default APB, as in part 1, compresses what it passes between hosts, so it is judged by its answer instead.)",
    "",
    indent(formatTable(EXACT_COLUMNS, rows)),
  ];
}

function verdict(r: ModelDemoResult): string[] {
  const a = r.answer;
  const exact = r.ok ? "OK: ring and exact APB gave full attention's tokens exactly." : "MISMATCH: an exact strategy gave different tokens than full attention (an engine fault; exit code 1).";
  const answers = `Long-document answers: full attention ${check(a.full.correct)}, APB ${check(a.apb.correct)}`;
  const wrong = a.full.correct && a.apb.correct ? "." : " (a wrong answer is the small model's accuracy, not an engine fault; it does not change the exit code).";
  return [exact, answers + wrong];
}

/** The text report (stdout) after the header line. */
export function formatModelDemo(r: ModelDemoResult): string {
  return ["", ...answerSection(r.answer, r.cores), "", ...exactSection(r.exactness), "", ...verdict(r)].join("\n") + "\n";
}
