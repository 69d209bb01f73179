// GPU tier (STYLE.md G10), run with APB_GPU_TESTS=1 on a machine with a GPU: CUDA must be available and the GPU check's
// quick pass must report every row ok. On the GPU machine (no npm there) the bundled build/gpu-check.mjs runs the same suites.
import { describe, expect, it } from "vitest";
import { cudaAvailability } from "../availability/index.js";
import { parseGpuCheckArgs, runGpuCheck } from "../check/index.js";

const a = cudaAvailability({ requireCublasLt: false });

describe("CudaBackend on a GPU", () => {
  it("passes the quick GPU check in float32 and bfloat16", async () => {
    expect(a).toMatchObject({ available: true });
    if (!a.available) return;
    const rows = await runGpuCheck(parseGpuCheckArgs(["--quick", "--no-sanitizer"]), a);
    const failed = rows.filter((r) => !r.ok);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
  }, 600_000);
});
