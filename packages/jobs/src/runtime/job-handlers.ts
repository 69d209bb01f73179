// What each job kind does on the leader: plan (tokeniser in the main thread), run on the group, shape the small
// result. Sessions keep their context here and their KV on the hosts.

import { ApbError, InputError, SessionError, TransportError, parseSampling } from "@apb/core";
import type { SamplingParams, StrategyOptions } from "@apb/core";
import type { Job } from "bullmq";
import type { ReportedResult } from "../group/index.js";
import type { CorpusAggregate, CorpusDocumentPayload, DocumentResult, GeneratePayload, JobPayload, JobResult, QuestionAnswer, SessionAskPayload, SessionOpenPayload, SessionOpened } from "../payloads/index.js";
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

/** A corpus document: one question as a one-off generate, several over one prefill (askDocument). */
export async function runDocument(ctx: JobContext, st: LeaderState, p: CorpusDocumentPayload): Promise<DocumentResult> {
  if (p.questions !== undefined) return askDocument(ctx, st, p, p.questions);
  return { docId: p.docId, ...(await runGenerate(ctx, st, { prompt: p.text, question: p.question, sampling: p.sampling, ...strategyOf(p) })) };
}

/**
 * Prefills the document once without a question (query-agnostic selection, as session.open) into a cache that
 * lives on the group's hosts for this job only, asks each question of it in order, and drops the cache. Every
 * question is planned before the prefill, so a bad one fails the job before any work.
 */
async function askDocument(ctx: JobContext, st: LeaderState, p: CorpusDocumentPayload, questions: readonly string[]): Promise<DocumentResult> {
  const strategy = strategyOf(p);
  const planned = st.planner.planSession({ prompt: p.text, ...strategy });
  const asks = questions.map((question) => st.planner.planAsk(planned.context, { question }, strategy));
  const session = `doc.${ctx.requestKey}`; // a host-side cache only: no session record, nobody else asks it
  const answers: QuestionAnswer[] = [];
  let prefillMs = 0;
  try {
    prefillMs = (await ctx.run({ plan: planned.plan, sampling: parseSampling({ maxTokens: 1 }), mode: { kind: "prefill", session }, part: "p" })).timings.prefillMs;
    for (const [i, asked] of asks.entries()) {
      const owner = await ctx.run({ plan: asked.plan, sampling: p.sampling, mode: { kind: "ask", session }, part: `q${i}` }).catch((err: unknown) => {
        throw lostPrefill(err, p.docId);
      });
      const text = st.planner.decode(owner.tokens, p.sampling.stopStrings);
      answers.push({ question: questions[i]!, tokens: owner.tokens, text, finishReason: owner.finishReason, timings: owner.timings, questionTokens: asked.promptTokens - planned.promptTokens });
    }
  } finally {
    await st.dropSessionOnHosts(session).catch(() => undefined);
  }
  const o = ctx.g.services.options;
  return {
    docId: p.docId,
    tokens: answers.flatMap((a) => a.tokens),
    text: answers.some((a) => a.text === null) ? null : answers.map((a) => a.text).join("\n"),
    finishReason: answers.some((a) => a.finishReason === "length") ? "length" : "stop",
    timings: { prefillMs, queryMs: sum(answers, (a) => a.timings.queryMs), decodeMs: sum(answers, (a) => a.timings.decodeMs) },
    promptTokens: planned.promptTokens + sum(answers, (a) => a.questionTokens),
    strategy: planned.plan.strategy,
    group: o.group,
    hosts: o.hosts,
    answers,
  };
}

/** A host without the document's cache (it restarted between the prefill and a question) is a runtime failure. */
function lostPrefill(err: unknown, docId: string): unknown {
  if (!(err instanceof ApbError) || err.code !== "SESSION_NOT_FOUND") return err;
  return new TransportError("HOST_FAILED", `a host lost the prefill of document ${docId} (it restarted?); the document is retried`, { cause: err });
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((n, x) => n + f(x), 0);
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
    answers: values.map((v) => ({
      docId: v.docId,
      text: v.text,
      finishReason: v.finishReason,
      ...(v.answers === undefined ? {} : { answers: v.answers.map((a) => ({ question: a.question, text: a.text, finishReason: a.finishReason })) }),
    })),
    numTokens: values.reduce((n, v) => n + v.tokens.length, 0),
    numPromptTokens: values.reduce((n, v) => n + v.promptTokens, 0),
    groups,
  };
}
