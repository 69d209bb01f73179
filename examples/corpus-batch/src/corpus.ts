// The example's corpus: needle-in-a-haystack documents from @apb/model-tiny's task generator, in the format the
// shipped model was trained on, each with its own question, and the generator's answer kept for checking.

import type { CorpusRequest } from "@apb/jobs";
import { EOS_ID, QUERY_PREFIX, QUERY_START, QUERY_SUFFIX, generateSample } from "@apb/model-tiny";
import type { TokenEncoder } from "@apb/model-tiny";

/** One generated document and what a right answer is. */
export interface CorpusDocument {
  readonly id: string;
  /** The haystack with the needle. */
  readonly text: string;
  /** The bare question, e.g. `What is the special magic number for dainty-trumpet?`. */
  readonly question: string;
  /** The generator's answer (e.g. `dainty-trumpet=65346`): what greedy decoding should produce. */
  readonly expected: string;
}

export interface CorpusOptions {
  readonly numDocuments: number;
  /** Tokens per document, question and answer included. */
  readonly length: number;
  /** How each document is split over its group's hosts (default: apb on several hosts). */
  readonly strategy?: CorpusRequest["strategy"];
}

/** The generated documents and the corpus job that asks about them. */
export interface GeneratedCorpus {
  readonly documents: readonly CorpusDocument[];
  readonly request: CorpusRequest;
}

/**
 * Generates `numDocuments` niah_single documents (eval split, indices 0..n-1, so the same every run).
 *
 * Each document hides a different key, so each gets its own question, in the model's query format
 * (`\n\nQuestion: q\nAnswer:`). APB embeds it in every host's anchor (at qsp = 1, right after `<s>`), which lets the
 * retaining heads favour the needle when they choose the passing blocks.
 * @throws InputError (from the generator) for a bad length
 */
export function generateCorpus(tokenizer: TokenEncoder, o: CorpusOptions): GeneratedCorpus {
  const documents = Array.from({ length: o.numDocuments }, (_, i): CorpusDocument => {
    const s = generateSample({ task: "niah_single", length: o.length, index: i, tokenizer });
    return { id: `niah-${i}`, text: s.context, question: s.question, expected: s.answer };
  });
  // Room for the longest answer and a few more tokens; greedy, stopped at </s> or the end of the line.
  const longest = Math.max(...documents.map((d) => tokenizer.encode(` ${d.expected}`, { addSpecialTokens: false }).length));
  const request: CorpusRequest = {
    documents: documents.map((d) => ({ id: d.id, text: d.text, question: QUERY_PREFIX + d.question + QUERY_SUFFIX })),
    sampling: { maxTokens: longest + 4, temperature: 0, stopTokenIds: [EOS_ID], stopStrings: ["\n"] },
    queryStart: QUERY_START,
    ...(o.strategy === undefined ? {} : { strategy: o.strategy }),
  };
  return { documents, request };
}

/** Whether a model's answer text is the generator's answer (surrounding whitespace aside). */
export function isRightAnswer(text: string | null, expected: string): boolean {
  return text !== null && text.trim() === expected;
}
