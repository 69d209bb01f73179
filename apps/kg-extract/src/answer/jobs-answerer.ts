// Answers on a worker group through the job layer (ApbClient): a context session per document, or one generate job
// per question. One JobsAnswerer per group; several groups work on different documents at once.

import type { ApbClient } from "@apb/jobs";
import type { Answer, AnswerRequest, AnswerSettings, Answerer } from "./answerer.js";
import { samplingOf, strategyOf } from "./answerer.js";

/** A session lives this long without a question before the group drops it (a crashed client leaks nothing for long). */
const SESSION_TTL_MS = 10 * 60 * 1000;

export class JobsAnswerer implements Answerer {
  constructor(
    private readonly client: ApbClient,
    readonly where: string,
    private readonly settings: AnswerSettings,
  ) {}

  /** @throws the job layer's typed errors, rebuilt by code (InputError, PlanError, TransportError HOST_FAILED / ABORTED). */
  async answerAll(req: AnswerRequest, onAnswer?: (a: Answer) => void): Promise<Answer[]> {
    if (req.questions.length === 0) return [];
    return this.settings.mode === "session" ? this.viaSession(req, onAnswer) : this.viaGenerate(req, onAnswer);
  }

  private async viaSession(req: AnswerRequest, onAnswer?: (a: Answer) => void): Promise<Answer[]> {
    const s = this.settings;
    const co = { signal: req.signal };
    const session = await this.client.openSession({ group: this.where, ids: Array.from(req.contextIds), ...strategyOf(s), ttlMs: SESSION_TTL_MS }, co);
    const out: Answer[] = [];
    try {
      for (const q of req.questions) {
        const r = await session.ask({ questionIds: Array.from(q), sampling: samplingOf(s) }, co);
        const a = { text: r.text ?? "", numPromptTokens: (out.length === 0 ? req.contextIds.length : 0) + q.length, numGeneratedTokens: r.tokens.length };
        out.push(a);
        onAnswer?.(a);
      }
    } finally {
      await session.close().catch(() => undefined); // an expired or lost session is gone already
    }
    return out;
  }

  private async viaGenerate(req: AnswerRequest, onAnswer?: (a: Answer) => void): Promise<Answer[]> {
    const s = this.settings;
    const ids = Array.from(req.contextIds);
    const out: Answer[] = [];
    for (const q of req.questions) {
      const r = await this.client.generate({ group: this.where, ids, questionIds: Array.from(q), queryStart: s.queryStart, ...strategyOf(s), sampling: samplingOf(s) }, { signal: req.signal });
      const a = { text: r.text ?? "", numPromptTokens: req.contextIds.length + q.length, numGeneratedTokens: r.tokens.length };
      out.push(a);
      onAnswer?.(a);
    }
    return out;
  }
}
