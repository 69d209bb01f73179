// The token layout of a sample: the full sequence with its spans (datagen.py's qa_spans) and the engine inputs
// (context segment prefilled across hosts, query segment inserted into APB's anchor at qsp = 1).

import { QUERY_START } from "./types.js";
import type { Sample } from "./types.js";

/** `[<s>] + enc(context) + enc(query) + enc(" " + answer) + [</s>]` and where each part starts. */
export interface SampleLayout {
  readonly ids: Int32Array;
  /** Tokens of the context segment (`<s>` included); the query segment starts here. */
  readonly contextLen: number;
  /** ids[answerStart, answerEnd) are the answer tokens followed by `</s>`. */
  readonly answerStart: number;
  readonly answerEnd: number;
  /** answerStart + sample.lookup: the retrieved part of the answer starts at or after it. */
  readonly lookup: number;
}

/** The whole sequence (as training and teacher-forced eval see it) and its spans. */
export function sampleLayout(s: Sample): SampleLayout {
  const ids = new Int32Array(s.contextIds.length + s.questionIds.length + s.answerIds.length);
  ids.set(s.contextIds);
  ids.set(s.questionIds, s.contextIds.length);
  const answerStart = s.contextIds.length + s.questionIds.length;
  ids.set(s.answerIds, answerStart);
  return { ids, contextLen: s.contextIds.length, answerStart, answerEnd: ids.length, lookup: answerStart + s.lookup };
}

/** What `ApbEngine.generate` takes for a sample (add strategy and sampling). */
export interface EngineInputs {
  readonly ids: Int32Array;
  readonly questionIds: Int32Array;
  readonly queryStart: number;
}

/** The context segment as `ids`, the query segment as `questionIds`, and qsp = 1 (right after `<s>`). */
export function engineInputs(s: Sample): EngineInputs {
  return { ids: s.contextIds, questionIds: s.questionIds, queryStart: QUERY_START };
}
