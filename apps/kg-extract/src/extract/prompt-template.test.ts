// The prompt template: the default is the shipped model's trained fact question; files are validated with errors
// that name the field.
import { QUERY_PREFIX, QUERY_START, QUERY_SUFFIX, factQuestion } from "@apb/model-tiny";
import { describe, expect, it } from "vitest";
import { DEFAULT_TEMPLATE, parsePromptTemplate, renderContext, renderQuestion } from "./prompt-template.js";

describe("prompt template", () => {
  it("defaults to the fact task the shipped model was trained on", () => {
    expect(renderQuestion(DEFAULT_TEMPLATE, "Mira Lund")).toBe(QUERY_PREFIX + factQuestion("Mira Lund") + QUERY_SUFFIX);
    expect(renderContext(DEFAULT_TEMPLATE, "a {entity} b")).toBe("a {entity} b"); // document text is inserted verbatim
    expect(DEFAULT_TEMPLATE.queryStart).toBe(QUERY_START);
    expect(DEFAULT_TEMPLATE.bos).toBe("<s>");
  });

  it("renders an instruct-style template", () => {
    const t = parsePromptTemplate({ context: "<doc>\n{text}\n</doc>", question: "\nList every fact about {entity} as (subject; relation; object) lines. {entity}!", bos: null, maxTokens: 200 });
    expect(renderContext(t, "T")).toBe("<doc>\nT\n</doc>");
    expect(renderQuestion(t, "X Y")).toBe("\nList every fact about X Y as (subject; relation; object) lines. X Y!");
    expect(t.stopStrings).toEqual(DEFAULT_TEMPLATE.stopStrings);
  });

  it("rejects templates without their placeholders or with unknown fields, naming the field", () => {
    const bad = (input: unknown): unknown => {
      try {
        parsePromptTemplate(input, "t.json");
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(bad({ question: "What about it?" })).toMatchObject({ code: "CONFIG_INVALID", message: expect.stringMatching(/^t\.json: question: must contain the placeholder \{entity\}/) });
    expect(bad({ context: "no text here" })).toMatchObject({ code: "CONFIG_INVALID", message: expect.stringContaining("context") });
    expect(bad({ maxTokens: 0 })).toMatchObject({ code: "CONFIG_INVALID", message: expect.stringContaining("maxTokens") });
    expect(bad({ qeustion: "{entity}" })).toMatchObject({ code: "CONFIG_INVALID" });
    expect(bad(null)).toMatchObject({ code: "CONFIG_INVALID" });
  });
});
