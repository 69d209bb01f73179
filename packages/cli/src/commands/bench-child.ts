// Runs one benchmark configuration in a fresh Node process (`apb bench-one`) and reads back its JSON line, so each
// configuration's peak RSS is its own.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ApbError } from "@apb/core";
import { UsageError } from "../args/index.js";
import { benchLineSchema } from "./bench-line.js";
import type { BenchLine } from "./bench-line.js";

/** The built bin next to this file (dist/commands → dist/bin.js). */
const BIN = fileURLToPath(new URL("../bin.js", import.meta.url));

interface ChildOutput {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runNode(args: readonly string[], signal: AbortSignal | undefined): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], signal });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err) => {
      if ((err as Error).name === "AbortError") resolve({ code: null, signal: "SIGTERM", stdout, stderr });
      else reject(err);
    });
    child.on("close", (code, sig) => resolve({ code, signal: sig, stdout, stderr }));
  });
}

/** Runs `apb bench-one <args>`. @throws UsageError when the child rejected its input, ApbError otherwise */
export async function runBenchChild(args: readonly string[], signal: AbortSignal | undefined): Promise<BenchLine> {
  const out = await runNode(["bench-one", ...args], signal);
  if (signal?.aborted) throw new ApbError("ABORTED", "benchmark interrupted");
  const message = out.stderr.split("\n").filter((l) => l.startsWith("apb: ")).map((l) => l.slice(5)).join("; ") || out.stderr.trim();
  if (out.code === 2) throw new UsageError(message, "bench");
  if (out.code !== 0) {
    const how = out.signal !== null ? `was killed by ${out.signal}` : `exited with code ${out.code}`;
    throw new ApbError("INTERNAL", `benchmark child (apb bench-one ${args.join(" ")}) ${how}: ${message || "no message"}`);
  }
  const last = out.stdout.trim().split("\n").pop() ?? "";
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    throw new ApbError("INTERNAL", `benchmark child printed no JSON line (got ${JSON.stringify(last.slice(0, 200))})`);
  }
  const parsed = benchLineSchema.safeParse(json);
  if (!parsed.success) throw new ApbError("INTERNAL", `benchmark child's JSON line does not match the schema: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}
