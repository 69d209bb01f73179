// Vitest project of the corpus-batch example: its Redis test (a real worker group of two `apb worker` processes)
// against the throwaway server of `make test` (REDIS_URL); skipped with a message when there is none.
import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "example-corpus-batch",
    include: ["src/**/*.test.ts", "test/**/*.redis.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
