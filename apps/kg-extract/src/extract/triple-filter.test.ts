// Verification levels and provenance of parsed triples against a hand-written text.
import { describe, expect, it } from "vitest";
import { filterTriples } from "./triple-filter.js";
import type { VerifyLevel } from "./extraction-types.js";

const TEXT = "The notes say that Mira Lund lives in Oslo. Rumor has it that Theo Berg plays the tuba. Mira Lund owns a red fox.";
const ANSWER = [
  " (Mira Lund; lives in; Oslo)", // true, same sentence
  "(Mira Lund; plays; the tuba)", // copied from Theo Berg's sentence
  "(Theo Berg; lives in; Oslo)", // about another entity
  "(Mira Lund; speaks; Klingon)", // object nowhere in the text
  "(mira  lund; owns; A red fox.)", // true, spelled differently
  "(Mira Lund; owns; Mira Lund)", // subject = object
  "not a triple",
].join("\n");

function keep(verify: VerifyLevel): string[] {
  return filterTriples(ANSWER, { text: TEXT, entity: "Mira Lund", entityKey: "mira lund", verify }).kept.map((t) => `${t.subjectKey}|${t.relationKey}|${t.objectKey}`);
}

describe("triple verification", () => {
  it("keeps fewer triples at each stricter level", () => {
    expect(keep("none")).toEqual(["mira lund|lives in|oslo", "mira lund|plays|tuba", "theo berg|lives in|oslo", "mira lund|speaks|klingon", "mira lund|owns|red fox"]);
    expect(keep("subject")).toEqual(["mira lund|lives in|oslo", "mira lund|plays|tuba", "mira lund|speaks|klingon", "mira lund|owns|red fox"]);
    expect(keep("object")).toEqual(["mira lund|lives in|oslo", "mira lund|plays|tuba", "mira lund|owns|red fox"]);
    expect(keep("sentence")).toEqual(["mira lund|lives in|oslo", "mira lund|owns|red fox"]);
  });

  it("counts dropped lines and points provenance at the evidence sentence", () => {
    const r = filterTriples(ANSWER, { text: TEXT, entity: "Mira Lund", entityKey: "mira lund", verify: "sentence" });
    expect(r.numDropped).toBe(4); // the malformed line is not a triple at all
    const fox = r.kept[1]!;
    expect(TEXT.slice(fox.subjectStart, fox.subjectStart! + "Mira Lund".length)).toBe("Mira Lund");
    expect(fox.subjectStart).toBe(TEXT.lastIndexOf("Mira Lund")); // the mention in the fox sentence, not the first one
    expect(TEXT.slice(fox.objectStart, fox.objectEnd)).toBe("a red fox");
    expect(fox.askedEntity).toBe("Mira Lund");
    expect(fox.object).toBe("A red fox"); // the display form keeps the model's spelling, cleaned
  });

  it("leaves provenance undefined where the text has no evidence", () => {
    const r = filterTriples("(Mira Lund; speaks; Klingon)", { text: TEXT, entity: "Mira Lund", entityKey: "mira lund", verify: "subject" });
    expect(r.kept[0]!.objectStart).toBeUndefined();
    expect(r.kept[0]!.subjectStart).toBe(TEXT.indexOf("Mira Lund"));
  });
});
