// Whether the CUDA backend can run here, as data (never throws): the addon loads, the CUDA driver answers with at
// least one device, and cuBLASLt can be dlopen'ed (unless GEMMs are forced onto our tiled kernel).

import type { CudaUnavailableReason } from "../errors/index.js";
import { loadAddon } from "../native/index.js";
import type { AddonLoad, NativeAddon } from "../native/index.js";
import { cublasLtCandidates, cudnnCandidates } from "./cublas-paths.js";

/** One CUDA device as the runtime reports it. */
export interface CudaDevice {
  readonly index: number;
  readonly name: string;
  readonly computeCapability: string;
  readonly totalMemBytes: number;
  readonly multiProcessors: number;
}

/** The availability check's answer. */
export type CudaAvailability =
  | {
      readonly available: true;
      readonly devices: readonly CudaDevice[];
      readonly runtimeVersion: number;
      readonly driverVersion: number;
      /** The cuBLASLt that was loaded; undefined when GEMMs run on the tiled kernel only. */
      readonly cublasLt: { readonly path: string; readonly version: number } | undefined;
      /** The cuDNN 9 that was loaded (fused attention), or why not: optional, never makes CUDA unavailable. */
      readonly cudnn: { readonly path: string; readonly version: number } | { readonly missing: readonly string[] };
      readonly addonPath: string;
    }
  | { readonly available: false; readonly reason: CudaUnavailableReason; readonly message: string; readonly detail: readonly string[] };

/** What the check depends on (injectable for tests). */
export interface AvailabilityDeps {
  readonly load: () => AddonLoad;
  readonly env: NodeJS.ProcessEnv;
  /** Fail with CUBLASLT_MISSING when cuBLASLt cannot be loaded (default: unless APB_CUDA_GEMM=tiled). */
  readonly requireCublasLt?: boolean;
}

// cudaError_t values (CUDA runtime API, driver_types.h)
const CUDA_ERROR_INSUFFICIENT_DRIVER = 35;
const CUDA_ERROR_NO_DEVICE = 100;

type Unavailable = Extract<CudaAvailability, { available: false }>;

function unavailable(reason: CudaUnavailableReason, message: string, detail: readonly string[] = []): Unavailable {
  return { available: false, reason, message, detail };
}

function probeDriver(addon: NativeAddon): Unavailable | { count: number; runtimeVersion: number; driverVersion: number } {
  const p = addon.probe();
  if (p.status === CUDA_ERROR_INSUFFICIENT_DRIVER) return unavailable("NO_DRIVER", `no usable CUDA driver (${p.statusName}; runtime ${p.runtimeVersion}, driver ${p.driverVersion})`);
  if (p.status === CUDA_ERROR_NO_DEVICE || (p.status === 0 && p.deviceCount === 0)) return unavailable("NO_DEVICE", `no CUDA device (${p.statusName})`);
  if (p.status !== 0) return unavailable("CUDA_INIT_FAILED", `CUDA could not start: ${p.statusName} (${p.status})`);
  return { count: p.deviceCount, runtimeVersion: p.runtimeVersion, driverVersion: p.driverVersion };
}

function listDevices(addon: NativeAddon, count: number): CudaDevice[] {
  return Array.from({ length: count }, (_, index) => {
    const d = addon.deviceInfo(index);
    return { index, name: d.name, computeCapability: `${d.major}.${d.minor}`, totalMemBytes: d.totalMem, multiProcessors: d.multiProcessorCount };
  });
}

/** Runs the whole check once (no caching). */
export function probeCudaAvailability(deps: AvailabilityDeps): CudaAvailability {
  try {
    const load = deps.load();
    if (!load.ok) return unavailable(load.reason, load.message, load.searched);
    const driver = probeDriver(load.addon);
    if ("available" in driver) return driver;
    const devices = listDevices(load.addon, driver.count);
    const requireLt = deps.requireCublasLt ?? deps.env.APB_CUDA_GEMM !== "tiled";
    const candidates = cublasLtCandidates(deps.env);
    const lt = load.addon.loadCublasLt(candidates);
    if (!lt.loaded && requireLt) {
      return unavailable("CUBLASLT_MISSING", "cuBLASLt (libcublasLt.so.13 or .12) could not be loaded; set APB_CUBLAS_PATH or APB_CUDA_GEMM=tiled", lt.errors);
    }
    const cublasLt = lt.loaded ? { path: lt.path, version: lt.version } : undefined;
    const dnn = load.addon.loadCudnn(cudnnCandidates(deps.env));
    const cudnn = dnn.loaded ? { path: dnn.path, version: dnn.version } : { missing: dnn.errors };
    return { available: true, devices, runtimeVersion: driver.runtimeVersion, driverVersion: driver.driverVersion, cublasLt, cudnn, addonPath: load.path };
  } catch (err) {
    return unavailable("CUDA_INIT_FAILED", `the availability check failed: ${(err as Error).message}`);
  }
}

const cache = new Map<boolean, CudaAvailability>();

/** Whether CUDA can run here (cached per thread). Never throws. */
export function cudaAvailability(options: { requireCublasLt?: boolean } = {}): CudaAvailability {
  const requireCublasLt = options.requireCublasLt ?? process.env.APB_CUDA_GEMM !== "tiled";
  let a = cache.get(requireCublasLt);
  if (a === undefined) {
    a = probeCudaAvailability({ load: loadAddon, env: process.env, requireCublasLt });
    cache.set(requireCublasLt, a);
  }
  return a;
}

/** The probe core's backend "auto" choice calls (a plain object, no class instances). */
export async function backendAvailability(): Promise<{ available: boolean; reason?: CudaUnavailableReason; message?: string }> {
  const a = cudaAvailability();
  return a.available ? { available: true } : { available: false, reason: a.reason, message: a.message };
}
