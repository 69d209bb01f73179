// The corpus-flow executor against a scripted port (no Redis, no model): one flow per batch with each document's
// questions as its `questions`, documents saved the moment their result arrives (in any order), at most two flows in
// flight, generate mode as a child per question, per-document failures, malformed results, and an abort.
import { InputError, TransportError, loadTokenizer } from "@apb/core";
import type { ApbTokenizer } from "@apb/core";
import type { CallOptions, CorpusRequest, SubmittedCorpus, SubmittedJob } from "@apb/jobs";
import { modelTinyPath } from "@apb/model-tiny";
import { beforeAll, describe, expect, it } from "vitest";
import type { AnswerSettings } from "../answer/index.js";
import type { CorpusDocument } from "../corpus/index.js";
import { DEFAULT_TEMPLATE, DocumentExtractor, parsePromptTemplate } from "../extract/index.js";
import { runExtraction } from "../pipeline/index.js";
import type { RunEvent } from "../pipeline/index.js";
import { GraphStore } from "../store/index.js";
import { batchChildren } from "./flow-batch.js";
import { flowContextWithBos } from "./flow-context.js";
import { FlowExecutor } from "./flow-executor.js";
import type { FlowPort } from "./flow-executor.js";

const TEXTS: Record<string, string> = {
  "a.txt": "Mira Lund lives in Oslo. Theo Berg plays the tuba.",
  "b.txt": "Anna Berg works as a teacher.",
  "c.txt": "nothing to ask about here.",
  "d.txt": "Ola Nord lives in Bergen.",
  "e.txt": "Kari Vik plays the drums.",
};
const FACTS: Record<string, string> = {
  "Mira Lund": " (Mira Lund; lives in; Oslo)",
  "Theo Berg": " (Theo Berg; plays; the tuba)",
  "Anna Berg": " (Anna Berg; works as; a teacher)",
  "Ola Nord": " (Ola Nord; lives in; Bergen)",
  "Kari Vik": " (Kari Vik; plays; the drums)",
};
const docs: CorpusDocument[] = Object.entries(TEXTS).map(([key, text]) => ({ key, path: key, hash: key, numChars: text.length, text }));

const answerTo = (question: string): string => Object.entries(FACTS).find(([name]) => question.includes(name))?.[1] ?? "";

interface Job {
  readonly child: CorpusRequest["documents"][number];
  readonly promise: Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  waited: boolean;
}

/** Records every flow; a job settles when the test says so (or at once with `auto`), answering from FACTS. */
class ScriptedPort implements FlowPort {
  readonly flows: CorpusRequest[] = [];
  readonly jobs = new Map<string, Job>();
  auto = false;
  result: (child: Job["child"], group: string) => unknown = (child, group) => resultOf(child, group);

  async startCorpus(req: CorpusRequest): Promise<SubmittedCorpus> {
    this.flows.push(req);
    const documents = req.documents.map((child) => {
      const jobId = `j${this.jobs.size}`;
      let resolve!: (v: unknown) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<unknown>((res, rej) => ((resolve = res), (reject = rej)));
      this.jobs.set(jobId, { child, promise, resolve, reject, waited: false });
      return { docId: child.id, jobId };
    });
    return { jobId: `flow${this.flows.length}`, documents };
  }

  waitForJob(job: SubmittedJob, o: CallOptions = {}): Promise<unknown> {
    const j = this.jobs.get(job.jobId)!;
    j.waited = true;
    o.signal?.addEventListener("abort", () => j.reject(new TransportError("ABORTED", `waiting for job ${job.jobId} was aborted`)), { once: true });
    if (this.auto) this.settle(job.jobId);
    return j.promise;
  }

  /** Settles a job with its scripted result (group g<parity of the job number>). */
  settle(jobId: string): void {
    const j = this.jobs.get(jobId)!;
    j.resolve(this.result(j.child, `g${Number(jobId.slice(1)) % 2}`));
  }

  jobOf(docKey: string, part = 0): string {
    return [...this.jobs].find(([, j]) => j.child.id.endsWith(`.${part}:${docKey}`))![0];
  }
}

