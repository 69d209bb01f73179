// The bench's judgements and its last printed table, as pure functions: token agreement with the reference's margins,
// the teacher-forced per-step check, and the summary (ours vs PyTorch per length, ratio, memory, pass/fail).

import { argmax } from "@apb/core";
import { compareArrays } from "../check/index.js";
import type { ReferenceStep, TorchBench } from "./torch-results.js";
import type { CorrectnessResult, ForcedCheck, FullRow, PrefillBenchResult, StrategyRow, TokenAgreement } from "./prefill-result.js";
import { median } from "./deadline.js";

/**
 * A differing argmax counts as a near-tie when the reference's top-1 − top-2 gap is below this many times our rms logit
 * error: independent errors of rms e per logit move a gap by √2·e·z, so a gap under 6e flips with non-negligible odds
 * (z up to ~4) while a real bug moves logits far more than its measured error allows.
 */
export const NEAR_TIE_FACTOR = 6;

/** The issue's bar for our full prefill against PyTorch's time. */
export const SPEED_BAR = 1.1;

/** Root mean square. */
export function rms(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** ‖actual − expected‖ / ‖expected‖ (Infinity on a length mismatch or NaN). */
export function logitsRelL2(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  const c = compareArrays(actual, expected, { relL2: Infinity });
  return c.numNaN > 0 || c.numInfMismatch > 0 ? Infinity : c.relL2;
}

/**
 * Compares our tokens with the expected ones. With the expected side's step facts (margins) and our rms logit error,
 * the first mismatch says whether it happened at a near-tie.
 */
export function tokenAgreement(ours: readonly number[], expected: readonly number[], facts?: { steps?: readonly ReferenceStep[]; rmsError?: number }): TokenAgreement {
  const n = expected.length;
  let numSame = 0;
  for (let i = 0; i < n; i++) if (ours[i] === expected[i]) numSame += 1;
  const k = expected.findIndex((t, i) => ours[i] !== t);
  if (k < 0 && ours.length === n) return { numSame, numTokens: n, identical: true };
  const step = k < 0 ? n : k;
  const s = facts?.steps?.[step];
  const e = facts?.rmsError;
  return {
    numSame,
    numTokens: n,
    identical: false,
    firstMismatch: {
      step,
      ours: ours[step],
      expected: expected[step],
      ...(s === undefined ? {} : { margin: s.margin, marginOverStd: s.margin / s.std, oursWasRunnerUp: ours[step] === s.runnerUp }),
      ...(s === undefined || e === undefined ? {} : { nearTie: s.margin < NEAR_TIE_FACTOR * e }),
    },
  };
}

/**
 * Our logits along the reference's greedy path ([steps, vocab] row-major) against its per-step logits and tokens:
 * every step's argmax must match unless the reference's margin there is a near-tie for our typical error (the median
 * relL2 over the steps, capped at the tolerance, so one step's own large error cannot excuse its mismatch).
 */
export function forcedCheck(ours: Float32Array, ref: { greedy: readonly number[]; steps: readonly ReferenceStep[]; stepLogits?: readonly Float32Array[]; lastLogits: Float32Array }, tol: number): ForcedCheck {
  const n = ref.greedy.length;
  const vocab = ours.length / n;
  const rows = ref.greedy.map((_, k) => ours.subarray(k * vocab, (k + 1) * vocab));
  const expected = ref.greedy.map((_, k) => ref.stepLogits?.[k] ?? (k === 0 ? ref.lastLogits : undefined));
  const rel = expected.flatMap((e, k) => (e === undefined ? [] : [logitsRelL2(rows[k]!, e)]));
  const typical = Math.min(rel.length > 0 ? median(rel) : tol, tol);
  const badSteps: number[] = [];
  let numArgmaxSame = 0;
  let numNearTies = 0;
  rows.forEach((row, k) => {
    if (argmax(row) === ref.greedy[k]) {
      numArgmaxSame += 1;
      return;
    }
    const e = expected[k];
    const s = ref.steps[k];
    const rmsError = typical * (e === undefined ? (s?.std ?? 0) : rms(e));
    if (s !== undefined && s.margin < NEAR_TIE_FACTOR * rmsError) numNearTies += 1;
    else badSteps.push(k);
  });
  const maxRelL2 = rel.length > 0 ? Math.max(...rel) : NaN;
  return { numSteps: n, numArgmaxSame, numNearTies, badSteps, maxRelL2, medianRelL2: rel.length > 0 ? median(rel) : NaN, ok: badSteps.length === 0 && maxRelL2 <= tol };
}

const gib = (b: number | undefined): string => (b === undefined ? "-" : (b / 2 ** 30).toFixed(1));
const sec = (ms: number | undefined): string => (ms === undefined ? "-" : (ms / 1000).toFixed(3));
const sci = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? "-" : x.toExponential(1));

