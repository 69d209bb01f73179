// Cross-package integration tests (real worker threads, both backends, the CLI as a process).
import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "integration", include: ["**/*.test.ts"], testTimeout: 300_000, fileParallelism: false },
});
