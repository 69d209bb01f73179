// Root vitest config: one project per package, app and example, plus the cross-package tests in test/.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { projects: ["packages/*", "apps/*/vitest.config.ts", "examples/*/vitest.config.ts", "test"] },
});
