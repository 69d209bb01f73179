// The native build: where nvcc exists, `build-native.mjs --check` compiles every native source (incrementally; the
// first run takes about a minute and a half on 2 cores), links apb_cuda.node and finds only libc-level run-time
// dependencies; without nvcc it skips and exits 0.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findNvcc } from "../scripts/build-native.mjs";

const PKG = join(dirname(fileURLToPath(import.meta.url)), "..");

function cuFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === "lab" ? [] : cuFiles(p);
    return n.endsWith(".cu") && !n.endsWith(".bench.cu") ? [p] : [];
  });
}

describe("build-native.mjs --check", () => {
  it("builds every .cu file and links apb_cuda.node with libc-level dependencies only (or skips without nvcc)", () => {
    const r = spawnSync(process.execPath, [join(PKG, "scripts", "build-native.mjs"), "--check"], { encoding: "utf8", timeout: 900_000 });
    const line = r.stdout.split("\n").find((l) => l.startsWith("check: "));
    expect(line, `${r.stdout}\n${r.stderr}`).toBeDefined();
    const summary = JSON.parse(line!.slice("check: ".length)) as { ok: boolean; skipped?: string; cuSources?: number; libraries?: string[]; problems?: string[] };
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    if (findNvcc() === undefined) {
      expect(summary).toMatchObject({ ok: true, skipped: "nvcc not found" });
      return;
    }
    expect(summary.problems).toEqual([]);
    expect(summary.cuSources).toBe(cuFiles(join(PKG, "native")).length);
    expect(summary.libraries!.some((l) => /cudart|cublas/.test(l))).toBe(false);
  }, 900_000);
});
