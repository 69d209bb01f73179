// The run loop with scripted extractors and an in-memory store: slots share the queue (each document once), a failing
// document is recorded and the run goes on, an abort stops it with the finished documents saved.
import { InputError } from "@apb/core";
import type { ApbError } from "@apb/core";
import { describe, expect, it } from "vitest";
import type { CorpusDocument } from "../corpus/index.js";
import type { DocumentExtraction } from "../extract/index.js";
import { GraphStore } from "../store/index.js";
import { runExtraction } from "./run-extraction.js";
import type { RunEvent } from "./run-extraction.js";
import { slotExecutor } from "./slot-executor.js";
import type { ExtractionSlot } from "./slot-executor.js";

const docs: CorpusDocument[] = ["a", "b", "c", "d", "e"].map((k) => ({ key: `${k}.txt`, path: `${k}.txt`, hash: k, numChars: 1, text: k }));

const empty = (n: number): DocumentExtraction => ({ mentions: [], triples: [], numEntities: n, numQuestions: n, numDropped: 0, numPromptTokens: 10, numGeneratedTokens: 2 });

function slot(where: string, seen: string[], fail: (text: string) => ApbError | undefined = () => undefined): ExtractionSlot {
  return {
    where,
    async extract(text, o) {
      await new Promise((r) => setTimeout(r, where === "slow" ? 15 : 5));
      seen.push(`${where}:${text}`);
      const err = fail(text);
      if (err !== undefined) throw err;
      o.onAnswer?.({ text: "", numPromptTokens: 10, numGeneratedTokens: 2 });
      return empty(1);
    },
  };
}

const slots = (...s: ExtractionSlot[]) => slotExecutor(s);

describe("runExtraction", () => {
  it("spreads documents over the slots, each exactly once, and skips finished ones on the next run", async () => {
    const store = GraphStore.open(":memory:");
    const seen: string[] = [];
    const events: RunEvent["type"][] = [];
    const s = await runExtraction({ docs, store, executor: slots(slot("fast", seen), slot("slow", seen)), onEvent: (e) => events.push(e.type) });
    expect(seen.map((x) => x.split(":")[1]).sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(new Set(seen.map((x) => x.split(":")[0]))).toEqual(new Set(["fast", "slow"]));
    expect(s).toMatchObject({ numDocuments: 5, numProcessed: 5, numSkipped: 0, numFailed: 0, numPromptTokens: 50, numGeneratedTokens: 10 });
    expect((s.groups.fast ?? 0) + (s.groups.slow ?? 0)).toBe(5);
    expect(events.filter((e) => e === "done")).toHaveLength(5);
    expect(events[0]).toBe("planned");
    const again = await runExtraction({ docs, store, executor: slots(slot("fast", [])) });
    expect(again).toMatchObject({ numProcessed: 0, numSkipped: 5 });
    store.close();
  });

  it("records a failing document and goes on; the next run retries only it", async () => {
    const store = GraphStore.open(":memory:");
    const s = await runExtraction({ docs, store, executor: slots(slot("one", [], (t) => (t === "c" ? new InputError("PROMPT_TOO_LONG", "c is too long") : undefined))) });
    expect(s).toMatchObject({ numProcessed: 4, numFailed: 1, failures: [{ key: "c.txt", code: "PROMPT_TOO_LONG", message: "c is too long" }] });
    expect(store.status("c.txt")).toBe("failed");
    const seen: string[] = [];
    expect(await runExtraction({ docs, store, executor: slots(slot("one", seen)) })).toMatchObject({ numProcessed: 1, numSkipped: 4, numFailed: 0 });
    expect(seen).toEqual(["one:c"]);
    store.close();
  });

  it("stops on abort with ABORTED, keeping what finished and leaving the rest pending", async () => {
    const store = GraphStore.open(":memory:");
    const ac = new AbortController();
    const run = runExtraction({ docs, store, executor: slots(slot("one", [])), signal: ac.signal, onEvent: (e) => e.type === "done" && e.key === "b.txt" && ac.abort() });
    await expect(run).rejects.toMatchObject({ code: "ABORTED", message: expect.stringContaining("finished documents are saved") });
    expect(docs.map((d) => store.status(d.key))).toEqual(["done", "done", "pending", "pending", "pending"]);
    store.close();
  });
});
