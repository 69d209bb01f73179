// Streamed text deltas: nothing is emitted twice or taken back, stop strings are never streamed (not even their start),
// half characters wait for their other half, and the data format's leading space is dropped.

import { describe, expect, it } from "vitest";
import { TextAssembler } from "./text_stream.js";
import type { TokenDecoder } from "./text_stream.js";

/** Token i decodes to PIECES[i]; ids 90/91 are the two halves of "é" (a lone half shows as U+FFFD); 2 is </s>. */
const PIECES: Record<number, string> = { 2: "</s>", 10: " The", 11: " key", 12: " is", 13: ":", 14: " 42", 15: ".", 16: "\n", 17: "END", 18: "EN" };
const decoder: TokenDecoder = {
  decode(ids, opts) {
    let s = "";
    const a = Array.from(ids);
    for (let i = 0; i < a.length; i++) {
      if (a[i] === 90) s += a[i + 1] === 91 ? "é" : "\uFFFD";
      else if (a[i] === 91) continue;
      else if (a[i] === 2 && opts.skipSpecialTokens) continue;
      else s += PIECES[a[i]!]!;
    }
    return s;
  },
};

function run(tokens: number[], stop: string[], stripLeadingSpace = true): { deltas: string[]; final: string; stopped: boolean } {
  const t = new TextAssembler(decoder, { stop, stripLeadingSpace });
  const deltas: string[] = [];
  for (let i = 1; i <= tokens.length; i++) deltas.push(t.update(tokens.slice(0, i)));
  deltas.push(t.finish(tokens));
  return { deltas, final: t.text, stopped: t.stopped };
}

describe("TextAssembler", () => {
  it("emits one delta per token and drops the leading space once", () => {
    const r = run([10, 11, 12, 13, 14, 2], []);
    expect(r.deltas).toEqual(["The", " key", " is", ":", " 42", "", ""]);
    expect(r.final).toBe("The key is: 42");
  });

  it("keeps the leading space when asked to", () => {
    expect(run([10, 11], [], false).final).toBe(" The key");
  });

  it("holds back a possible start of a stop string and cuts before it", () => {
    const r = run([10, 11, 12, 13, 14, 15, 16, 10], [".\n"]);
    expect(r.deltas).toEqual(["The", " key", " is", ":", " 42", "", "", "", ""]);
    expect(r.final).toBe("The key is: 42");
    expect(r.stopped).toBe(true);
  });

  it("releases held-back text that did not become a stop string, and at the end", () => {
    const r = run([10, 18, 11, 18], ["END"]);
    expect(r.deltas).toEqual(["The", "", "EN key", "", "EN"]);
    expect(r.final).toBe("TheEN keyEN");
    expect(r.stopped).toBe(false);
  });

  it("cuts at the earliest of several stop strings", () => {
    expect(run([10, 11, 12, 17, 13], [":", "END"]).final).toBe("The key is");
  });

  it("waits for the second half of a character", () => {
    const r = run([10, 90, 91, 11], []);
    expect(r.deltas).toEqual(["The", "", "é", " key", ""]);
  });
});
