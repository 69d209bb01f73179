// Vitest project for @apb/kg-extract: unit tests beside the code (src/**/*.test.ts); end-to-end tests with the shipped
// model, the built bin and headless chromium (test/*.int.test.ts); the worker-group path (test/*.redis.test.ts, needs
// REDIS_URL as `make test` sets it). Files run one after another: on 2 cores, two model-loading files at once only
// slow each other down. The long hook timeout covers installing chromium when it is missing.
import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "kg-extract",
    include: ["src/**/*.test.ts", "test/**/*.int.test.ts", "test/**/*.redis.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
