// Unit tests of building a corpus flow (no Redis): each document gets its own questions or the corpus's, a document
// with nothing to answer or a bad question is refused naming it, and old single-question corpora are unchanged.

import { ApbError } from "@apb/core";
import type { FlowJob, FlowProducer, JobNode } from "bullmq";
import { describe, expect, it } from "vitest";
import { addCorpusFlow } from "./corpus-flow.js";
import type { CorpusRequest } from "./client-types.js";

/** A FlowProducer that records the flow and hands back ids. */
function fakeFlow(): { flow: FlowProducer; added: FlowJob[] } {
  const added: FlowJob[] = [];
  const add = (f: FlowJob): Promise<JobNode> => {
    added.push(f);
    const node = (data: unknown, id: string): JobNode => ({ job: { id, data } }) as unknown as JobNode;
    return Promise.resolve({ ...node(f.data, "p"), children: (f.children ?? []).map((c, i) => node(c.data, `c${i}`)) });
  };
  return { flow: { add } as unknown as FlowProducer, added };
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string; data: unknown }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApbError);
  const a = e as ApbError;
  return { code: a.code, message: a.message, data: a.data };
}

describe("addCorpusFlow", () => {
  it("gives each document its own questions, else the corpus's", async () => {
    const { flow, added } = fakeFlow();
    const req: CorpusRequest = { documents: [{ id: "a", text: "A", questions: ["qa1", "qa2"] }, { id: "b", text: "B" }, { id: "c", text: "C", question: "qc" }], questions: ["q1"] };
    const c = await addCorpusFlow(flow, req, {});
    expect(c).toEqual({ jobId: "p", documents: ["a", "b", "c"].map((docId, i) => ({ docId, jobId: `c${i}` })) });
    const data = added[0]!.children!.map((x) => x.data as Record<string, unknown>);
    expect(data.map((d) => [d.docId, d.question, d.questions])).toEqual([
      ["a", undefined, ["qa1", "qa2"]],
      ["b", undefined, ["q1"]],
      ["c", "qc", undefined],
    ]);
    expect(added[0]!.data).toEqual({ questions: ["q1"], numDocuments: 3 });
  });

  it("keeps a single-question corpus as before", async () => {
    const { flow, added } = fakeFlow();
    await addCorpusFlow(flow, { documents: [{ id: "a", text: "A" }], question: "q" }, {});
    expect(added[0]!.data).toEqual({ question: "q", numDocuments: 1 });
    expect(added[0]!.children![0]!.data).toMatchObject({ docId: "a", text: "A", question: "q" });
  });

  it("refuses, naming the document, one with nothing to answer, both fields, or a bad question", async () => {
    const { flow, added } = fakeFlow();
    expect(await codeOf(addCorpusFlow(flow, { documents: [{ id: "a", text: "A" }] }, {}))).toMatchObject({ code: "INPUT_INVALID", message: expect.stringMatching(/document a has nothing to answer/), data: { docId: "a" } });
    expect(await codeOf(addCorpusFlow(flow, { documents: [{ id: "a", text: "A", question: "q", questions: ["q"] }] }, {}))).toMatchObject({ code: "INPUT_INVALID", data: { docId: "a" } });
    expect(await codeOf(addCorpusFlow(flow, { documents: [{ id: "z", text: "Z", questions: ["ok", ""] }] }, {}))).toMatchObject({ code: "INPUT_INVALID", message: expect.stringMatching(/^document z: corpus\.document job: questions\.1/), data: { docId: "z", field: "questions.1" } });
    expect(await codeOf(addCorpusFlow(flow, { documents: [{ id: "a", text: "A" }], question: "q", questions: ["q"] }, {}))).toMatchObject({ code: "INPUT_INVALID", message: expect.stringMatching(/at most one of question or questions/) });
    expect(added).toEqual([]);
  });
});
