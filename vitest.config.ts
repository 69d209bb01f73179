// Root vitest config: one project per package plus the cross-package tests in test/.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { projects: ["packages/*", "test"] },
});
