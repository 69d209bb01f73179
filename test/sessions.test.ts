// Context sessions in process: one prefill, many questions (also concurrent, served in order), each answer equal to a
// one-off generate over the same context (exact strategy); close and time-to-live give typed errors.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApbError} from "@apb/core";
import { ApbEngine, writeRandomCheckpoint } from "@apb/core";
import { afterAll, beforeAll, expect, it } from "vitest";

let dir: string;
let engine: ApbEngine;
const ids = Array.from({ length: 90 }, (_, i) => 10 + ((i * 17) % 230));
const questions = [[20, 21, 22], [30, 31], [40, 41, 42, 43]];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "apb-sessions-"));
  await writeRandomCheckpoint(dir, { seed: 13, retainingHeads: { hidden: 16 }, tokenizer: false });
  engine = await ApbEngine.open({ model: dir, hosts: 4, backend: "onnx" });
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

it("answers three concurrent questions with one prefill, each equal to a one-off generate (ring, exact)", async () => {
  const expected = [];
  for (const q of questions) expected.push((await engine.generate({ ids, questionIds: q, strategy: "ring", sampling: { maxTokens: 5 } })).tokens);
  const before = engine.numPrefills;
  const session = await engine.openSession({ ids, strategy: "ring" });
  expect(engine.numPrefills).toBe(before + 1);
  const answers = await Promise.all(questions.map((q) => session.ask({ questionIds: q, sampling: { maxTokens: 5 } })));
  expect(answers.map((a) => a.tokens)).toEqual(expected);
  expect(engine.numPrefills).toBe(before + 1); // no prefill for the questions
  expect(session.numQuestions).toBe(3);
  // the last host's cache is back to the context before every question
  answers.forEach((a, i) => expect(a.cacheRows[3]!.query).toBe(a.cacheRows[3]!.prefill + questions[i]!.length));
  // a one-off generate in between does not disturb the session
  await engine.generate({ ids: ids.slice(0, 40), strategy: "ring", sampling: { maxTokens: 2 } });
  expect((await session.ask({ questionIds: questions[0], sampling: { maxTokens: 5 } })).tokens).toEqual(expected[0]);
  await session.close();
  const err = await session.ask({ questionIds: [5] }).catch((e: unknown) => e);
  expect((err as ApbError).code).toBe("SESSION_NOT_FOUND");
});

it("an APB session uses query-agnostic selection and answers", async () => {
  const session = await engine.openSession({ ids, strategy: "apb", anchor: 8, passing: 4 });
  const a = await session.ask({ questionIds: questions[1], sampling: { maxTokens: 3 } });
  expect(a.selection).toBe("retaining-heads");
  expect(a.tokens).toHaveLength(3);
  await session.close();
  await expect(engine.openSession({ ids, strategy: "apb", selection: "query" })).rejects.toMatchObject({ code: "PLAN_INVALID" });
});

it("expires after its time to live without questions", async () => {
  const session = await engine.openSession({ ids, strategy: "ring", ttlMs: 200 });
  await new Promise((r) => setTimeout(r, 400));
  const err = await session.ask({ questionIds: [5] }).catch((e: unknown) => e);
  expect((err as ApbError).code).toBe("SESSION_EXPIRED");
  expect((err as ApbError).isUserError).toBe(true);
});
