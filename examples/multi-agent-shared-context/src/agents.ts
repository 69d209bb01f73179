// The three agents, each a plain LangChain runnable around its own session-bound ChatAPB: question in, report out.
// The archivist and the biographer work in parallel; the auditor checks the archivist's answer against a decoy key.

import type { ApbSession } from "@apb/core";
import { ChatAPB } from "@apb/langchain";
import { parseTriples } from "@apb/model-tiny";
import type { AIMessageChunk } from "@langchain/core/messages";
import { RunnableLambda, RunnableParallel, RunnableSequence } from "@langchain/core/runnables";
import type { Runnable } from "@langchain/core/runnables";
import type { Briefing } from "./briefing.js";

/** What one agent did. */
export interface AgentReport {
  readonly role: "archivist" | "biographer" | "auditor";
  readonly question: string;
  readonly answer: string;
  /** Context tokens its answer read from the session's cache instead of prefilling them. */
  readonly cachedTokens: number;
  readonly ms: number;
  /** The agent's conclusion, in its role's terms. */
  readonly note: string;
}

export interface TeamReport {
  readonly archivist: AgentReport;
  readonly biographer: AgentReport;
  readonly auditor: AgentReport;
}

/** Tokens each agent may write (the biographer lists several facts). */
export const MAX_TOKENS = { archivist: 24, biographer: 64, auditor: 24 } as const;

/** An agent: ask `question` through a model bound to the session, then turn the answer into a report. */
function agent<I>(role: AgentReport["role"], session: ApbSession, o: { question: (input: I) => string; note: (answer: string, input: I) => string }): Runnable<I, AgentReport> {
  const model = ChatAPB.fromSession(session, { maxTokens: MAX_TOKENS[role] });
  return RunnableLambda.from(async (input: I, config) => {
    const t0 = performance.now();
    const question = o.question(input);
    const msg: AIMessageChunk = await model.invoke(question, config);
    const answer = msg.text;
    const cachedTokens = msg.usage_metadata?.input_token_details?.cache_read ?? 0;
    return { role, question, answer, cachedTokens, ms: performance.now() - t0, note: o.note(answer, input) };
  });
}

const numbersIn = (text: string): string[] => text.match(/\d{3,}/g) ?? [];

/** The team over one session: {archivist ∥ biographer} → auditor. */
export function buildTeam(session: ApbSession, b: Briefing): Runnable<Record<string, never>, TeamReport> {
  const archivist = agent<unknown>("archivist", session, { question: () => b.archive.question, note: (a) => `filed: ${a}` });
  const biographer = agent<unknown>("biographer", session, {
    question: () => b.people.question,
    note: (a) => {
      const facts = parseTriples(a);
      return facts.length === 0 ? "no facts in the answer" : `${facts[0]!.subject}: ${facts.map((f) => `${f.relation} ${f.object}`).join("; ")}`;
    },
  });
  const auditor = agent<AgentReport>("auditor", session, {
    question: () => b.decoy.question,
    note: (a, filed) => {
      const shared = numbersIn(a).filter((n) => numbersIn(filed.answer).includes(n));
      return shared.length > 0
        ? `a key that is not in the document got the archived number ${shared[0]}: treat the archivist's answer with care`
        : "a key that is not in the document got a different answer: the archivist's answer is specific to its key";
    },
  });
  return RunnableSequence.from([
    RunnableParallel.from({ archivist, biographer }),
    RunnableLambda.from(async (r: { archivist: AgentReport; biographer: AgentReport }, config) => ({ ...r, auditor: await auditor.invoke(r.archivist, config) })),
  ]);
}
