// Answers on the local ApbEngine (in-process hosts): a session per document, or one generate per question.

import type { ApbEngine } from "@apb/core";
import type { Answer, AnswerRequest, AnswerSettings, Answerer } from "./answerer.js";
import { samplingOf, strategyOf } from "./answerer.js";

export class EngineAnswerer implements Answerer {
  readonly where = "local";

  constructor(
    private readonly engine: ApbEngine,
    private readonly settings: AnswerSettings,
  ) {}

  /** @throws the engine's typed errors (InputError PROMPT_TOO_LONG for a document longer than the model, ...). */
  async answerAll(req: AnswerRequest, onAnswer?: (a: Answer) => void): Promise<Answer[]> {
    if (req.questions.length === 0) return [];
    return this.settings.mode === "session" ? this.viaSession(req, onAnswer) : this.viaGenerate(req, onAnswer);
  }

  private async viaSession(req: AnswerRequest, onAnswer?: (a: Answer) => void): Promise<Answer[]> {
    const s = this.settings;
    const session = await this.engine.openSession({ ids: req.contextIds, ...strategyOf(s), signal: req.signal });
    const out: Answer[] = [];
    try {
      for (const q of req.questions) {
        const r = await session.ask({ questionIds: q, sampling: samplingOf(s), signal: req.signal });
        const a = { text: r.text ?? "", numPromptTokens: (out.length === 0 ? req.contextIds.length : 0) + q.length, numGeneratedTokens: r.tokens.length };
        out.push(a);
        onAnswer?.(a);
      }
    } finally {
      await session.close();
    }
    return out;
  }

  private async viaGenerate(req: AnswerRequest, onAnswer?: (a: Answer) => void): Promise<Answer[]> {
    const s = this.settings;
    const out: Answer[] = [];
    for (const q of req.questions) {
      const r = await this.engine.generate({ ids: req.contextIds, questionIds: q, queryStart: s.queryStart, ...strategyOf(s), sampling: samplingOf(s), signal: req.signal });
      const a = { text: r.text ?? "", numPromptTokens: req.contextIds.length + q.length, numGeneratedTokens: r.tokens.length };
      out.push(a);
      onAnswer?.(a);
    }
    return out;
  }
}
