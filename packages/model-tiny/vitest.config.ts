// Vitest project for @apb/model-tiny: the eval generator against the Python reference fixture, scoring, paths.
import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "model-tiny", include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 120_000 },
});
