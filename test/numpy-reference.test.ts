// The oracle is not trusted blindly (issue 2, acceptance 3): the engine on both CPU backends reproduces the logits of an
// independent float64 numpy implementation (tools/reference/forward.py) for full attention and for APB prefill + query
// with retaining-head selection, on three checkpoint variants (Llama-3 RoPE scaling, Qwen2 biases + BF16, sharded Mistral).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ApbEngine, writeRandomCheckpoint } from "@apb/core";
import type { RandomCheckpointOptions } from "@apb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relErr } from "./helpers/compare.js";

/** float32 storage vs float64 numpy: observed ~1e-6; 1e-5 leaves room without hiding a real bug (those are O(1)). */
const REL_TOL = 1e-5;

interface ApbCase {
  name: string;
  hosts: number;
  anchorLen: number;
  passingLen: number;
  qsp: number;
  queryLogits: number[][];
}
interface FixtureCheckpoint {
  name: string;
  options: RandomCheckpointOptions;
  retainingHeads: string | null;
  contextIds: number[];
  queryIds: number[];
  full: { tailLogits: number[][] };
  apb: ApbCase[];
}

const fixturePath = fileURLToPath(new URL("../packages/core/src/model/fixtures/numpy-reference.json", import.meta.url));
const fixture = JSON.parse(await readFile(fixturePath, "utf8")) as { checkpoints: FixtureCheckpoint[] };
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "apb-numpy-"));
  for (const c of fixture.checkpoints) await writeRandomCheckpoint(join(tmp, c.name), c.options);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});


function argmax(xs: readonly number[]): number {
  return xs.reduce((best, x, i) => (x > xs[best]! ? i : best), 0);
}

describe.each(["reference", "onnx"] as const)("the %s backend matches numpy", (backend) => {
  describe.each(fixture.checkpoints.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    async function firstLogits(hosts: number, req: Parameters<ApbEngine["generate"]>[0]): Promise<{ logits: Float32Array; token: number }> {
      const engine = await ApbEngine.open({ model: join(tmp, c.name), hosts, backend });
      try {
        const r = await engine.generate({ ids: c.contextIds, questionIds: c.queryIds, sampling: { maxTokens: 1 }, keepLogits: true, ...req });
        return { logits: r.logits![0]!, token: r.tokens[0]! };
      } finally {
        await engine.close();
      }
    }

    it("full attention: the query's last-position logits", async () => {
      const expected = c.full.tailLogits[c.full.tailLogits.length - 1]!;
      const got = await firstLogits(1, { strategy: "full" });
      expect(relErr(got.logits, expected)).toBeLessThan(REL_TOL);
      expect(got.token).toBe(argmax(expected));
    });

    it.each(c.apb.map((a) => [a.name, a] as const))("APB case %s", async (_case, a) => {
      const expected = a.queryLogits[a.queryLogits.length - 1]!;
      const got = await firstLogits(a.hosts, {
        strategy: "apb",
        anchor: a.anchorLen,
        passing: a.passingLen,
        queryStart: a.qsp,
        selection: c.retainingHeads === null ? "random" : "retaining-heads", // random is unused when l_p = 0 or l_p = l_b
      });
      expect(relErr(got.logits, expected)).toBeLessThan(REL_TOL);
      expect(got.token).toBe(argmax(expected));
    });
  });
});
