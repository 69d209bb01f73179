// How a corpus flow sends a document's context. A flow carries text, which the worker tokenises with the tokenizer's
// special tokens, while a local run builds ids as the template's BOS + the rendered document. This picks the text form
// (the BOS token text in front, or not) that gives the local ids, and refuses a template for which neither does.

import type { ApbTokenizer } from "@apb/core";
import { FlowError } from "../errors/index.js";
import type { DocumentExtractor } from "../extract/index.js";

/** A probe with the shape of a document: capitalised names, punctuation, a sentence break. */
const PROBE = "Anna Berg lives in Oslo. She works as a teacher, and Theo Lund is her friend.";

const same = (a: Int32Array, b: Int32Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const head = (ids: Int32Array): string => `[${Array.from(ids.subarray(0, 4)).join(", ")}, …]`;

/**
 * Whether the flow's context text must start with the template's BOS token text (true) or not (the tokenizer adds
 * it itself, or the template has none).
 * @throws FlowError CONFIG_INVALID when neither form tokenises to the local context ids
 */
export function flowContextWithBos(extractor: Pick<DocumentExtractor, "contextIds" | "contextText">, tokenizer: ApbTokenizer): boolean {
  const want = extractor.contextIds(PROBE);
  const forms = [true, false].map((withBos) => ({ withBos, ids: tokenizer.encode(extractor.contextText(PROBE, withBos), { addSpecialTokens: true }) }));
  const match = forms.find((f) => same(f.ids, want));
  if (match !== undefined) return match.withBos;
  throw new FlowError(
    "CONFIG_INVALID",
    `with --redis the workers tokenise each document as text with the tokenizer's special tokens, which gives ${head(forms[0]!.ids)} or ${head(forms[1]!.ids)} where this prompt template's context is ${head(want)}; set the template's "bos" to the BOS token text (or null) so that they agree, or run locally`,
    { want: Array.from(want.subarray(0, 4)) },
  );
}
