// Correctness on the reference prompt: our full strategy against HF (last-position logits within the bar, greedy tokens,
// and every step teacher-forced on HF's path), then APB with exact settings (anchor 0, passing = block) and Ring on H
// virtual hosts against our full tokens.

import { parseSampling } from "@apb/core";
import type { GroupPlan, RequestStrategy } from "@apb/core";
import type { BenchContext } from "./bench-context.js";
import { planPrompt, seededIds } from "./bench-context.js";
import { forcedCheck, logitsRelL2, rms, tokenAgreement } from "./prefill-report.js";
import type { CorrectnessResult, CorrectnessRun } from "./prefill-result.js";
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

function fullVsHf(ctx: BenchContext, full: EngineRun, ref: TorchReference | undefined): CorrectnessRun {
  const head = { name: "full", strategy: "full", hosts: 1, anchor: 0, passing: 0, tokens: full.tokens, ms: full.ms, tokensVs: "hf" as const };
  if (ref === undefined) return { ...head, ok: true };
  const rel = logitsRelL2(full.logits0, ref.lastLogits);
  const agreement = tokenAgreement(full.tokens, ref.greedy, { steps: ref.steps, rmsError: rel * rms(ref.lastLogits) });
  return { ...head, logitsRelL2: rel, agreement, ok: rel <= ctx.o.logitsTol && agreement.identical };
}

function vsFull(ctx: BenchContext, name: string, run: EngineRun, full: EngineRun): CorrectnessRun {
  const rel = logitsRelL2(run.logits0, full.logits0);
  const agreement = tokenAgreement(run.tokens, full.tokens);
  const p = run.plan;
  return { name, strategy: p.strategy, hosts: p.numHosts, anchor: p.anchorLen, passing: p.passingLen, tokens: run.tokens, ms: run.ms, tokensVs: "full", logitsRelL2: rel, agreement, ok: rel <= ctx.o.logitsTol && agreement.identical };
}

/** Runs the correctness phase and stores it in ctx.result.correctness. */
export async function runCorrectness(ctx: BenchContext, ref: TorchReference | undefined): Promise<CorrectnessResult> {
  const { o, vh } = ctx;
  const prompt = ref !== undefined ? Int32Array.from(ref.promptIds) : seededIds(o.promptLength, vh.config.vocabSize, o.seed);
  const newTokens = ref?.greedy.length ?? o.newTokens;
  const H = o.hosts;
  const p = { ids: prompt, newTokens };
  const full = await runEngine(ctx, p, { strategy: "full" }, 1);
  const runs: CorrectnessRun[] = [fullVsHf(ctx, full, ref)];
  ctx.log(`correctness: full ${full.ms.toFixed(0)} ms, tokens ${full.tokens.join(",")}`);
  let forced: CorrectnessResult["forced"];
  if (ref !== undefined) {
    const path = Int32Array.from([...ref.promptIds, ...ref.greedy.slice(0, -1)]);
    forced = forcedCheck(await forwardLogits(vh.backend, vh.config, path, ref.greedy.length), ref, o.logitsTol);
    ctx.log(`correctness: teacher-forced argmax ${forced.numArgmaxSame}/${forced.numSteps}, max relL2 ${forced.maxRelL2.toExponential(2)}`);
  }
  const blockLen = Math.ceil((prompt.length - 1) / H);
  if (H > 1 && prompt.length - 1 >= H) {
    const apb = await runEngine(ctx, p, { strategy: "apb", anchor: 0, passing: blockLen, selection: "random" }, H);
    runs.push(vsFull(ctx, "apb exact (anchor 0, passing = block)", apb, full));
    const ring = await runEngine(ctx, p, { strategy: "ring" }, H);
    runs.push(vsFull(ctx, "ring", ring, full));
    ctx.log(`correctness: apb exact ${apb.ms.toFixed(0)} ms, ring ${ring.ms.toFixed(0)} ms (${H} virtual hosts)`);
  }
  const ok = runs.every((r) => r.ok) && (forced?.ok ?? true);
  const c: CorrectnessResult = { promptTokens: prompt.length, newTokens, logitsTol: o.logitsTol, referenceTokens: ref?.greedy, runs, forced, ok };
  ctx.result.correctness = c;
  ctx.save();
  return c;
}