/** A DocumentResult as a leader returns it: per-question answers for `questions`, one answer for `question`. */
function resultOf(child: Job["child"], group: string): unknown {
  const base = { docId: child.id, finishReason: "stop", timings: { prefillMs: 1, queryMs: 1, decodeMs: 1 }, strategy: "full", group, hosts: 1 };
  if (child.question !== undefined) return { ...base, text: answerTo(child.question), tokens: [5, 6], promptTokens: 100 };
  const answers = child.questions!.map((q) => ({ question: q, text: answerTo(q), tokens: [5, 6, 7], questionTokens: 10, finishReason: "stop" }));
  return { ...base, text: answers.map((a) => a.text).join("\n"), tokens: answers.flatMap((a) => a.tokens), promptTokens: 50 + 10 * answers.length, answers };
}

let tokenizer: ApbTokenizer;
beforeAll(async () => {
  tokenizer = (await loadTokenizer(modelTinyPath()))!;
});

const settings = (mode: "session" | "generate"): AnswerSettings => ({ mode, queryStart: 1, maxTokens: 96, stopTokenIds: [2], stopStrings: ["\n\n"] });

function executor(port: FlowPort, o: { mode?: "session" | "generate"; batchSize?: number } = {}): FlowExecutor {
  const extractor = new DocumentExtractor({ tokenizer, template: DEFAULT_TEMPLATE, verify: "sentence", maxEntities: 64 });
  return new FlowExecutor({ port, extractor, withBos: true, settings: settings(o.mode ?? "session"), batchSize: o.batchSize ?? 16 });
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!cond()) throw new InputError("INPUT_INVALID", `timed out waiting for ${what}`);
}

const statuses = (store: GraphStore): (string | undefined)[] => docs.map((d) => store.status(d.key));