/** Left-aligned columns, a dashed rule under the header. */
export function formatColumns(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Ours vs PyTorch per length: median seconds, the ratio and the 1.1x bar, peak memory. */
export function speedTable(full: readonly FullRow[], torch: TorchBench | undefined): string {
  const lengths = [...new Set([...full.map((r) => r.length), ...(torch?.rows ?? []).map((r) => r.length)])].sort((a, b) => a - b);
  const rows = lengths.map((length) => {
    const o = full.find((r) => r.length === length);
    const t = torch?.rows.find((r) => r.length === length);
    const ratio = o !== undefined && t !== undefined ? o.medianMs / t.medianMs : undefined;
    const verdict = ratio === undefined ? "-" : ratio <= SPEED_BAR ? "ok" : "SLOW";
    const vs = o?.vsTorch === undefined ? "-" : `${sci(o.vsTorch.relL2)}${o.vsTorch.argmaxSame ? "" : " (argmax differs)"}`;
    return [String(length), sec(o?.medianMs), sec(t?.medianMs), ratio === undefined ? "-" : `${ratio.toFixed(2)}x`, verdict, gib(o?.memory?.usedHighBytes), gib(t?.peakAllocatedBytes), vs, o === undefined ? "" : `${o.runsMs.length} runs`];
  });
  return formatColumns(["tokens", "ours s", "torch s", "ratio", `<=${SPEED_BAR}x`, "ours peak GiB", "torch peak GiB", "logits vs torch", "note"], rows);
}

function agreementText(a: TokenAgreement | undefined): string {
  if (a === undefined) return "-";
  if (a.identical) return `${a.numSame}/${a.numTokens} identical`;
  const m = a.firstMismatch!;
  const why = m.nearTie === true ? ", near-tie" : m.nearTie === false ? ", NOT a near-tie" : "";
  const margin = m.marginOverStd === undefined ? "" : `, ref margin ${m.margin!.toFixed(4)} (${m.marginOverStd.toFixed(3)} std)${m.oursWasRunnerUp ? ", ours = its runner-up" : ""}`;
  return `first differs at step ${m.step} (${m.ours} vs ${m.expected}${margin}${why}); ${a.numSame}/${a.numTokens} same`;
}

/** Correctness rows: logits relL2 against the bar, token agreement, the teacher-forced check. */
export function correctnessTable(c: CorrectnessResult): string {
  const vs = { hf: "HF", "hf-f32": "HF f32", full: "our full" } as const;
  const rows = c.runs.map((r) => [
    r.strategy === "hf" ? r.name : `${r.name} (${r.hosts} host${r.hosts > 1 ? "s" : ""})`,
    vs[r.tokensVs],
    sci(r.logitsRelL2),
    r.agreement === undefined ? "-" : agreementText(r.agreement),
    r.informational === true ? `(${r.ok ? "within" : "over"}; context)` : r.ok ? "ok" : "FAIL",
  ]);
  const forcedRow = (f: ForcedCheck, label: string, against: string): string[] => {
    const text = `argmax ${f.numArgmaxSame}/${f.numSteps} (near-ties ${f.numNearTies}${f.badSteps.length > 0 ? `, bad steps ${f.badSteps.join(",")}` : ""}); median relL2 ${sci(f.medianRelL2)}`;
    return [label, against, sci(f.maxRelL2), text, f.ok ? "ok" : "FAIL"];
  };
  if (c.forced !== undefined) {
    const f32 = c.runs[0]?.tokensVs === "hf-f32";
    rows.push(forcedRow(c.forced, f32 ? "teacher-forced on HF f32's tokens" : "teacher-forced on HF's tokens", f32 ? "HF f32" : "HF"));
  }
  if (c.forcedF32 !== undefined) rows.push(forcedRow(c.forcedF32, "teacher-forced on HF f32's tokens", "HF f32"));
  return formatColumns(["check", "vs", `logits relL2 (<=${c.logitsTol})`, "tokens", "result"], rows);
}

/** Per-strategy compute with H virtual hosts, and the reduction against one host's full prefill of the same length. */
export function strategyTable(rows: readonly StrategyRow[]): string {
  const full = rows.find((r) => r.strategy === "full");
  const body = rows.map((r) => [
    r.strategy,
    String(r.hosts),
    String(r.anchor),
    String(r.passing),
    sec(r.maxHostMs),
    sec(r.sumHostMs),
    sec(r.maxHostAttentionMs),
    full === undefined || r.maxHostMs === 0 ? "-" : `${(full.maxHostMs / r.maxHostMs).toFixed(2)}x`,
  ]);
  return formatColumns(["strategy", "hosts", "anchor", "passing", "max host s", "sum s", "max host attn s", "full / max host"], body);
}

/** The whole summary printed last (and written to summary.txt by the run script). */
export function formatSummary(r: PrefillBenchResult | undefined, torch: TorchBench | undefined): string {
  const out: string[] = [];
  const dev = r?.device ?? torch?.device ?? "?";
  out.push(`== prefill: ours (${r?.backend ?? "not run"}) vs PyTorch (${torch === undefined ? "not run" : `transformers ${torch.transformers}, ${torch.attention}`}) on ${dev}`);
  out.push(speedTable(r?.full ?? [], torch));
  const long = r?.full.find((x) => x.length >= 131072);
  if (long?.memory !== undefined) out.push(`128K: peak ${gib(long.memory.usedHighBytes)} GiB in use (pool reserved ${gib(long.memory.reservedHighBytes)}) of ${gib(long.memory.totalBytes)} GiB: ${long.memory.reservedHighBytes < long.memory.totalBytes ? "fits" : "DOES NOT FIT"}`);
  if (r?.correctness !== undefined) {
    out.push(`== correctness: ${r.correctness.promptTokens}-token prompt, ${r.correctness.newTokens} greedy tokens: ${r.correctness.ok ? "ok" : "FAIL"}`);
    out.push(correctnessTable(r.correctness));
  }
  if (r?.correctnessF32 !== undefined) {
    out.push(`== correctness in float32 (our backend storing float32 vs HF float32, same weights): ${r.correctnessF32.ok ? "ok" : "FAIL"}`);
    out.push(correctnessTable(r.correctnessF32));
  }
  if (r !== undefined && r.strategies.length > 0) {
    out.push(`== strategies at ${r.strategies[0]!.length} tokens, virtual hosts on one GPU, each host timed alone (prefill only)`);
    out.push(strategyTable(r.strategies));
  }
  if (r !== undefined && r.attentionPaths.length > 0) out.push(`ours ran: attention ${r.attentionPaths.join(" | ")}; gemm ${r.gemmPaths.join(", ")}`);
  if (r?.load !== undefined) out.push(`ours loaded ${(r.load.weightBytes / 1e9).toFixed(1)} GB of weights: read ${sec(r.load.loadMs)} s, backend built ${sec(r.load.uploadMs)} s`);
  for (const s of r?.skipped ?? []) out.push(`skipped: ${s}`);
  for (const s of torch?.skipped ?? []) out.push(`torch skipped ${s.length}: ${s.reason}`);
  for (const e of r?.errors ?? []) out.push(`ERROR in ${e.phase}: ${e.code}: ${e.message}`);
  return out.join("\n");
}
