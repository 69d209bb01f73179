// Vitest project for @apb/backend-cuda: unit tests beside the code and package tests in test/ (native build check,
// engine backend choice). The GPU tier (*.gpu.test.ts) runs only with APB_GPU_TESTS=1, on a machine with a GPU.
import { defineProject } from "vitest/config";

const gpu = process.env.APB_GPU_TESTS === "1";

export default defineProject({
  test: {
    name: "backend-cuda",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: gpu ? [] : ["src/**/*.gpu.test.ts"],
    testTimeout: 120_000,
  },
});