describe("FlowExecutor", () => {
  it("sends one flow with each document's questions, and saves each document the moment its result arrives", async () => {
    const store = GraphStore.open(":memory:");
    const port = new ScriptedPort();
    const events: RunEvent[] = [];
    const run = runExtraction({ docs, store, executor: executor(port), onEvent: (e) => events.push(e) });
    await until(() => port.jobs.size === 4 && [...port.jobs.values()].every((j) => j.waited), "the flow");
    expect(port.flows).toHaveLength(1);
    const flow = port.flows[0]!;
    expect(flow.documents.map((d) => [d.text, d.questions?.length, d.question])).toEqual([
      [`<s>${TEXTS["a.txt"]}`, 2, undefined],
      [`<s>${TEXTS["b.txt"]}`, 1, undefined],
      [`<s>${TEXTS["d.txt"]}`, 1, undefined],
      [`<s>${TEXTS["e.txt"]}`, 1, undefined],
    ]);
    expect(flow.documents[0]!.questions!.map(answerTo)).toEqual([FACTS["Mira Lund"], FACTS["Theo Berg"]]);
    expect(flow).toMatchObject({ sampling: { maxTokens: 96, temperature: 0, stopTokenIds: [2], stopStrings: ["\n\n"] } });
    expect(flow.queryStart).toBeUndefined(); // no question goes into the anchor in session mode
    // c.txt names nobody: saved at once, without a job. d.txt's result arrives first and is saved before the others.
    expect(statuses(store)).toEqual(["pending", "pending", "done", "pending", "pending"]);
    port.settle(port.jobOf("d.txt"));
    await until(() => store.status("d.txt") === "done", "d.txt saved");
    expect(statuses(store)).toEqual(["pending", "pending", "done", "done", "pending"]);
    for (const k of ["e.txt", "a.txt", "b.txt"]) port.settle(port.jobOf(k));
    const s = await run;
    expect(s).toMatchObject({ numProcessed: 5, numFailed: 0, numTriples: 5 });
    expect(events.filter((e) => e.type === "done").map((e) => e.key)).toEqual(["c.txt", "d.txt", "e.txt", "a.txt", "b.txt"]);
    const a = events.find((e) => e.type === "done" && e.key === "a.txt");
    expect(a).toMatchObject({ where: ["g0"], extraction: { numQuestions: 2, numPromptTokens: 70, numGeneratedTokens: 6 } });
    const g = store.readGraph();
    expect(g.edges.map((e) => e.sources.map((x) => `${x.doc}:${x.askedEntity}`)).flat().sort()).toEqual(["a.txt:Mira Lund", "a.txt:Theo Berg", "b.txt:Anna Berg", "d.txt:Ola Nord", "e.txt:Kari Vik"]);
    const again = await runExtraction({ docs, store, executor: executor(port) });
    expect(again).toMatchObject({ numProcessed: 0, numSkipped: 5 });
    expect(port.flows).toHaveLength(1); // nothing left to send
    store.close();
  });

  it("sends batches of --batch documents, two flows in flight", async () => {
    const store = GraphStore.open(":memory:");
    const port = new ScriptedPort();
    const run = runExtraction({ docs, store, executor: executor(port, { batchSize: 2 }) });
    await until(() => port.flows.length === 2, "two flows");
    await new Promise((r) => setTimeout(r, 20));
    expect(port.flows.map((f) => f.documents.map((d) => d.id.split(":")[1]))).toEqual([["a.txt", "b.txt"], ["d.txt", "e.txt"]]); // c.txt needs no job
    port.settle(port.jobOf("a.txt"));
    await until(() => store.status("a.txt") === "done", "a.txt");
    expect(port.flows).toHaveLength(2); // b.txt still runs: its flow is not finished
    for (const k of ["b.txt", "d.txt", "e.txt"]) port.settle(port.jobOf(k));
    expect(await run).toMatchObject({ numProcessed: 5 });
    store.close();
  });

  it("in generate mode sends a child per question (in APB's anchor) and puts the answers back in question order", async () => {
    const store = GraphStore.open(":memory:");
    const port = new ScriptedPort();
    const events: RunEvent[] = [];
    const run = runExtraction({ docs: docs.slice(0, 1), store, executor: executor(port, { mode: "generate" }), onEvent: (e) => events.push(e) });
    await until(() => port.jobs.size === 2, "two children");
    const flow = port.flows[0]!;
    expect(flow.queryStart).toBe(1);
    expect(flow.documents.map((d) => [d.questions, answerTo(d.question!)])).toEqual([[undefined, FACTS["Mira Lund"]], [undefined, FACTS["Theo Berg"]]]);
    port.settle(port.jobOf("a.txt", 1)); // Theo's answer first
    await new Promise((r) => setTimeout(r, 10));
    expect(store.status("a.txt")).toBe("pending");
    port.settle(port.jobOf("a.txt", 0));
    await run;
    const done = events.find((e) => e.type === "done")!;
    expect(done).toMatchObject({ where: ["g0", "g1"], extraction: { numQuestions: 2, numPromptTokens: 200, numGeneratedTokens: 4 } });
    expect(store.readGraph().edges.flatMap((e) => e.sources.map((x) => x.askedEntity)).sort()).toEqual(["Mira Lund", "Theo Berg"]);
    store.close();
  });

  it("fails only the document whose job failed or came back malformed; the next run asks only those", async () => {
    const store = GraphStore.open(":memory:");
    const port = new ScriptedPort();
    port.auto = true;
    port.result = (child, group) => (child.id.endsWith("b.txt") ? { docId: child.id, text: 42 } : resultOf(child, group));
    const failing = port.waitForJob.bind(port);
    port.waitForJob = (job, o) => (port.jobs.get(job.jobId)!.child.id.endsWith("d.txt") ? Promise.reject(new InputError("PROMPT_TOO_LONG", "d is too long")) : failing(job, o));
    const s = await runExtraction({ docs, store, executor: executor(port) });
    expect([...s.failures].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: "b.txt", code: "INTERNAL", message: expect.stringContaining("unreadable document result: text") },
      { key: "d.txt", code: "PROMPT_TOO_LONG", message: "d is too long" },
    ]);
    expect(statuses(store)).toEqual(["done", "failed", "done", "failed", "done"]);
    port.result = resultOf;
    port.waitForJob = failing;
    const again = await runExtraction({ docs, store, executor: executor(port) });
    expect(again).toMatchObject({ numProcessed: 2, numSkipped: 3, numFailed: 0 });
    expect(port.flows.at(-1)!.documents.map((d) => d.id.split(":")[1])).toEqual(["b.txt", "d.txt"]);
    store.close();
  });

  it("fails a document the job layer would refuse before anything is queued, alone", async () => {
    const store = GraphStore.open(":memory:");
    const port = new ScriptedPort();
    port.auto = true;
    const huge: CorpusDocument = { key: "huge.txt", path: "huge.txt", hash: "h", numChars: 0, text: `Anna Berg lives in Oslo. ${"x".repeat(4 * 1024 * 1024)}` };
    const s = await runExtraction({ docs: [huge, docs[1]!], store, executor: executor(port) });
    expect(s.failures).toEqual([{ key: "huge.txt", code: "PROMPT_TOO_LONG", message: expect.stringContaining("text is longer than the job layer accepts") }]);
    expect(port.flows.map((f) => f.documents.map((d) => d.id.split(":")[1]))).toEqual([["b.txt"]]);
    store.close();
  });

  it("stops on abort with ABORTED: saved documents stay, the others stay pending, no further flow is sent", async () => {
    const store = GraphStore.open(":memory:");
    const port = new ScriptedPort();
    const ac = new AbortController();
    const run = runExtraction({ docs, store, executor: executor(port, { batchSize: 1 }), signal: ac.signal });
    await until(() => port.flows.length === 2 && [...port.jobs.values()].filter((j) => j.waited).length === 2, "two flows");
    port.settle(port.jobOf("a.txt", 0));
    await until(() => store.status("a.txt") === "done", "a.txt");
    await until(() => port.flows.length === 3, "the next flow");
    ac.abort();
    await expect(run).rejects.toMatchObject({ code: "ABORTED", message: expect.stringContaining("finished documents are saved") });
    expect(port.flows).toHaveLength(3);
    expect(statuses(store)).toEqual(["done", "pending", "done", "pending", "pending"]);
    store.close();
  });
});

