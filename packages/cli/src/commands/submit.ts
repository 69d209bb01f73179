// `apb submit`: puts a job on the worker groups' queues (a context + question on one group, or a corpus flow over
// all groups); prints the job ids, or with --follow waits for the result behind a progress bar.

import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ApbClient, PAYLOAD_LIMITS } from "@apb/jobs";
import type { CorpusResult, JobResult, SubmittedCorpus } from "@apb/jobs";
import { QUERY_START } from "@apb/model-tiny";
import { UsageError, defineCommand } from "../args/index.js";
import type { CliIo } from "../output/index.js";
import { FACTS_STOPS, factsReport, formatFactsReport, planFacts } from "./submit-facts.js";
import type { FactsPlan } from "./submit-facts.js";
import { FACTS_MAX_TOKENS, submitOptions } from "./submit-options.js";
import type { SubmitOptions } from "./submit-options.js";
import { SAMPLING_DEFAULTS, redisUrl } from "./shared-options.js";
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
  return { maxTokens: o.maxTokens ?? SAMPLING_DEFAULTS.maxTokens, temperature: o.temperature, seed: o.seed };
}

/** Waits for a corpus flow behind a progress bar. */
async function followCorpus(client: ApbClient, flow: SubmittedCorpus, io: CliIo): Promise<CorpusResult> {
  const progress = new SubmitProgress(io.stderr);
  try {
    return await client.waitForCorpus(flow, { signal: io.signal, onProgress: (p) => progress.update(p) });
  } finally {
    progress.finish();
  }
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

function printSubmitted(flow: SubmittedCorpus, o: SubmitOptions, io: CliIo): number {
  io.stdout.write(o.json ? `${JSON.stringify(flow)}\n` : `submitted corpus job ${flow.jobId} (${flow.documents.length} documents)\n`);
  return 0;
}

async function submitCorpus(client: ApbClient, o: SubmitOptions, io: CliIo, documents: { id: string; text: string }[]): Promise<number> {
  const flow = await client.startCorpus({ documents, question: o.question!, strategy: o.strategy, sampling: sampling(o) }, { signal: io.signal });
  if (!o.follow) return printSubmitted(flow, o, io);
  const r = await followCorpus(client, flow, io);
  if (o.json) io.stdout.write(`${JSON.stringify(r)}\n`);
  else for (const a of r.aggregated.answers) io.stdout.write(`${a.docId}: ${a.text ?? ""}\n`);
  return 0;
}

/** --task facts: questions about each document's candidate entities, over one prefill per document; triples out. */
async function submitFacts(client: ApbClient, o: SubmitOptions, io: CliIo, plan: FactsPlan): Promise<number> {
  for (const id of plan.truncated) io.stderr.write(`apb submit: ${id} names more than ${PAYLOAD_LIMITS.maxQuestionsPerDocument} candidate entities; asking about the first ${PAYLOAD_LIMITS.maxQuestionsPerDocument}\n`);
  const facts = { ...sampling(o), maxTokens: o.maxTokens ?? FACTS_MAX_TOKENS, ...FACTS_STOPS };
  const flow = await client.startCorpus({ documents: plan.documents, strategy: o.strategy, sampling: facts, queryStart: QUERY_START }, { signal: io.signal });
  if (!o.follow) return printSubmitted(flow, o, io);
  const report = factsReport(plan, await followCorpus(client, flow, io));
  io.stdout.write(o.json ? `${JSON.stringify(report)}\n` : formatFactsReport(report));
  return 0;
}

/** The documents of --task facts and their questions. @throws UsageError when no document names an entity. */
function factsPlanOf(documents: { id: string; text: string }[], dir: string): FactsPlan {
  const plan = planFacts(documents);
  if (plan.documents.length === 0) throw new UsageError(`--corpus ${dir}: no document names a candidate entity (two or more capitalised words, e.g. a person's name); --task facts has nothing to ask`, NAME);
  return plan;
}

async function runSubmit(o: SubmitOptions, io: CliIo): Promise<number> {
  // Inputs first: a bad file is a usage error whether or not Redis is up.
  const documents = o.corpus === undefined ? undefined : await readCorpus(o.corpus);
  const prompt = o.contextFile === undefined ? undefined : await readText(o.contextFile, "--context-file");
  const plan = o.task === "facts" ? factsPlanOf(documents!, o.corpus!) : undefined;
  const client = await ApbClient.connect({ redis: redisUrl(o.redis, io.env, NAME), prefix: o.prefix, signal: io.signal });
  try {
    if (plan !== undefined) return await submitFacts(client, o, io, plan);
    return documents !== undefined ? await submitCorpus(client, o, io, documents) : await submitContext(client, o, io, prompt!);
  } finally {
    await client.close();
  }
}

export const submitCommand = defineCommand({
  name: NAME,
  summary: "submit a job to the worker groups (a context and question, or a corpus), optionally waiting for it",
  usage: "--redis URL (--group G --context-file FILE [--question TEXT] | --corpus DIR (--question TEXT | --task facts)) [--follow] [--json]",
  schema: submitOptions,
  notes: [
    "Without --follow it prints the job id and returns. With --follow it shows progress on stderr (prefill layers, decoded " +
      "tokens; documents of a corpus) and prints the answer (--json: the whole result, with timings and the group that ran it).",
    "--task facts runs the shipped model's fact recipe: every document is prefilled once on some group and asked, in " +
      "order, what it says about each candidate entity it names (runs of capitalised words); the answers are parsed into " +
      "(subject; relation; object) triples, listed per document (--json: entities, answers and triples per document).",
  ],
  run: runSubmit,
});
