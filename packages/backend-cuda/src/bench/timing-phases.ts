// The timed phases: full-attention prefill per length (one host; warm-up, then the median of what fits before the
// deadline, pool peak memory), and APB / Star / Ring with H virtual hosts at one length, each host timed alone.

import { argmax, parseSampling } from "@apb/core";
import type { GroupPlan, RequestStrategy } from "@apb/core";
import { CudaBackend } from "../backend/index.js";
import type { BenchContext } from "./bench-context.js";
import { planPrompt, repsThatFit, seededIds } from "./bench-context.js";
import { median, predictMs } from "./deadline.js";
import { logitsRelL2 } from "./prefill-report.js";
import type { FullRow, HostTiming, StrategyRow } from "./prefill-result.js";
import { runVirtualRequest, timeHostPrefills } from "./virtual-hosts.js";

interface TimedRun {
  readonly ms: number;
  readonly prefillMs: number;
  readonly queryMs: number;
  readonly logits: Float32Array;
}

/** One full prefill of the prompt and its last token's logits (every backend op ends synchronised with the GPU). */
async function fullRun(ctx: BenchContext, plan: GroupPlan): Promise<TimedRun> {
  const t0 = ctx.clock.ms();
  const [host] = await runVirtualRequest(ctx.vh, { plan, sampling: parseSampling({ maxTokens: 1, temperature: 0 }), keepLogits: true });
  return { ms: ctx.clock.ms() - t0, prefillMs: host!.timings.prefillMs, queryMs: host!.timings.queryMs, logits: host!.logits![0]! };
}

/** PyTorch's prompt when its bench wrote one long enough (so the logits can be compared), else seeded ids. */
function promptFor(ctx: BenchContext, length: number): { ids: Int32Array; torchLogits: Float32Array | undefined } {
  const t = ctx.torch;
  if (t !== undefined && t.ids.length >= length) return { ids: t.ids.subarray(0, length), torchLogits: t.logits.get(length) };
  return { ids: seededIds(length, ctx.vh.config.vocabSize, ctx.o.seed + length), torchLogits: undefined };
}

async function fullLength(ctx: BenchContext, length: number, reps: number): Promise<FullRow> {
  const prompt = promptFor(ctx, length);
  const plan = planPrompt(ctx, prompt.ids, { strategy: "full" }, 1);
  ctx.memory(true);
  const warm = await fullRun(ctx, plan);
  const runs: TimedRun[] = [];
  for (let i = 0; i < reps; i++) runs.push(await fullRun(ctx, plan));
  const mid = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor((runs.length - 1) / 2)]!;
  const ms = runs.map((r) => r.ms);
  const t = prompt.torchLogits;
  const vsTorch = t === undefined ? undefined : { relL2: logitsRelL2(mid.logits, t), argmaxSame: argmax(mid.logits) === argmax(t) };
  return { length, warmupMs: warm.ms, runsMs: ms, medianMs: median(ms), minMs: Math.min(...ms), prefillMs: mid.prefillMs, queryMs: mid.queryMs, memory: ctx.memory(false), vsTorch };
}

/** Full-attention prefill at every length, ascending; each row is saved as soon as it is measured. */
export async function runFullTimings(ctx: BenchContext): Promise<void> {
  let prev: { length: number; ms: number } | undefined;
  for (const length of [...ctx.o.lengths].sort((a, b) => a - b)) {
    const predictedMs = predictMs(length, prev, ctx.o.firstGuessMs);
    const reps = repsThatFit(ctx, `full ${length}`, { predictedMs, reps: length >= ctx.o.longFrom ? ctx.o.repsLong : ctx.o.reps });
    if (reps === 0) continue;
    const row = await fullLength(ctx, length, reps);
    ctx.result.full.push(row);
    ctx.save();
    prev = { length, ms: row.medianMs };
    const mem = row.memory === undefined ? "" : `, peak ${(row.memory.usedHighBytes / 2 ** 30).toFixed(1)} GiB in use`;
    const vs = row.vsTorch === undefined ? "" : `; logits vs PyTorch relL2 ${row.vsTorch.relL2.toExponential(2)}, argmax ${row.vsTorch.argmaxSame ? "same" : "DIFFERS"}`;
    ctx.log(`full ${length}: median ${(row.medianMs / 1000).toFixed(3)} s of ${reps} (warm-up ${(row.warmupMs / 1000).toFixed(3)} s; prefill ${(row.prefillMs / 1000).toFixed(3)} s + last token ${row.queryMs.toFixed(1)} ms${mem})${vs}`);
  }
}

