#!/usr/bin/env node
// Multi-agent shared context: one long briefing is prefilled ONCE into an APB context session; three agents with
// different roles (plain LangChain runnables) ask their own questions against it. Counters show the one prefill.

import { realpathSync } from "node:fs";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { ApbEngine, InputError, ModelError } from "@apb/core";
import { modelTinyPath } from "@apb/model-tiny";
import { z } from "zod";
import { buildTeam } from "./agents.js";
import type { AgentReport, TeamReport } from "./agents.js";
import { buildBriefing } from "./briefing.js";

/** Every option, its default and validation (the flags are the keys). */
const optionsSchema = z.strictObject({
  /** Tokens of each of the briefing's two sections. */
  length: z.coerce.number().int().min(256).max(16_000).default(1024),
  hosts: z.coerce.number().int().min(1).max(16).default(2),
  index: z.coerce.number().int().min(0).default(0),
});

export type AgentsOptions = z.output<typeof optionsSchema>;

/** Where main writes, how it is cancelled, and optionally the engine to use (tests pass their own). */
export interface MainIo {
  readonly stdout: { write(text: string): unknown };
  readonly signal?: AbortSignal;
  /** An engine on the shipped model (then `--hosts` is its own and main leaves it open). */
  readonly engine?: ApbEngine;
}

export interface AgentsReport {
  /** Prefills the engine ran while main ran: the session's one, for the whole team. */
  readonly prefills: number;
  /** Questions the session answered. */
  readonly questions: number;
  readonly contextTokens: number;
  readonly prefillMs: number;
  readonly team: TeamReport;
}

/** @throws InputError INPUT_INVALID naming the bad flag. */
export function parseOptions(argv: readonly string[]): AgentsOptions {
  const flags = Object.keys(optionsSchema.shape);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: Object.fromEntries(flags.map((k) => [k, { type: "string" as const }])), strict: true }).values;
  } catch (err) {
    throw new InputError("INPUT_INVALID", `${(err as Error).message}; the flags are ${flags.map((k) => `--${k}`).join(", ")}`);
  }
  const r = optionsSchema.safeParse(values);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new InputError("INPUT_INVALID", `--${issue.path.join(".")}: ${issue.message}`, { field: issue.path.join(".") });
}

function line(a: AgentReport): string {
  return `[${a.role}] asked: ${a.question}\n  answered: ${JSON.stringify(a.answer)} (read ${a.cachedTokens} cached context tokens, ${Math.round(a.ms)} ms)\n  ${a.note}\n`;
}

/**
 * Prefills the briefing once, runs the team over it, prints each agent's work and the counters.
 * @throws InputError for bad flags; ModelError without a tokenizer; the engine's typed errors (ABORTED on Ctrl-C).
 */
export async function main(argv: readonly string[], io: MainIo): Promise<AgentsReport> {
  const o = parseOptions(argv);
  const engine = io.engine ?? (await ApbEngine.open({ model: modelTinyPath(), hosts: o.hosts }));
  try {
    if (engine.tokenizer === undefined) throw new ModelError("CONFIG_MISSING", "the shipped model has no tokenizer.json");
    const briefing = buildBriefing(engine.tokenizer, o);
    const prefillsBefore = engine.numPrefills;
    const session = await engine.openSession({ prompt: briefing.document, signal: io.signal });
    try {
      io.stdout.write(`briefing: ${session.numContextTokens} tokens, prefilled once in ${Math.round(session.prefillMs)} ms on ${engine.numHosts} host(s)\n`);
      const team = await buildTeam(session, briefing).invoke({}, { signal: io.signal });
      for (const a of [team.archivist, team.biographer, team.auditor]) io.stdout.write(line(a));
      const report = { prefills: engine.numPrefills - prefillsBefore, questions: session.numQuestions, contextTokens: session.numContextTokens, prefillMs: session.prefillMs, team };
      io.stdout.write(`counters: prefills: ${report.prefills}, questions: ${report.questions} (three agents, one shared context)\n`);
      return report;
    } finally {
      await session.close();
    }
  } finally {
    if (io.engine === undefined) await engine.close();
  }
}

/** As a program: Ctrl-C aborts the agents; exit 2 for bad flags, 1 for failures. */
async function run(): Promise<void> {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort(new Error("interrupted")));
  try {
    await main(process.argv.slice(2), { stdout: process.stdout, signal: controller.signal });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`multi-agent-shared-context: [${e.code ?? "ERROR"}] ${e.message ?? String(err)}\n`);
    process.exitCode = e.code === "INPUT_INVALID" ? 2 : 1;
  }
}

/** True when this file is the program node was started with (not when a test imports it). */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) await run();
