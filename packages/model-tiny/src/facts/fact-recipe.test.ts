// The fact recipe against generated fact documents: every queried entity is a candidate, and the reference
// answers parse back into the triples they were written from.
import { describe, expect, it } from "vitest";
import { candidateEntities, factQuestion, formatTriple, parseTriples } from "./fact-recipe.js";
import { generateSample } from "../tasks/index.js";
import { modelTinyPath } from "../model/index.js";
import { loadTokenizer } from "@apb/core";

describe("fact recipe", () => {
  it("finds the queried entity of generated documents and round-trips their answers", async () => {
    const tokenizer = (await loadTokenizer(modelTinyPath()))!;
    for (let index = 0; index < 20; index++) {
      const s = generateSample({ task: "facts", length: 2048, index, tokenizer });
      const names = candidateEntities(s.context).map((e) => e.name);
      const entity = /about (.+)\?$/.exec(s.question)![1]!;
      expect(names).toContain(entity);
      expect(factQuestion(entity)).toBe(s.question);
      for (const e of candidateEntities(s.context)) for (const o of e.offsets) expect(s.context.slice(o, o + e.name.length)).toBe(e.name);
      const triples = parseTriples(s.answer);
      expect(triples.length).toBeGreaterThan(0);
      expect(triples.map(formatTriple).join("\n")).toBe(s.answer);
    }
  });

  it("cuts sentence openers and skips malformed lines", () => {
    expect(candidateEntities("According to the records, Mira Lund lives in Oslo. The Cat sat.").map((e) => e.name)).toEqual(["Mira Lund"]);
    expect(candidateEntities("Interestingly Anna Berg met Anna Berg.")).toEqual([{ name: "Anna Berg", offsets: [14, 28] }]);
    expect(parseTriples("(a; b; c)\nnot a triple\n(x; y)\n ( d ; e ; f ) ")).toEqual([
      { subject: "a", relation: "b", object: "c" },
      { subject: "d", relation: "e", object: "f" },
    ]);
  });
});
