// The engine's backend choice (core host-loader): `backend: "cuda"` fails with the typed BACKEND_UNAVAILABLE error
// and a reason code where CUDA cannot run (no driver here), and `backend: "auto"` falls back to onnx, says why
// (ApbEngine.backends) and answers exactly as onnx does. Needs @apb/backend-cuda built (dist) and linked into node_modules, as after npm install.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApbEngine, writeRandomCheckpoint } from "@apb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cudaAvailability } from "../src/availability/index.js";

let dir: string;
const gpu = cudaAvailability().available;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "apb-cuda-engine-"));
  await writeRandomCheckpoint(dir, { seed: 5, vocabSize: 64, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, tokenizer: false });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(gpu)("engine backend choice without a usable GPU", () => {
  it('backend "cuda" rejects with BACKEND_UNAVAILABLE and the reason code', async () => {
    const err = await ApbEngine.open({ model: dir, hosts: 2, backend: "cuda", threadsPerHost: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BACKEND_UNAVAILABLE", data: { backend: "cuda" } });
    const reason = (err as { data: { reason: string } }).data.reason;
    expect(["NO_DRIVER", "BINARY_MISSING"]).toContain(reason);
    const a = cudaAvailability();
    expect(reason).toBe(a.available ? "" : a.reason);
  });

  it('backend "auto" falls back to onnx and generates what onnx generates', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => 3 + ((i * 7) % 50));
    const run = async (backend: "auto" | "onnx"): Promise<{ tokens: number[]; logits: number[] }> => {
      const engine = await ApbEngine.open({ model: dir, hosts: 2, backend, threadsPerHost: 1 });
      try {
        // Every host says which backend it runs; "auto" also says why it did not take CUDA (the probe's reason code).
        expect(engine.backends.map((b) => b.name)).toEqual(["onnx", "onnx"]);
        const a = cudaAvailability();
        for (const b of engine.backends) {
          if (backend === "onnx") expect(b.note).toBeUndefined();
          else expect(b.note).toContain(`auto chose onnx: cuda is not available here (${a.available ? "" : a.reason}: `);
        }
        const r = await engine.generate({ ids, strategy: "apb", anchor: 4, passing: 4, selection: "query", questionIds: [5, 6], sampling: { maxTokens: 3 }, keepLogits: true });
        return { tokens: r.tokens, logits: Array.from(r.logits![0]!) };
      } finally {
        await engine.close();
      }
    };
    const [auto, onnx] = [await run("auto"), await run("onnx")];
    expect(auto.tokens).toHaveLength(3);
    expect(auto).toEqual(onnx);
  });
});
