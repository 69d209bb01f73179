// Writes documents as a corpus folder (one .txt per document, or one .jsonl file): for the bench, the tests and
// users who want to try the synthetic corpus with the CLI.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Writes `docs` under `dir`: `<id>.txt` files, or `corpus.jsonl` with one `{id, text}` per line. */
export async function writeCorpus(dir: string, docs: readonly { id: string; text: string }[], format: "txt" | "jsonl" = "txt"): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (format === "jsonl") {
    await writeFile(join(dir, "corpus.jsonl"), docs.map((d) => JSON.stringify({ id: d.id, text: d.text })).join("\n") + "\n");
    return;
  }
  for (const d of docs) await writeFile(join(dir, `${d.id}.txt`), d.text);
}

/** The document key `readCorpus` gives a document written by `writeCorpus`. */
export function corpusKey(id: string, format: "txt" | "jsonl" = "txt"): string {
  return format === "jsonl" ? `corpus.jsonl#${id}` : `${id}.txt`;
}
