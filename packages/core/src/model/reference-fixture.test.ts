// Guards the numpy reference fixture's preconditions: writeRandomCheckpoint still writes the exact bytes numpy read,
// and our config + RoPE code gives numpy's inverse frequencies (tools/reference/README.md describes the fixture).
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModelConfig } from "./config.js";
import { writeRandomCheckpoint } from "./random-checkpoint.js";
import type { RandomCheckpointOptions } from "./random-checkpoint.js";
import { ropeInvFreq } from "./rope.js";

interface FixtureCheckpoint {
  name: string;
  options: RandomCheckpointOptions;
  fileSha256: Record<string, string>;
  ropeInvFreq: number[];
  full: { ids: number[]; tailLogits: number[][]; top5: number[][] };
  apb: { name: string; exact: boolean; queryLogits: number[][] }[];
}

let tmp: string;
let checkpoints: FixtureCheckpoint[];
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "apb-fixture-"));
  const text = await readFile(new URL("./fixtures/numpy-reference.json", import.meta.url), "utf8");
  checkpoints = (JSON.parse(text) as { checkpoints: FixtureCheckpoint[] }).checkpoints;
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("numpy reference fixture", () => {
  it("covers three checkpoints with full and APB logits", () => {
    expect(checkpoints.map((c) => c.name)).toEqual(["llama3-untied-heads", "qwen2-tied-bias-bf16", "mistral-plain-sharded"]);
    for (const c of checkpoints) {
      const vocab = c.options.vocabSize!;
      expect(c.full.tailLogits.every((row) => row.length === vocab)).toBe(true);
      expect(c.apb.length).toBeGreaterThanOrEqual(3);
      // Exact APB cases equal the full forward on the query rows (numpy, float64).
      for (const a of c.apb.filter((x) => x.exact)) {
        const diff = Math.max(...a.queryLogits.flatMap((row, i) => row.map((v, j) => Math.abs(v - c.full.tailLogits[i + 1]![j]!))));
        expect(diff).toBeLessThan(1e-7);
      }
    }
  });

  it("is reproduced byte for byte by writeRandomCheckpoint, and RoPE frequencies match numpy", async () => {
    for (const c of checkpoints) {
      const dir = join(tmp, c.name);
      await writeRandomCheckpoint(dir, c.options);
      for (const [file, sha] of Object.entries(c.fileSha256)) {
        const digest = createHash("sha256").update(await readFile(join(dir, file))).digest("hex");
        expect(digest, `${c.name}/${file}`).toBe(sha);
      }
      const inv = ropeInvFreq(await loadModelConfig(dir));
      expect(inv.length).toBe(c.ropeInvFreq.length);
      inv.forEach((v, i) => expect(Math.abs(v - c.ropeInvFreq[i]!) / v).toBeLessThan(1e-10));
    }
  });
});
