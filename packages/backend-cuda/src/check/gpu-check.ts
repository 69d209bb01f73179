// The GPU check (run on the GPU machine): availability, every kernel against its CPU twin, every Backend op and a
// whole forward against core's reference backend, in float32 and bfloat16, then compute-sanitizer memcheck on a quick
// pass when the tool exists; prints a table last, writes JSON to $OUT (or --json), exits 1 on any mismatch.
// Usage: node build/gpu-check.mjs [--dtype f32,bf16] [--quick] [--bench] [--no-sanitizer] [--json FILE] [--seed N]
//        [--only SUBSTRING]   (only the kernel and backend cases whose op name contains it, e.g. "attention")

import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ApbError } from "@apb/core";
import { z } from "zod";
import { cudaAvailability } from "../availability/index.js";
import type { CudaAvailability } from "../availability/index.js";
import type { DeviceDType } from "../device/index.js";
import { CudaUnavailableError } from "../errors/index.js";
import { loadAddon } from "../native/index.js";
import { runBackendChecks } from "./backend-checks.js";
import { formatTable } from "./check-report.js";
import type { CheckRow } from "./check-report.js";
import { runBench } from "./gpu-bench.js";
import { runKernelSuite } from "./kernel-suite.js";

const argsSchema = z.object({
  dtypes: z.array(z.enum(["float32", "bfloat16"])).min(1),
  quick: z.boolean(),
  bench: z.boolean(),
  sanitizer: z.boolean(),
  json: z.string().optional(),
  seed: z.number().int().min(0),
  only: z.string().min(1).optional(),
});
export type GpuCheckOptions = z.output<typeof argsSchema>;

/** Parses the command line (unknown flags are an error). */
export function parseGpuCheckArgs(argv: readonly string[]): GpuCheckOptions {
  const o: Record<string, unknown> = { dtypes: ["float32", "bfloat16"], quick: false, bench: false, sanitizer: true, seed: Date.now() % 1_000_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") o.quick = true;
    else if (a === "--bench") o.bench = true;
    else if (a === "--no-sanitizer" || a === "--child") o.sanitizer = false;
    else if (a === "--json") o.json = argv[++i];
    else if (a === "--seed") o.seed = Number(argv[++i]);
    else if (a === "--only") o.only = argv[++i] ?? "";
    else if (a === "--dtype") o.dtypes = (argv[++i] ?? "").split(",").map((d) => (d === "f32" ? "float32" : d === "bf16" ? "bfloat16" : d));
    else throw new ApbError("INPUT_INVALID", `gpu-check: unknown argument ${a}`);
  }
  const r = argsSchema.safeParse(o);
  if (!r.success) throw new ApbError("INPUT_INVALID", `gpu-check: ${r.error.issues[0]!.path.join(".")}: ${r.error.issues[0]!.message}`);
  return r.data;
}

function findSanitizer(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/local/cuda/bin", "/opt/nvidia/compute-sanitizer"];
  return dirs.map((d) => join(d, "compute-sanitizer")).find((p) => existsSync(p));
}

/** A quick pass of this same program under compute-sanitizer memcheck; one row with its error summary. */
function sanitizerRow(seed: number, only: string | undefined): CheckRow {
  const head = { suite: "sanitizer" as const, op: "memcheck", dtype: "f32,bf16", shape: "quick pass", relL2: 0, maxAbs: 0, tol: 0 };
  const tool = findSanitizer();
  const script = process.argv[1];
  if (tool === undefined || script === undefined) return { ...head, ok: true, note: "skipped: compute-sanitizer not found" };
  const childArgs = ["--child", "--quick", "--seed", String(seed), ...(only === undefined ? [] : ["--only", only])];
  const r = spawnSync(tool, ["--tool", "memcheck", "--error-exitcode", "3", "--print-limit", "20", process.execPath, script, ...childArgs], {
    encoding: "utf8",
    timeout: 480_000,
    maxBuffer: 64 << 20,
  });
  const text = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const summary = /ERROR SUMMARY: (\d+) errors?/.exec(text);
  const ok = r.status === 0 && summary !== null && summary[1] === "0";
  const tail = text.split("\n").filter((l) => /=========|FAIL/.test(l)).slice(0, 12).join(" / ");
  return { ...head, ok, note: `exit ${r.status ?? r.signal}; ${summary?.[0] ?? "no summary"}${ok ? "" : ` | ${tail}`}` };
}

