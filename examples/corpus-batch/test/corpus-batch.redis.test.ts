// The example end to end: a real worker group of two `apb worker` processes (the shipped model, onnx), main() submits
// the generated corpus and follows it; every answer must equal the generator's answer for its document (never a
// hard-coded model output), and no transient key may remain.

import { loadTokenizer } from "@apb/core";
import type { ApbTokenizer } from "@apb/core";
import { ApbError } from "@apb/core";
import { generateSample, modelTinyPath } from "@apb/model-tiny";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDIS_URL, describeRedis, expectNoTransientKeys, rawClient, testPrefix } from "../../../test/jobs/helpers/redis-env.js";
import { WorkerFleet } from "../../../test/jobs/helpers/worker-fleet.js";
import { main } from "../src/main.js";
import type { MainIo } from "../src/main.js";

const GROUP = "cb";
const NUM_DOCUMENTS = 6;
const LENGTH = 1024;

/** An io that keeps what main writes. */
function captureIo(env: MainIo["env"] = {}): MainIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
}

describeRedis("examples/corpus-batch on a group of two worker processes", () => {
  const prefix = testPrefix();
  let fleet: WorkerFleet;
  let raw: Redis;
  let tokenizer: ApbTokenizer;

  beforeAll(async () => {
    fleet = new WorkerFleet(REDIS_URL!, prefix);
    const [tok] = await Promise.all([loadTokenizer(modelTinyPath()), fleet.startGroup(GROUP, 2)]);
    tokenizer = tok!;
    raw = rawClient();
  });

  afterAll(async () => {
    const codes = await fleet.stopAll();
    expect(Object.values(codes).every((c) => c === 0), JSON.stringify(codes)).toBe(true);
    await expectNoTransientKeys(raw, prefix);
    raw.disconnect();
  });

  it(`answers each of ${NUM_DOCUMENTS} niah_single documents of ${LENGTH} tokens as the generator says`, async () => {
    const io = captureIo({ REDIS_URL: REDIS_URL! });
    const report = await main(["--prefix", prefix, "--documents", String(NUM_DOCUMENTS), "--length", String(LENGTH)], io);
    // The truth comes from the generator here, independently of main's own check.
    const samples = Array.from({ length: NUM_DOCUMENTS }, (_, index) => generateSample({ task: "niah_single", length: LENGTH, index, tokenizer }));
    expect(new Set(samples.map((s) => s.answer)).size).toBe(NUM_DOCUMENTS); // a constant answer cannot pass
    expect(report.documents.map((d) => d.docId)).toEqual(samples.map((_, i) => `niah-${i}`));
    report.documents.forEach((d, i) => {
      expect(d.answer?.trim(), `${d.docId}: ${samples[i]!.question}\n${fleet.logOf(GROUP, 0)}`).toBe(samples[i]!.answer);
      expect(d.right).toBe(true);
      expect(d.group).toBe(GROUP);
    });
    expect(report.numRight).toBe(NUM_DOCUMENTS);
    const a = report.aggregate;
    expect(a.numDocuments).toBe(NUM_DOCUMENTS);
    expect(a.groups).toEqual({ [GROUP]: NUM_DOCUMENTS });
    expect(a.answers.map((x) => x.text?.trim())).toEqual(samples.map((s) => s.answer)); // docId order = index order below 10
    expect(a.numPromptTokens).toBeGreaterThan(NUM_DOCUMENTS * (LENGTH - 100));
    // What it printed: one progress line per document, one line per answer, the aggregate.
    expect(io.err.filter((l) => l.startsWith("document ")).length).toBe(NUM_DOCUMENTS);
    const printed = io.out.join("");
    for (const s of samples) expect(printed).toContain(JSON.stringify(s.answer));
    expect(printed).toMatch(new RegExp(`aggregate: ${NUM_DOCUMENTS} documents, .*${NUM_DOCUMENTS}/${NUM_DOCUMENTS} right`));
  });
});

describe("examples/corpus-batch options", () => {
  it("refuses bad flags with a typed error before connecting to anything", async () => {
    const redis = ["--redis", "redis://127.0.0.1:1"]; // nothing listens there: a bad flag must fail first
    const cases: [string[], RegExp][] = [
      [[...redis, "--documents", "0"], /--documents/],
      [[...redis, "--length", "ten"], /--length/],
      [[...redis, "--strategy", "tree"], /--strategy/],
      [[...redis, "--bogus", "1"], /--bogus/],
      [[], /--redis/],
    ];
    for (const [argv, flag] of cases) {
      const caught = await main(argv, captureIo()).catch((e: unknown) => e);
      expect(caught, argv.join(" ")).toBeInstanceOf(ApbError);
      expect((caught as ApbError).code).toBe("INPUT_INVALID");
      expect((caught as ApbError).message).toMatch(flag);
    }
  });
});
