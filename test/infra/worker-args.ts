// `apb worker` command lines as deployments write them: variable expansion (Kubernetes `$(VAR)`, compose `${VAR}`)
// and parsing with the CLI's own parser and option schema, plus the agreement the exec probe needs with them.

import { parseCommandLine } from "../../packages/cli/src/args/index.js";
import { workerOptions } from "../../packages/cli/src/commands/worker-options.js";
import type { WorkerCliOptions } from "../../packages/cli/src/commands/worker-options.js";

/** What infra/worker-probe.mjs reads; each must equal the flag it mirrors. */
export const PROBE_SCRIPT = "infra/worker-probe.mjs";

/** The result of expanding variables in one string: unknown names are left as written and listed. */
export interface Expanded {
  readonly text: string;
  readonly missing: readonly string[];
}

/** Kubernetes `$(VAR)` expansion (env values, args, command); `$$(VAR)` stays literal. */
export function expandK8s(text: string, vars: ReadonlyMap<string, string>): Expanded {
  const missing: string[] = [];
  const out = text.replace(/(\$?)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all: string, escape: string, name: string) => {
    if (escape === "$") return all.slice(1);
    const v = vars.get(name);
    if (v === undefined) missing.push(name);
    return v ?? all;
  });
  return { text: out, missing };
}

/** Compose interpolation: `$$`, `${VAR}`, `${VAR:?err}`, `${VAR?err}`, `${VAR:-default}`, `${VAR-default}`, `$VAR`. */
export function interpolateCompose(text: string, env: ReadonlyMap<string, string>): Expanded {
  const missing: string[] = [];
  const out = text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all: string, ...groups: (string | undefined)[]) => {
    if (all === "$$") return "$";
    const [braced, op, arg, bare] = groups;
    const name = (braced ?? bare)!;
    const v = env.get(name);
    if (v !== undefined && !(v === "" && op?.startsWith(":"))) return v;
    if (op?.endsWith("-")) return arg ?? "";
    missing.push(name);
    return all;
  });
  return { text: out, missing };
}

const WORKER_SPEC = { name: "worker", summary: "", usage: "", schema: workerOptions, run: async (): Promise<number> => 0 };

/** Parses `worker ...` argv (after the command name) as `apb worker` would. @returns the options or the CLI's message. */
export function parseWorkerArgs(argv: readonly string[]): { options: WorkerCliOptions } | { problem: string } {
  try {
    const parsed = parseCommandLine(WORKER_SPEC, argv);
    if (parsed.help) return { problem: "the command line asks for --help" };
    return { options: parsed.options };
  } catch (err) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
}

/** The probe's variables must be set and agree with the flags (else the probe watches another host's key). */
export function probeEnvProblems(where: string, env: ReadonlyMap<string, string>, o: WorkerCliOptions): string[] {
  const want: [string, string | undefined][] = [
    ["APB_REDIS_URL", o.redis],
    ["APB_GROUP", o.group],
    ["APB_HOST", String(o.host)],
    ["APB_PREFIX", o.prefix],
  ];
  const problems: string[] = [];
  for (const [name, value] of want) {
    const got = env.get(name) ?? (name === "APB_PREFIX" ? "apb" : undefined);
    if (got !== value) problems.push(`${where}: env ${name} is ${JSON.stringify(got)} but the worker flag gives ${JSON.stringify(value)} (the probe would check the wrong heartbeat)`);
  }
  return problems;
}

/** Host and port of a redis:// URL. */
export function redisAddress(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    return { host: u.hostname, port: u.port === "" ? 6379 : Number(u.port) };
  } catch {
    return undefined;
  }
}
