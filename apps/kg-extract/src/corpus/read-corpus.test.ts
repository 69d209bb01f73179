// .jsonl parsing: keys from ids or line numbers, errors that name the file and line.
import { describe, expect, it } from "vitest";
import { contentHash, parseJsonl } from "./read-corpus.js";

describe("parseJsonl", () => {
  it("makes one document per line, keyed by id or line number, skipping blank lines", () => {
    const docs = parseJsonl("news/a.jsonl", '{"id": "x1", "text": "One."}\n\n{"text": "Two.", "title": "ignored"}\r\n{"id": 7, "text": ""}\n');
    expect(docs.map((d) => [d.key, d.path, d.text])).toEqual([
      ["news/a.jsonl#x1", "news/a.jsonl", "One."],
      ["news/a.jsonl#3", "news/a.jsonl", "Two."],
      ["news/a.jsonl#7", "news/a.jsonl", ""],
    ]);
    expect(docs[0]!.hash).toBe(contentHash("One."));
    expect(contentHash("One.")).not.toBe(contentHash("One"));
  });

  it("names the file and line of a bad line", () => {
    expect(() => parseJsonl("a.jsonl", '{"text": "ok"}\n{"text": 5}')).toThrow(expect.objectContaining({ code: "INPUT_INVALID", name: "CorpusError", message: expect.stringMatching(/^a\.jsonl:2: text: /) }));
    expect(() => parseJsonl("a.jsonl", "{not json}")).toThrow(/^a\.jsonl:1: not valid JSON/);
    expect(() => parseJsonl("a.jsonl", '{"id": "", "text": "x"}')).toThrow(/a\.jsonl:1: id/);
    expect(() => parseJsonl("a.jsonl", '["text"]')).toThrow(/a\.jsonl:1/);
  });
});
