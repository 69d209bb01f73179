// Every option of the CUDA backend, defined once (STYLE.md G14): zod schema, defaults, and the environment
// variables the engine path (createBackend without options) reads them from.

import { ApbError } from "@apb/core";
import { z } from "zod";

export const cudaBackendOptionsSchema = z
  .object({
    /** Storage type of weights and activations; math accumulates in float32 either way. */
    dtype: z.enum(["bfloat16", "float32"]).default("bfloat16"),
    /** GEMM implementation: cuBLASLt when it has an algorithm (auto), our tiled kernel, or cuBLASLt only. */
    gemm: z.enum(["auto", "tiled", "cublaslt"]).default("auto"),
    /**
     * Attention implementation: our kernel, or cuDNN 9 fused flash attention where it can run (bfloat16, cuDNN loaded,
     * the graph supported; otherwise our kernel, the reason in attentionPaths). cuDNN by default since its first
     * verified H200 run (2026-11-28: 530-647 TFLOP/s vs our kernel's 6-7, README "cuDNN attention route").
     */
    attention: z.enum(["kernel", "cudnn"]).default("cudnn"),
    /** CUDA device; default: host index modulo the device count. */
    device: z.number().int().min(0).optional(),
    /** cuBLASLt workspace (32 MiB is NVIDIA's advice for Hopper). */
    workspaceMiB: z.number().int().min(0).max(4096).default(32),
    /** Wait after every kernel so a failure names its kernel (debugging, the GPU check). */
    syncEachOp: z.boolean().default(false),
    /**
     * Make attnIn, attnOut and embed resolve only once their GPU work finished (exact per-op wall times for profiles,
     * failures named by their op). Off by default: they resolve once enqueued, the stream runs ahead, and an
     * asynchronous failure surfaces at the next op that reads back (attention's LSE, logits, scores, download), which
     * saves two host round trips per layer (measured on the one-row query pass: docs/BENCHMARKS.md).
     */
    awaitOps: z.boolean().default(false),
  })
  .strict();

export type CudaBackendOptions = z.input<typeof cudaBackendOptionsSchema>;
export type ResolvedCudaBackendOptions = z.output<typeof cudaBackendOptionsSchema>;

/** Validates options. @throws ApbError CONFIG_INVALID naming the bad field. */
export function parseCudaBackendOptions(input: CudaBackendOptions | undefined): ResolvedCudaBackendOptions {
  const r = cudaBackendOptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ApbError("CONFIG_INVALID", `cuda backend option ${issue.path.join(".")}: ${issue.message}`, { data: { backend: "cuda" } });
  }
  return r.data;
}

/**
 * Options from APB_CUDA_DTYPE, APB_CUDA_GEMM, APB_CUDA_ATTENTION, APB_CUDA_DEVICE, APB_CUDA_WORKSPACE_MIB, APB_CUDA_SYNC=1
 * and APB_CUDA_AWAIT_OPS=1.
 */
export function cudaBackendOptionsFromEnv(env: NodeJS.ProcessEnv): CudaBackendOptions {
  const out: Record<string, unknown> = {};
  if (env.APB_CUDA_DTYPE) out.dtype = env.APB_CUDA_DTYPE;
  if (env.APB_CUDA_GEMM) out.gemm = env.APB_CUDA_GEMM;
  if (env.APB_CUDA_ATTENTION) out.attention = env.APB_CUDA_ATTENTION;
  if (env.APB_CUDA_DEVICE) out.device = Number(env.APB_CUDA_DEVICE);
  if (env.APB_CUDA_WORKSPACE_MIB) out.workspaceMiB = Number(env.APB_CUDA_WORKSPACE_MIB);
  if (env.APB_CUDA_SYNC) out.syncEachOp = env.APB_CUDA_SYNC === "1";
  if (env.APB_CUDA_AWAIT_OPS) out.awaitOps = env.APB_CUDA_AWAIT_OPS === "1";
  return out as CudaBackendOptions;
}
