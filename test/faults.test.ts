// A host that fails or hangs fails the request on every host with a typed error, and nothing hangs.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ApbEngine, ApbError, writeRandomCheckpoint } from "@apb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const faulty = { module: fileURLToPath(new URL("./fixtures/faulty-backend.mjs", import.meta.url)) };
let dir: string;
const ids = Array.from({ length: 40 }, (_, i) => 4 + ((i * 7) % 200));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "apb-faults-"));
  await writeRandomCheckpoint(dir, { seed: 5, numLayers: 3, tokenizer: false });
});
afterAll(async () => {
  delete process.env.APB_TEST_FAULT;
  await rm(dir, { recursive: true, force: true });
});

async function openWith(fault: object, extra: object = {}): Promise<ApbEngine> {
  process.env.APB_TEST_FAULT = JSON.stringify(fault);
  return ApbEngine.open({ model: dir, hosts: 4, backend: faulty, ...extra });
}

describe("failures", () => {
  it("a host that throws fails the request everywhere with its own typed error; the group stays usable", async () => {
    const engine = await openWith({ host: 2, layer: 1, kind: "throw" });
    try {
      const err = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 4 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApbError);
      expect((err as ApbError).code).toBe("BACKEND_FAILED");
      expect((err as ApbError).message).toMatch(/injected fault on host 2 at layer 1/);
      // the next request fails the same way rather than hanging on stale state
      const again = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 4 } }).catch((e: unknown) => e);
      expect((again as ApbError).code).toBe("BACKEND_FAILED");
    } finally {
      await engine.close();
    }
  });

  it("a hung host times the request out with TRANSPORT_TIMEOUT and the group reports itself broken", async () => {
    const engine = await openWith({ host: 1, layer: 2, kind: "hang" }, { failureGraceMs: 2000 });
    try {
      const t0 = Date.now();
      const err = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 4 }, stepTimeoutMs: 1500 }).catch((e: unknown) => e);
      expect((err as ApbError).code).toBe("TRANSPORT_TIMEOUT");
      expect(Date.now() - t0).toBeLessThan(8000); // 1.5 s step timeout + 2 s grace, not a hang
      const next = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 4 } }).catch((e: unknown) => e);
      expect((next as ApbError).code).toBe("HOST_FAILED");
    } finally {
      await engine.close();
    }
  }, 60_000);

  it("an abort stops every host with ABORTED", async () => {
    const engine = await openWith({});
    try {
      const ac = new AbortController();
      let n = 0;
      const p = engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 200 }, signal: ac.signal, onToken: () => (++n === 3 ? ac.abort() : undefined) });
      const err = await p.catch((e: unknown) => e);
      expect((err as ApbError).code).toBe("ABORTED");
      expect(n).toBeLessThan(10);
      const ok = await engine.generate({ ids, strategy: "ring", sampling: { maxTokens: 2 } });
      expect(ok.tokens).toHaveLength(2);
    } finally {
      await engine.close();
    }
  });
});
