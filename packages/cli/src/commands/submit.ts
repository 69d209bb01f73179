// `apb submit`: puts a job on the worker groups' queues (a context + question on one group, or a corpus flow over
// all groups); prints the job ids, or with --follow waits for the result behind a progress bar.

import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ApbClient } from "@apb/jobs";
import type { CorpusResult, JobResult } from "@apb/jobs";
import { UsageError, defineCommand } from "../args/index.js";
import type { CliIo } from "../output/index.js";
import { submitOptions } from "./submit-options.js";
import type { SubmitOptions } from "./submit-options.js";
import { SubmitProgress } from "./submit-progress.js";

const NAME = "submit";

async function readText(path: string, flag: string): Promise<string> {
  const text = await readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`${flag} ${path} cannot be read: ${err.code === "ENOENT" ? "no such file" : err.message}`, NAME);
  });
  if (text.trim() === "") throw new UsageError(`${flag} ${path} is empty`, NAME);
  return text;
}

/** Every regular file of `dir`, sorted by name: the documents (id = file name). */
async function readCorpus(dir: string): Promise<{ id: string; text: string }[]> {
  const names = await readdir(dir).catch(() => {
    throw new UsageError(`--corpus ${dir}: no such folder; give a folder of text files`, NAME);
  });
  const docs: { id: string; text: string }[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    if ((await stat(path)).isFile()) docs.push({ id: name, text: await readText(path, "--corpus file") });
  }
  if (docs.length === 0) throw new UsageError(`--corpus ${dir} holds no files`, NAME);
  return docs;
}

function sampling(o: SubmitOptions): { maxTokens: number; temperature: number; seed: number } {
  return { maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed };
}

async function submitContext(client: ApbClient, o: SubmitOptions, io: CliIo, prompt: string): Promise<number> {
  const data = { prompt, question: o.question, strategy: o.strategy, sampling: sampling(o) };
  const job = await client.submit("generate", o.group!, data, { signal: io.signal });
  if (!o.follow) {
    io.stdout.write(o.json ? `${JSON.stringify(job)}\n` : `submitted job ${job.jobId} to queue ${job.queue}\n`);
    return 0;
  }
  const progress = new SubmitProgress(io.stderr);
  let r: JobResult;
  try {
    r = await client.waitForJob<JobResult>(job, { signal: io.signal, onProgress: (p) => progress.update(p) });
  } finally {
    progress.finish();
  }
  io.stdout.write(o.json ? `${JSON.stringify({ ...job, ...r })}\n` : `${r.text ?? r.tokens.join(" ")}\n`);
  return 0;
}

async function submitCorpus(client: ApbClient, o: SubmitOptions, io: CliIo, documents: { id: string; text: string }[]): Promise<number> {
  const flow = await client.startCorpus({ documents, question: o.question!, strategy: o.strategy, sampling: sampling(o) }, { signal: io.signal });
  if (!o.follow) {
    io.stdout.write(o.json ? `${JSON.stringify(flow)}\n` : `submitted corpus job ${flow.jobId} (${flow.documents.length} documents)\n`);
    return 0;
  }
  const progress = new SubmitProgress(io.stderr);
  let r: CorpusResult;
  try {
    r = await client.waitForCorpus(flow, { signal: io.signal, onProgress: (p) => progress.update(p) });
  } finally {
    progress.finish();
  }
  if (o.json) io.stdout.write(`${JSON.stringify(r)}\n`);
  else for (const a of r.aggregated.answers) io.stdout.write(`${a.docId}: ${a.text ?? ""}\n`);
  return 0;
}

async function runSubmit(o: SubmitOptions, io: CliIo): Promise<number> {
  // Inputs first: a bad file is a usage error whether or not Redis is up.
  const input = o.corpus !== undefined ? { kind: "corpus" as const, documents: await readCorpus(o.corpus) } : { kind: "context" as const, prompt: await readText(o.contextFile!, "--context-file") };
  const client = await ApbClient.connect({ redis: o.redis, prefix: o.prefix, signal: io.signal });
  try {
    return input.kind === "corpus" ? await submitCorpus(client, o, io, input.documents) : await submitContext(client, o, io, input.prompt);
  } finally {
    await client.close();
  }
}

export const submitCommand = defineCommand({
  name: NAME,
  summary: "submit a job to the worker groups (a context and question, or a corpus), optionally waiting for it",
  usage: "--redis URL (--group G --context-file FILE [--question TEXT] | --corpus DIR --question TEXT) [--follow] [--json]",
  schema: submitOptions,
  notes: [
    "Without --follow it prints the job id and returns. With --follow it shows progress on stderr (prefill layers, decoded " +
      "tokens; documents of a corpus) and prints the answer (--json: the whole result, with timings and the group that ran it).",
  ],
  run: runSubmit,
});
