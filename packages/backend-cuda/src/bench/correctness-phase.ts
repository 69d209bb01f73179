// Correctness on the reference prompt: our full strategy against HF (last-position logits within the bar, greedy tokens,
// and every step teacher-forced on HF's path; the same against HF in float32 when that reference exists, beside
// transformers' own bf16 distance from it), then APB with exact settings (anchor 0, passing = block) and Ring on H
// virtual hosts against our full tokens.

import { parseSampling } from "@apb/core";
import type { GroupPlan, RequestStrategy } from "@apb/core";
import type { BenchContext } from "./bench-context.js";
import { planPrompt, seededIds } from "./bench-context.js";
import { forcedCheck, logitsRelL2, rms, tokenAgreement } from "./prefill-report.js";
import type { CorrectnessResult, CorrectnessRun, ForcedCheck } from "./prefill-result.js";
import type { TorchReference } from "./torch-results.js";
import { forwardLogits, runVirtualRequest } from "./virtual-hosts.js";

interface EngineRun {
  readonly tokens: number[];
  readonly logits0: Float32Array;
  readonly ms: number;
  readonly plan: GroupPlan;
}

async function runEngine(ctx: BenchContext, prompt: { ids: Int32Array; newTokens: number }, strategy: RequestStrategy, numHosts: number): Promise<EngineRun> {
  const plan = planPrompt(ctx, prompt.ids, strategy, numHosts);
  const t0 = ctx.clock.ms();
  const hosts = await runVirtualRequest(ctx.vh, { plan, sampling: parseSampling({ maxTokens: prompt.newTokens, temperature: 0 }), keepLogits: true });
  const owner = hosts[hosts.length - 1]!;
  return { tokens: owner.tokens, logits0: owner.logits![0]!, ms: ctx.clock.ms() - t0, plan };
}

function fullVsHf(ctx: BenchContext, full: EngineRun, ref: TorchReference | undefined, tokensVs: "hf" | "hf-f32" = "hf"): CorrectnessRun {
  const head = { name: "full", strategy: "full", hosts: 1, anchor: 0, passing: 0, tokens: full.tokens, ms: full.ms, tokensVs };
  if (ref === undefined) return { ...head, ok: true };
  const rel = logitsRelL2(full.logits0, ref.lastLogits);
  const agreement = tokenAgreement(full.tokens, ref.greedy, { steps: ref.steps, rmsError: rel * rms(ref.lastLogits) });
  return { ...head, logitsRelL2: rel, agreement, ok: rel <= ctx.o.logitsTol && agreement.identical };
}

/** transformers' own bf16 distance from its float32 run on the same weights: the scale our distance compares with. */
function hfBf16VsF32(ctx: BenchContext, ref: TorchReference, refF32: TorchReference): CorrectnessRun {
  const rel = logitsRelL2(ref.lastLogits, refF32.lastLogits);
  const agreement = tokenAgreement(ref.greedy, refF32.greedy, { steps: refF32.steps, rmsError: rel * rms(refF32.lastLogits) });
  return { name: "HF transformers bf16", strategy: "hf", hosts: 1, anchor: 0, passing: 0, tokens: ref.greedy, ms: 0, tokensVs: "hf-f32", logitsRelL2: rel, agreement, informational: true, ok: rel <= ctx.o.logitsTol && agreement.identical };
}

async function teacherForced(ctx: BenchContext, ref: TorchReference, label: string): Promise<ForcedCheck> {
  const path = Int32Array.from([...ref.promptIds, ...ref.greedy.slice(0, -1)]);
  const f = forcedCheck(await forwardLogits(ctx.vh.backend, ctx.vh.config, path, ref.greedy.length), ref, ctx.o.logitsTol);
  ctx.log(`correctness: teacher-forced on ${label}: argmax ${f.numArgmaxSame}/${f.numSteps}, max relL2 ${f.maxRelL2.toExponential(2)}`);
  return f;
}

function vsFull(ctx: BenchContext, name: string, run: EngineRun, full: EngineRun): CorrectnessRun {
  const rel = logitsRelL2(run.logits0, full.logits0);
  const agreement = tokenAgreement(run.tokens, full.tokens);
  const p = run.plan;
  return { name, strategy: p.strategy, hosts: p.numHosts, anchor: p.anchorLen, passing: p.passingLen, tokens: run.tokens, ms: run.ms, tokensVs: "full", logitsRelL2: rel, agreement, ok: rel <= ctx.o.logitsTol && agreement.identical };
}

/**
 * Runs the correctness checks on ctx's backend against `ref` (labelled `refLabel`: HF bf16, or HF float32 for the
 * float32 pass), and with `refF32` also against that and transformers' own bf16 distance from it. Returns the result
 * (the caller stores it).
 */
export async function runCorrectness(ctx: BenchContext, ref: TorchReference | undefined, refF32?: TorchReference, refLabel: "hf" | "hf-f32" = "hf"): Promise<CorrectnessResult> {
  const { o, vh } = ctx;
  const prompt = ref !== undefined ? Int32Array.from(ref.promptIds) : seededIds(o.promptLength, vh.config.vocabSize, o.seed);
  const newTokens = ref?.greedy.length ?? o.newTokens;
  const H = o.hosts;
  const p = { ids: prompt, newTokens };
  const full = await runEngine(ctx, p, { strategy: "full" }, 1);
  const runs: CorrectnessRun[] = [fullVsHf(ctx, full, ref, refLabel)];
  if (ref !== undefined && refF32 !== undefined) runs.push(fullVsHf(ctx, full, refF32, "hf-f32"), hfBf16VsF32(ctx, ref, refF32));
  ctx.log(`correctness: full ${full.ms.toFixed(0)} ms, tokens ${full.tokens.join(",")}`);
  const forced = ref === undefined ? undefined : await teacherForced(ctx, ref, refLabel === "hf" ? "HF bf16's tokens" : "HF float32's tokens");
  const forcedF32 = refF32 === undefined ? undefined : await teacherForced(ctx, refF32, "HF float32's tokens");
  const blockLen = Math.ceil((prompt.length - 1) / H);
  if (H > 1 && prompt.length - 1 >= H) {
    const apb = await runEngine(ctx, p, { strategy: "apb", anchor: 0, passing: blockLen, selection: "random" }, H);
    runs.push(vsFull(ctx, "apb exact (anchor 0, passing = block)", apb, full));
    const ring = await runEngine(ctx, p, { strategy: "ring" }, H);
    runs.push(vsFull(ctx, "ring", ring, full));
    ctx.log(`correctness: apb exact ${apb.ms.toFixed(0)} ms, ring ${ring.ms.toFixed(0)} ms (${H} virtual hosts)`);
  }
  const ok = runs.every((r) => r.ok || r.informational === true) && (forced?.ok ?? true) && (forcedF32?.ok ?? true);
  return { promptTokens: prompt.length, newTokens, logitsTol: o.logitsTol, referenceTokens: ref?.greedy, runs, forced, forcedF32, ok };
}
