// What each job kind does on the leader: plan (tokeniser in the main thread), run on the group, shape the small
// result. Sessions keep their context here and their KV on the hosts.

import { InputError, SessionError, parseSampling } from "@apb/core";
import type { SamplingParams, StrategyOptions } from "@apb/core";
import type { Job } from "bullmq";
import type { ReportedResult } from "../group/index.js";
import type { CorpusAggregate, CorpusDocumentPayload, DocumentResult, GeneratePayload, JobPayload, JobResult, SessionAskPayload, SessionOpenPayload, SessionOpened } from "../payloads/index.js";
import type { JobContext } from "./job-context.js";
import type { PlannedContext, RequestPlanner } from "./request-planner.js";
import type { SessionRegistry } from "./session-registry.js";

/** The leader's planning and session state, shared by every job it runs. */
export interface LeaderState {
  readonly planner: RequestPlanner;
  readonly sessions: SessionRegistry;
  /** Drops a session's cache on every host of the group. */
  dropSessionOnHosts(id: string): Promise<void>;
}

function strategyOf(p: StrategyOptions): StrategyOptions {
  return { strategy: p.strategy, anchor: p.anchor, passing: p.passing, selection: p.selection, queryStart: p.queryStart };
}

function resultOf(ctx: JobContext, st: LeaderState, a: { owner: ReportedResult; planned: PlannedContext; sampling: SamplingParams }): JobResult {
  const o = ctx.g.services.options;
  return {
    tokens: a.owner.tokens,
    text: st.planner.decode(a.owner.tokens, a.sampling.stopStrings),
    finishReason: a.owner.finishReason,
    timings: a.owner.timings,
    promptTokens: a.planned.promptTokens,
    strategy: a.planned.plan.strategy,
    group: o.group,
    hosts: o.hosts,
  };
}

export async function runGenerate(ctx: JobContext, st: LeaderState, p: GeneratePayload): Promise<JobResult> {
  const planned = st.planner.planGenerate(p);
  const owner = await ctx.run({ plan: planned.plan, sampling: p.sampling, mode: { kind: "generate" } });
  return resultOf(ctx, st, { owner, planned, sampling: p.sampling });
}

export async function runDocument(ctx: JobContext, st: LeaderState, p: CorpusDocumentPayload): Promise<DocumentResult> {
  return { docId: p.docId, ...(await runGenerate(ctx, st, { prompt: p.text, question: p.question, sampling: p.sampling, ...strategyOf(p) })) };
}

export async function runSessionOpen(ctx: JobContext, st: LeaderState, p: SessionOpenPayload): Promise<SessionOpened> {
  if (await st.sessions.exists(p.sessionId)) throw new InputError("INPUT_INVALID", `session id ${p.sessionId} is already in use; open the session with a new id`);
  const planned = st.planner.planSession(p);
  const owner = await ctx.run({ plan: planned.plan, sampling: parseSampling({ maxTokens: 1 }), mode: { kind: "prefill", session: p.sessionId } });
  await st.sessions.add({ id: p.sessionId, context: planned.context, strategy: strategyOf(p), ttlMs: p.ttlMs });
  const o = ctx.g.services.options;
  return { sessionId: p.sessionId, group: o.group, hosts: o.hosts, numContextTokens: planned.context.length, prefillMs: owner.timings.prefillMs, ttlMs: p.ttlMs };
}

export async function runSessionAsk(ctx: JobContext, st: LeaderState, p: SessionAskPayload): Promise<JobResult> {
  const s = await st.sessions.get(p.sessionId);
  await st.sessions.touch(s);
  const planned = st.planner.planAsk(s.context, p, s.strategy);
  const owner = await ctx.run({ plan: planned.plan, sampling: p.sampling, mode: { kind: "ask", session: s.id } });
  await st.sessions.touch(s);
  return resultOf(ctx, st, { owner, planned, sampling: p.sampling });
}

/** Drops the session everywhere (also an expired or lost one: its record goes). @throws SessionError SESSION_NOT_FOUND. */
export async function runSessionClose(_ctx: JobContext, st: LeaderState, p: JobPayload<"session.close">): Promise<{ sessionId: string; closed: true }> {
  const rec = await st.sessions.record(p.sessionId);
  if (rec === undefined || rec.group !== st.sessions.group) throw new SessionError("SESSION_NOT_FOUND", `no session ${p.sessionId} on this group: it was never opened, or it was closed`, { session: p.sessionId });
  if (await st.sessions.close(p.sessionId)) await st.dropSessionOnHosts(p.sessionId);
  return { sessionId: p.sessionId, closed: true };
}

/** A corpus parent: merges its children's answers (any leader runs it; no hosts involved). */
export async function runCorpus(job: Job, p: JobPayload<"corpus">): Promise<CorpusAggregate> {
  const values = Object.values(await job.getChildrenValues<DocumentResult>());
  values.sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
  const groups: Record<string, number> = {};
  for (const v of values) groups[v.group] = (groups[v.group] ?? 0) + 1;
  return {
    numDocuments: p.numDocuments,
    answers: values.map((v) => ({ docId: v.docId, text: v.text, finishReason: v.finishReason })),
    numTokens: values.reduce((n, v) => n + v.tokens.length, 0),
    numPromptTokens: values.reduce((n, v) => n + v.promptTokens, 0),
    groups,
  };
}
