// Vitest project for @apb/cli: unit tests beside the code, slower model tests as *.int.test.ts.
import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "cli", include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 60_000 },
});
