// onnxruntime-node behaviour the backend relies on: subarray inputs are read at their byteOffset without a copy
// of the whole buffer, in-memory external weights load, and ORT failures surface as BackendError.

import { describe, expect, it } from "vitest";
import { GraphBuilder } from "../graph/index.js";
import { createSession, f32, runSession } from "./ort-session.js";

describe("ort sessions", () => {
  it("reads a Float32Array subarray at its offset (zero-copy row views are safe)", async () => {
    const g = new GraphBuilder("scale");
    g.output(g.op("Mul", [g.input("x", ["n"]), g.scalar(2)]), "y", ["n"]);
    const s = await createSession(g.build(), { threads: 1, spinning: false, what: "test" });
    const base = Float32Array.from({ length: 10 }, (_, i) => i);
    const r = await runSession(s, { x: f32(base.subarray(3, 7), [4]) }, { outputs: ["y"], what: "test" });
    expect(Array.from(r.y!)).toEqual([6, 8, 10, 12]);
    await s.release();
  });

  it("loads weights from in-memory external data at aligned offsets", async () => {
    const g = new GraphBuilder("mm");
    const w1 = g.weight("w1", Float32Array.from([1, 2, 3]), [3]); // 12 bytes, so w2 starts at the next 64-byte slot
    const w2 = g.weight("w2", Float32Array.from([10, 20, 30, 40, 50, 60]), [3, 2]);
    g.output(g.op("MatMul", [g.op("Mul", [g.input("x", ["n", 3]), w1]), w2]), "y", ["n", 2]);
    const s = await createSession(g.build(), { threads: 1, spinning: false, what: "test" });
    const r = await runSession(s, { x: f32(Float32Array.from([1, 1, 1]), [1, 3]) }, { outputs: ["y"], what: "test" });
    expect(Array.from(r.y!)).toEqual([1 * 10 + 2 * 30 + 3 * 50, 1 * 20 + 2 * 40 + 3 * 60]);
    await s.release();
  });

  it("maps a run failure to BACKEND_FAILED", async () => {
    const g = new GraphBuilder("id");
    g.output(g.op("Relu", [g.input("x", ["n", 2])]), "y", ["n", 2]);
    const s = await createSession(g.build(), { threads: 1, spinning: false, what: "test" });
    await expect(runSession(s, { x: f32(new Float32Array(3), [3]) }, { outputs: ["y"], what: "test" })).rejects.toMatchObject({ code: "BACKEND_FAILED" });
    await s.release();
  });
});