describe("corpus-flow children and context", () => {
  it("splits a document's questions into children of at most 256 (one prefill each), in order", () => {
    const questions = Array.from({ length: 300 }, (_, i) => `q${i}`);
    const plan = { text: "t", candidates: questions.map((q) => ({ name: q, key: q, offsets: [0] })), questions };
    const { documents, spans } = batchChildren([{ key: "k", plan, contextText: "t" }], "session");
    expect(documents.map((d) => [d.id, d.questions!.length, d.questions![0]])).toEqual([["0.0:k", 256, "q0"], ["0.1:k", 44, "q256"]]);
    expect([...spans.values()]).toEqual([{ doc: 0, part: 0, first: 0, count: 256 }, { doc: 0, part: 1, first: 256, count: 44 }]);
    expect(batchChildren([{ key: "k", plan, contextText: "t" }], "generate").documents).toHaveLength(300);
  });

  it("sends the BOS token text when the tokenizer does not add it, and refuses a template it cannot reproduce", () => {
    const x = (bos: string | null, tok: ApbTokenizer) => new DocumentExtractor({ tokenizer: tok, template: parsePromptTemplate({ bos }), verify: "none", maxEntities: 1 });
    expect(flowContextWithBos(x("<s>", tokenizer), tokenizer)).toBe(true);
    // A tokenizer whose special tokens include a BOS (as Llama's): the text must not carry another one.
    const addsBos: ApbTokenizer = Object.assign(Object.create(tokenizer) as ApbTokenizer, {
      encode: (text: string, o?: { addSpecialTokens?: boolean }) => {
        const body = tokenizer.encode(text, { addSpecialTokens: false });
        return o?.addSpecialTokens === false ? body : Int32Array.from([1, ...body]);
      },
    });
    expect(flowContextWithBos(x("<s>", addsBos), addsBos)).toBe(false);
    expect(() => flowContextWithBos(x(null, addsBos), addsBos)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringContaining('set the template\'s "bos"') }));
  });
});