/** Per host, the median over repetitions of its time; op times from the last repetition. */
function medianHosts(reps: readonly HostTiming[][]): HostTiming[] {
  return reps[0]!.map((h, i) => ({ ...reps[reps.length - 1]![i]!, ms: median(reps.map((r) => r[i]!.ms)) }));
}

async function strategyRow(ctx: BenchContext, a: { name: string; strategy: RequestStrategy; hosts: number; ids: Int32Array; reps: number }): Promise<StrategyRow> {
  const plan = planPrompt(ctx, a.ids, a.strategy, a.hosts);
  ctx.memory(true);
  await timeHostPrefills(ctx.vh, { plan, seed: ctx.o.seed, now: () => ctx.clock.ms() }); // warm-up: plans, heuristics, pool
  const timed: HostTiming[][] = [];
  for (let i = 0; i < a.reps; i++) timed.push(await timeHostPrefills(ctx.vh, { plan, seed: ctx.o.seed, now: () => ctx.clock.ms() }));
  const perHost = medianHosts(timed);
  return {
    strategy: a.name,
    length: a.ids.length,
    hosts: a.hosts,
    blockLen: plan.blockLen,
    anchor: plan.anchorLen,
    passing: plan.passingLen,
    selection: plan.strategy === "apb" ? plan.selection : undefined,
    perHost,
    maxHostMs: Math.max(...perHost.map((h) => h.ms)),
    sumHostMs: perHost.reduce((s, h) => s + h.ms, 0),
    maxHostAttentionMs: Math.max(...perHost.map((h) => h.opMs["attention"] ?? 0)),
    reps: a.reps,
    memory: ctx.memory(false),
  };
}

/**
 * Full (one host) and each strategy with H virtual hosts at one length, prefill only. APB uses its default anchor and
 * passing lengths (l_b/4, l_b/8) with random selection (no retaining heads exist for random weights). A CUDA backend
 * runs with awaitOps on here, so each op's time is its own (host totals include those waits; the full-prefill rows
 * above run without them).
 */
export async function runStrategyTimings(ctx: BenchContext): Promise<void> {
  // Per-op times need every op to wait for its GPU work (else attnIn's GEMMs land in attention's LSE read-back).
  const cuda = ctx.vh.backend instanceof CudaBackend ? ctx.vh.backend : undefined;
  const awaited = cuda?.awaitOps;
  if (cuda !== undefined) cuda.awaitOps = true;
  try {
    await strategyTimings(ctx);
  } finally {
    if (cuda !== undefined && awaited !== undefined) cuda.awaitOps = awaited;
  }
}

async function strategyTimings(ctx: BenchContext): Promise<void> {
  const { o } = ctx;
  const ids = seededIds(o.strategyLength, ctx.vh.config.vocabSize, o.seed + o.strategyLength);
  const measuredFull = ctx.result.full.find((r) => r.length === o.strategyLength);
  let guessMs = measuredFull?.prefillMs ?? predictMs(o.strategyLength, undefined, o.firstGuessMs);
  const cases: { name: string; strategy: RequestStrategy; hosts: number }[] = [
    { name: "full", strategy: { strategy: "full" }, hosts: 1 },
    ...o.strategies.map((s) => ({ name: s, strategy: s === "apb" ? { strategy: s, selection: "random" as const } : { strategy: s }, hosts: o.hosts })),
  ];
  for (const c of cases) {
    const reps = repsThatFit(ctx, `${c.name} ${o.strategyLength} (${c.hosts} hosts)`, { predictedMs: guessMs, reps: o.strategyReps });
    if (reps === 0) continue;
    const row = await strategyRow(ctx, { ...c, ids, reps });
    ctx.result.strategies.push(row);
    ctx.save();
    guessMs = Math.max(guessMs, row.sumHostMs);
    const hosts = row.perHost.map((h) => `${(h.ms / 1000).toFixed(3)}`).join(" / ");
    ctx.log(`${c.name} ${o.strategyLength} on ${c.hosts} host(s): per host ${hosts} s; attention max ${(row.maxHostAttentionMs / 1000).toFixed(3)} s`);
  }
}
