// Normalisation: what counts as the same entity, relation and fact, and where a name occurs in a text.
import { describe, expect, it } from "vitest";
import { cleanName, entityKey, findMentions, relationKey, tripleKey } from "./normalise.js";

describe("normalisation", () => {
  it("cleans display names: whitespace, quotes, trailing punctuation, Unicode form", () => {
    expect(cleanName("  Mira \t\n Lund. ")).toBe("Mira Lund");
    expect(cleanName("“Oslo”,")).toBe("Oslo");
    expect(cleanName("Ｍira")).toBe("Mira"); // full-width M → NFKC
    expect(cleanName("...")).toBe("");
  });

  it("merges case, whitespace and a leading article into one key", () => {
    expect(entityKey("Mira  Lund")).toBe("mira lund");
    expect(entityKey("MIRA LUND.")).toBe(entityKey("mira lund"));
    expect(entityKey("a teacher")).toBe("teacher");
    expect(entityKey("The Piano")).toBe(entityKey("piano"));
    expect(entityKey("an")).toBe("an"); // an article alone is a word, not a prefix
    expect(entityKey("Theo Berg")).toBe("theo berg"); // "The" only as a separate word
    expect(entityKey(" -- ")).toBe("");
    expect(relationKey(" Lives   In ")).toBe("lives in");
  });

  it("keys triples so that spelling variants are one fact and different facts are not", () => {
    const a = tripleKey({ subject: "Mira Lund", relation: "lives in", object: "Oslo" });
    expect(tripleKey({ subject: "mira  lund", relation: "Lives in", object: "Oslo." })).toBe(a);
    expect(tripleKey({ subject: "Mira Lund", relation: "grew up in", object: "Oslo" })).not.toBe(a);
    expect(tripleKey({ subject: "Oslo", relation: "lives in", object: "Mira Lund" })).not.toBe(a);
  });

  it("finds mentions case-insensitively, across whitespace, on word boundaries", () => {
    const text = "Mira Lund met MIRA\nLUND in Oslo; Miralund and Mira Lundgren did not.";
    const spans = findMentions(text, "mira lund");
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(["Mira Lund", "MIRA\nLUND"]);
    expect(findMentions(text, "Oslo")).toEqual([{ start: text.indexOf("Oslo"), end: text.indexOf("Oslo") + 4 }]);
    expect(findMentions("cost (1+2) here", "(1+2)")).toHaveLength(1); // regex characters are literal
    expect(findMentions(text, "  ")).toEqual([]);
  });
});