function describeAvailability(a: Extract<CudaAvailability, { available: true }>): string {
  const devs = a.devices.map((d) => `${d.index}: ${d.name} (sm ${d.computeCapability}, ${(d.totalMemBytes / 2 ** 30).toFixed(0)} GiB, ${d.multiProcessors} SMs)`).join("; ");
  return `CUDA runtime ${a.runtimeVersion}, driver ${a.driverVersion}; ${devs}; cuBLASLt ${a.cublasLt ? `${a.cublasLt.path} (${a.cublasLt.version})` : "not loaded"}; cuDNN ${"path" in a.cudnn ? `${a.cudnn.path} (${a.cudnn.version})` : `not loaded (${a.cudnn.missing.join("; ")})`}; addon ${a.addonPath}`;
}

/** Runs every suite the options ask for. */
export async function runGpuCheck(o: GpuCheckOptions, a: Extract<CudaAvailability, { available: true }>): Promise<CheckRow[]> {
  const load = loadAddon();
  if (!load.ok) throw new CudaUnavailableError(load.reason, load.message);
  const rows: CheckRow[] = [];
  const cublasLt = a.cublasLt !== undefined;
  for (const dtype of o.dtypes) {
    const dt = dtype === "float32" ? 0 : 1;
    const only = o.only;
    rows.push(...(await runKernelSuite(load.addon, { dt, seed: o.seed, cublasLt, only })));
    rows.push(...(await runBackendChecks({ dtype: dtype as DeviceDType, gemm: "auto", seed: o.seed, only })));
    if (!o.quick) rows.push(...(await runBackendChecks({ dtype: dtype as DeviceDType, gemm: "tiled", seed: o.seed + 1, only })));
    if (dtype === "bfloat16") rows.push(...(await runBackendChecks({ dtype: "bfloat16", gemm: "auto", seed: o.seed + 2, attention: "cudnn", only })));
  }
  if (o.bench) for (const dtype of o.dtypes) rows.push(...(await runBench(load.addon, { dt: dtype === "float32" ? 0 : 1, cublasLt })));
  if (o.sanitizer) rows.push(sanitizerRow(o.seed, o.only));
  return rows;
}

/** The program: returns the exit code (0 all ok, 1 a mismatch or failure, 2 CUDA unavailable or bad usage). */
export async function main(argv: readonly string[]): Promise<number> {
  let o: GpuCheckOptions;
  try {
    o = parseGpuCheckArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const a = cudaAvailability({ requireCublasLt: false });
  if (!a.available) {
    console.error(`gpu-check: CUDA unavailable (${a.reason}): ${a.message}\n${a.detail.join("\n")}`);
    return 2;
  }
  console.log(`gpu-check seed ${o.seed}${o.only === undefined ? "" : ` (only ops containing "${o.only}")`}: ${describeAvailability(a)}`);
  const rows = await runGpuCheck(o, a);
  if (rows.length === 0) {
    console.error(`gpu-check: no case matches --only ${o.only ?? ""}`);
    return 2;
  }
  const failed = rows.filter((r) => !r.ok);
  const jsonPath = o.json ?? (process.env.OUT ? join(process.env.OUT, "gpu-check.json") : undefined);
  if (jsonPath !== undefined) writeFileSync(jsonPath, JSON.stringify({ date: new Date().toISOString(), seed: o.seed, availability: a, rows }, null, 1));
  console.log(formatTable(rows));
  console.log(`gpu-check: ${rows.length - failed.length}/${rows.length} ok${failed.length > 0 ? `, ${failed.length} FAILED` : ""}`);
  return failed.length > 0 ? 1 : 0;
}
