// Vitest project for @apb/jobs: pure unit tests beside the code, Redis tests as test/*.redis.test.ts against the
// throwaway server of `make test` (REDIS_URL). Files run one after another: they share that server.
import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "jobs",
    include: ["src/**/*.test.ts", "test/**/*.redis.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
