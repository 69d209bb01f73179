// Reads a corpus folder: every .txt and .md file is one document, every line of a .jsonl file one `{id?, text}`
// document (zod-checked); each gets a stable key, its corpus-relative path and a content hash for resuming.

import { createHash } from "node:crypto";
import { readFile, readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { z } from "zod";
import { CorpusError } from "../errors/index.js";
import type { DocumentRef } from "../store/index.js";

/** A document to extract: what the store tracks plus the text. */
export interface CorpusDocument extends DocumentRef {
  readonly text: string;
}

export const CORPUS_EXTENSIONS = [".txt", ".md", ".jsonl"] as const;

/** One line of a .jsonl corpus file; other fields (title, url, ...) are allowed and ignored. */
export const jsonlLineSchema = z.object({
  id: z.union([z.string().min(1).max(256), z.number().int()]).optional(),
  text: z.string(),
});

export const contentHash = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

const extensionOf = (name: string): string | undefined => CORPUS_EXTENSIONS.find((e) => name.toLowerCase().endsWith(e));

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile() && extensionOf(e.name) !== undefined) out.push(p);
  }
  return out;
}

function document(key: string, path: string, text: string): CorpusDocument {
  return { key, path, text, hash: contentHash(text), numChars: text.length };
}

/** The documents of one .jsonl file. @throws CorpusError naming the file and line of a bad line */
export function parseJsonl(rel: string, content: string): CorpusDocument[] {
  const out: CorpusDocument[] = [];
  content.split(/\r?\n/u).forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${rel}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new CorpusError(`${where}: not valid JSON (${(err as Error).message}); each line must be {"id": ..., "text": "..."}`, { path: rel, line: i + 1 });
    }
    const r = jsonlLineSchema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new CorpusError(`${where}: ${issue.path.join(".") || "(line)"}: ${issue.message}; each line must be {"id"?: string | number, "text": string}`, { path: rel, line: i + 1 });
    }
    out.push(document(`${rel}#${r.data.id ?? i + 1}`, rel, r.data.text));
  });
  return out;
}

/**
 * All documents under `dir` (recursively, in path order; hidden files and folders are skipped).
 * @throws CorpusError for a missing folder, an unreadable file, a bad .jsonl line, duplicate keys or an empty corpus
 */
export async function readCorpus(dir: string): Promise<CorpusDocument[]> {
  const st = await stat(dir).catch(() => undefined);
  if (st === undefined || !st.isDirectory()) throw new CorpusError(`--corpus ${dir} is not a folder; give a folder of .txt, .md or .jsonl files`, { path: dir });
  const docs: CorpusDocument[] = [];
  for (const file of await listFiles(dir)) {
    const rel = relative(dir, file).split(sep).join("/");
    let content: string;
    try {
      content = (await readFile(file, "utf8")).replace(/^\uFEFF/u, "");
    } catch (err) {
      throw new CorpusError(`cannot read ${file}: ${(err as Error).message}`, { path: rel });
    }
    if (extensionOf(file) === ".jsonl") docs.push(...parseJsonl(rel, content));
    else docs.push(document(rel, rel, content));
  }
  if (docs.length === 0) throw new CorpusError(`--corpus ${dir} holds no .txt, .md or .jsonl files`, { path: dir });
  const seen = new Set<string>();
  for (const d of docs) {
    if (seen.has(d.key)) throw new CorpusError(`two documents have the key ${d.key}; give every .jsonl line a distinct id`, { key: d.key });
    seen.add(d.key);
  }
  return docs;
}
