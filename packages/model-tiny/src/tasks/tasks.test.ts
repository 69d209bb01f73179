// The TypeScript generator against the Python reference (tools/train/export_samples.py): texts, token ids,
// lookup and first-answer indices of 35 samples, and sha256 digests of 28 longer ones; plus scoring and paths.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { loadTokenizer } from "@apb/core";
import type { ApbTokenizer } from "@apb/core";
import { beforeAll, describe, expect, it } from "vitest";
import { MODEL_FILES, modelTinyPath } from "../model/index.js";
import { FORMAT_VERSION, Rng, TASKS, engineInputs, firstAnswerIndex, fnv1a32, generateSample, sampleLayout, scoreGeneration, whitespaceTokenIds } from "./index.js";
import type { Sample, Split, Task } from "./index.js";

interface PySample {
  split: Split;
  task: Task;
  length: number;
  index: number;
  context: string;
  question: string;
  answer: string;
  lookup_prefix: string;
  context_ids: number[];
  question_ids: number[];
  answer_ids: number[];
  lookup: number;
  first_index: number;
}

interface PyDigest {
  split: Split;
  task: Task;
  length: number;
  index: number;
  question: string;
  answer: string;
  context_sha: string;
  ids_sha: string;
  num_ids: number;
  context_len: number;
}

interface Fixture {
  format: number;
  tokenizer_sha: string;
  ws_ids: number[];
  samples: PySample[];
  digests: PyDigest[];
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/python-samples.json", import.meta.url), "utf8")) as Fixture;
const sha256 = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");
const idsSha = (ids: Int32Array): string => sha256(new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength)); // little-endian hosts
const label = (s: { split: string; task: string; length: number; index: number }): string => `${s.split}/${s.task}/${s.length}/${s.index}`;

let tok: ApbTokenizer;
beforeAll(async () => {
  tok = (await loadTokenizer(modelTinyPath()))!;
});

describe("model folder", () => {
  it("modelTinyPath() is absolute and holds every shipped file", () => {
    expect(isAbsolute(modelTinyPath())).toBe(true);
    for (const f of MODEL_FILES) expect(existsSync(join(modelTinyPath(), f)), f).toBe(true);
  });

  it("the fixture was made with the shipped tokenizer", () => {
    expect(fixture.format).toBe(FORMAT_VERSION);
    expect(sha256(readFileSync(join(modelTinyPath(), "tokenizer.json")))).toBe(fixture.tokenizer_sha);
  });
});

describe("random numbers", () => {
  it("fnv1a32 matches the reference values", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("sample() is a partial Fisher-Yates: k distinct items from the list", () => {
    const r = new Rng(7);
    const s = r.sample([0, 1, 2, 3, 4, 5], 3);
    expect(new Set(s).size).toBe(3);
    expect(r.shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
  });
});

describe("generateSample reproduces datagen.py (format v3)", () => {
  it.each(fixture.samples.map((p) => [label(p), p] as const))("%s: texts and token ids", (_name, p) => {
    const s = generateSample({ task: p.task, length: p.length, index: p.index, split: p.split, tokenizer: tok });
    expect(s.question).toBe(p.question);
    expect(s.answer).toBe(p.answer);
    expect(s.lookupPrefix).toBe(p.lookup_prefix);
    expect(s.context).toBe(p.context);
    expect(Array.from(s.contextIds)).toEqual(p.context_ids);
    expect(Array.from(s.questionIds)).toEqual(p.question_ids);
    expect(Array.from(s.answerIds)).toEqual(p.answer_ids);
    expect(s.lookup).toBe(p.lookup);
    expect(sampleLayout(s).ids.length).toBeLessThanOrEqual(p.length);
  });

  it.each(fixture.digests.map((d) => [label(d), d] as const))("%s: digests of the longer samples", (_name, d) => {
    const s = generateSample({ task: d.task, length: d.length, index: d.index, split: d.split, tokenizer: tok });
    expect(s.question).toBe(d.question);
    expect(s.answer).toBe(d.answer);
    expect(sha256(s.context)).toBe(d.context_sha);
    const layout = sampleLayout(s);
    expect(layout.ids.length).toBe(d.num_ids);
    expect(layout.contextLen).toBe(d.context_len);
    expect(idsSha(layout.ids)).toBe(d.ids_sha);
  });

  it("covers every task in both fixtures", () => {
    expect(new Set(fixture.samples.map((p) => p.task))).toEqual(new Set(TASKS));
    expect(new Set(fixture.digests.map((p) => p.task))).toEqual(new Set(TASKS));
  });

  it("rejects an unknown task and a bad length with INPUT_INVALID", () => {
    expect(() => generateSample({ task: "niah" as Task, length: 512, index: 0, tokenizer: tok })).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
    expect(() => generateSample({ task: "vt", length: 0, index: 0, tokenizer: tok })).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
  });
});

describe("layout and scoring", () => {
  let ws: Set<number>;
  beforeAll(() => {
    ws = whitespaceTokenIds(tok);
  });

  it("whitespace-only ids are train.py's ws_ids", () => {
    expect([...ws].sort((a, b) => a - b)).toEqual(fixture.ws_ids);
  });

  it.each(fixture.samples.map((p) => [label(p), p] as const))("%s: first-answer index as train.py computes it", (_name, p) => {
    const s = generateSample({ task: p.task, length: p.length, index: p.index, split: p.split, tokenizer: tok });
    expect(firstAnswerIndex(s, ws)).toBe(p.first_index);
  });

  it("the engine inputs put the query segment at qsp 1 and the layout's spans line up", () => {
    const s = generateSample({ task: "niah_single", length: 256, index: 0, tokenizer: tok });
    const e = engineInputs(s);
    expect(e.queryStart).toBe(1);
    expect(e.ids[0]).toBe(1);
    const l = sampleLayout(s);
    expect(Array.from(l.ids.subarray(l.contextLen, l.answerStart))).toEqual(Array.from(s.questionIds));
    expect(l.ids[l.answerEnd - 1]).toBe(2);
    expect(tok.decode(s.questionIds, { skipSpecialTokens: false })).toBe(`\n\nQuestion: ${s.question}\nAnswer:`);
  });

  it("scores exact match and the first retrieved token", () => {
    const s: Sample = generateSample({ task: "niah_single", length: 256, index: 0, tokenizer: tok });
    const j = firstAnswerIndex(s, ws);
    const right = Array.from(s.answerIds);
    expect(scoreGeneration(s, right, j)).toEqual({ exact: true, first: true });
    expect(scoreGeneration(s, [...right, 2], j)).toEqual({ exact: false, first: true });
    const wrongLater = right.map((t, i) => (i === right.length - 2 ? (t === 20 ? 21 : 20) : t));
    expect(scoreGeneration(s, wrongLater, j)).toEqual({ exact: false, first: true });
    const wrongFirst = right.map((t, i) => (i === j ? (t === 20 ? 21 : 20) : t));
    expect(scoreGeneration(s, wrongFirst, j)).toEqual({ exact: false, first: false });
    expect(scoreGeneration(s, right.slice(0, -1), j)).toEqual({ exact: false, first: true });
  });
});
