// onnxruntime-node sessions: creation with the CPU settings every graph uses, runs that map failures to BackendError,
// and float32 tensor wrapping (inputs are zero-copy views: ORT reads a subarray in place, honouring its byteOffset).

import * as ort from "onnxruntime-node";
import { BackendError } from "@apb/core";
import type { BuiltGraph } from "../graph/index.js";

export type Session = ort.InferenceSession;
export type OrtTensor = ort.Tensor;

/** Threading of every session of one backend. */
export interface SessionSettings {
  /** Intra-op threads (the calling thread included). */
  readonly threads: number;
  /**
   * Let idle pool threads spin between runs. Off by default: each session owns its pool, so a spinning pool of the
   * previous op steals cores from the next one, and other processes make it far worse (measured 3-5× slower layers
   * on 2 busy cores).
   */
  readonly spinning: boolean;
}

/**
 * A CPU session for a built graph: `threads` intra-op threads, no inter-op parallelism (the graphs are chains),
 * every graph optimisation on.
 * @throws BackendError BACKEND_FAILED when ORT rejects the graph (a bug in the graph builder).
 */
export async function createSession(graph: BuiltGraph, spec: SessionSettings & { what: string }): Promise<Session> {
  try {
    return await ort.InferenceSession.create(graph.model, {
      executionProviders: ["cpu"],
      intraOpNumThreads: spec.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      // No arena and no memory pattern: with one session per layer and op, each arena would keep its own peak
      // (16K rows: ~250 MB per session, 4+ GB per host measured); freed buffers go back to the system instead.
      enableCpuMemArena: false,
      enableMemPattern: false,
      extra: { session: { intra_op: { allow_spinning: spec.spinning ? "1" : "0" } } },
      ...(graph.externalData.length > 0 ? { externalData: graph.externalData } : {}),
    });
  } catch (err) {
    throw new BackendError("BACKEND_FAILED", `onnxruntime could not load the ${spec.what} graph: ${(err as Error).message}`, { cause: err });
  }
}

/** A float32 tensor over `data` (no copy). */
export function f32(data: Float32Array, dims: readonly number[]): OrtTensor {
  return new ort.Tensor("float32", data, dims);
}

/**
 * Runs `session` and returns the requested float32 outputs (ORT copies outputs into fresh buffers we own).
 * @throws BackendError BACKEND_FAILED wrapping the ORT error.
 */
export async function runSession(session: Session, feeds: Record<string, OrtTensor>, spec: { outputs: readonly string[]; what: string }): Promise<Record<string, Float32Array>> {
  let result: ort.InferenceSession.OnnxValueMapType;
  try {
    result = await session.run(feeds, [...spec.outputs]);
  } catch (err) {
    throw new BackendError("BACKEND_FAILED", `onnxruntime failed in ${spec.what}: ${(err as Error).message}`, { cause: err });
  }
  const out: Record<string, Float32Array> = {};
  for (const name of spec.outputs) {
    const data = result[name]?.data;
    if (!(data instanceof Float32Array)) throw new BackendError("BACKEND_FAILED", `${spec.what}: output ${name} is missing or not float32`);
    out[name] = data;
  }
  return out;
}
