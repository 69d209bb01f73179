// Availability as data: on this GPU-less machine the real check says NO_DRIVER (or BINARY_MISSING where nvcc was
// absent at build time); every other reason is produced from injected loaders; the cuBLASLt search order.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadAddon, loadAddonFrom } from "../native/index.js";
import type { AddonLoad, NativeAddon, NativeProbe } from "../native/index.js";
import { cublasLtCandidates, cudnnCandidates } from "./cublas-paths.js";
import { backendAvailability, cudaAvailability, probeCudaAvailability } from "./cuda-availability.js";

function fakeLoad(probe: Partial<NativeProbe>, cublasLoaded = true): () => AddonLoad {
  const addon = {
    probe: () => ({ status: 0, statusName: "cudaSuccess", deviceCount: 2, runtimeVersion: 13000, driverVersion: 13000, ...probe }),
    deviceInfo: (i: number) => ({ name: `GPU ${i}`, major: 9, minor: 0, totalMem: 141e9, multiProcessorCount: 132, l2CacheSize: 0 }),
    loadCublasLt: () => ({ loaded: cublasLoaded, path: cublasLoaded ? "/x/libcublasLt.so.13" : "", version: 130000, errors: cublasLoaded ? [] : ["libcublasLt.so.13: not found"] }),
    loadCudnn: () => ({ loaded: false, path: "", version: 0, errors: ["libcudnn.so.9: not found"] }),
  } as unknown as NativeAddon;
  return () => ({ ok: true, addon, path: "/x/apb_cuda.node" });
}

describe("cudaAvailability", () => {
  const real = cudaAvailability();

  it("never throws and, without a CUDA driver here, says why by code", async () => {
    const probe = loadAddon();
    if (probe.ok && probe.addon.probe().status === 0) return; // a machine with a GPU: nothing to assert here
    expect(real).toMatchObject({ available: false, reason: probe.ok ? "NO_DRIVER" : "BINARY_MISSING" });
    expect(await backendAvailability()).toMatchObject({ available: false, reason: probe.ok ? "NO_DRIVER" : "BINARY_MISSING" });
  });

  it("maps every failure to its reason code", () => {
    const env = { PATH: "", HOME: "/nonexistent" };
    const reasonOf = (load: () => AddonLoad, requireCublasLt = true): string => {
      const a = probeCudaAvailability({ load, env, requireCublasLt });
      return a.available ? "available" : a.reason;
    };
    expect(reasonOf(() => loadAddonFrom(["/nonexistent/apb_cuda.node"]))).toBe("BINARY_MISSING");
    const dir = mkdtempSync(join(tmpdir(), "apb-cuda-"));
    writeFileSync(join(dir, "apb_cuda.node"), "not an ELF file");
    expect(reasonOf(() => loadAddonFrom([join(dir, "apb_cuda.node")]))).toBe("LOAD_FAILED");
    expect(reasonOf(fakeLoad({ status: 35, statusName: "cudaErrorInsufficientDriver" }))).toBe("NO_DRIVER");
    expect(reasonOf(fakeLoad({ status: 100, statusName: "cudaErrorNoDevice" }))).toBe("NO_DEVICE");
    expect(reasonOf(fakeLoad({ deviceCount: 0 }))).toBe("NO_DEVICE");
    expect(reasonOf(fakeLoad({ status: 999, statusName: "cudaErrorUnknown" }))).toBe("CUDA_INIT_FAILED");
    expect(reasonOf(fakeLoad({}, false))).toBe("CUBLASLT_MISSING");
    expect(reasonOf(fakeLoad({}, false), false)).toBe("available");
    expect(reasonOf(() => {
      throw new Error("boom");
    })).toBe("CUDA_INIT_FAILED");
    const ok = probeCudaAvailability({ load: fakeLoad({}), env });
    expect(ok).toMatchObject({ available: true, devices: [{ index: 0, computeCapability: "9.0" }, { index: 1 }], cublasLt: { path: "/x/libcublasLt.so.13" } });
    expect(ok).toMatchObject({ cudnn: { missing: ["libcudnn.so.9: not found"] } }); // cuDNN is optional
  });

  it("searches cuDNN in APB_CUDNN_PATH, by soname, then in pip wheel folders", () => {
    const wheel = "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9";
    const dirs: Record<string, string[]> = { "/opt": ["torch"], "/opt/torch/.venv/lib": ["python3.12"] };
    const probe = { exists: (p: string) => p === wheel, list: (d: string) => dirs[d] ?? [] };
    const list = cudnnCandidates({ APB_CUDNN_PATH: "/my/cudnn:/other/libcudnn.so.9.1", HOME: "/nonexistent" }, probe);
    expect(list).toEqual(["/my/cudnn/libcudnn.so.9", "/other/libcudnn.so.9.1", "libcudnn.so.9", wheel]);
  });

  it("searches cuBLASLt in APB_CUBLAS_PATH, by soname, in CUDA folders and pip wheel folders", () => {
    const files = new Set(["/usr/local/cuda/lib64/libcublasLt.so.13", "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cublas/lib/libcublasLt.so.13"]);
    const dirs: Record<string, string[]> = { "/opt": ["torch"], "/opt/torch/.venv/lib": ["python3.12"] };
    const probe = { exists: (p: string) => files.has(p), list: (d: string) => dirs[d] ?? [] };
    const list = cublasLtCandidates({ APB_CUBLAS_PATH: "/my/lib:/my/other/libcublasLt.so.12", HOME: "/nonexistent" }, probe);
    expect(list.slice(0, 5)).toEqual(["/my/lib/libcublasLt.so.13", "/my/lib/libcublasLt.so.12", "/my/other/libcublasLt.so.12", "libcublasLt.so.13", "libcublasLt.so.12"]);
    expect(list).toContain("/usr/local/cuda/lib64/libcublasLt.so.13");
    expect(list).toContain("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cublas/lib/libcublasLt.so.13");
    expect(list.indexOf("/usr/local/cuda/lib64/libcublasLt.so.13")).toBeLessThan(list.indexOf("/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cublas/lib/libcublasLt.so.13"));
  });
});
